"""Site photos: decoded and re-encoded on upload (nothing of the original file is served),
with the time and place the camera recorded, checked against the report's month and site."""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

try:  # HEIC from phones; the package is a dependency, the guard keeps imports cheap to fail
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover
    pass

ALLOWED_FORMATS = {"JPEG", "PNG", "HEIF", "MPO"}
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass
class Processed:
    image: bytes
    thumbnail: bytes
    width: int
    height: int
    taken_at: dt.datetime | None
    latitude: Decimal | None
    longitude: Decimal | None


def _ratio(value: object) -> float:
    return float(value)  # type: ignore[arg-type]


def _gps(exif: Image.Exif) -> tuple[Decimal | None, Decimal | None]:
    info = exif.get_ifd(ExifTags.IFD.GPSInfo)
    if not info:
        return None, None
    try:

        def coord(values: tuple[object, ...], ref: str, negative: str) -> float:
            deg, minutes, seconds = (_ratio(v) for v in values)
            result = deg + minutes / 60 + seconds / 3600
            return -result if ref == negative else result

        lat = coord(info[ExifTags.GPS.GPSLatitude], info.get(ExifTags.GPS.GPSLatitudeRef, "N"), "S")
        lon = coord(
            info[ExifTags.GPS.GPSLongitude], info.get(ExifTags.GPS.GPSLongitudeRef, "E"), "W"
        )
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")


def _taken_at(exif: Image.Exif) -> dt.datetime | None:
    raw = exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal) or exif.get(
        ExifTags.Base.DateTime
    )
    if not raw:
        return None
    try:
        return dt.datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def process(data: bytes) -> Processed:
    """Decode, check and re-encode an uploaded photo; a file that is not one is refused."""
    limit = settings.KEYPROJECTS_MAX_PHOTO_BYTES
    if len(data) > limit:
        raise ValidationError(
            _("The photo is larger than %(mb)s MB.") % {"mb": round(limit / 2**20)}
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            if kind not in ALLOWED_FORMATS:
                raise ValidationError(_("Upload a JPEG, PNG or HEIC photo."))
            exif = img.getexif()
            taken_at = _taken_at(exif)
            latitude, longitude = _gps(exif)
            upright = ImageOps.exif_transpose(img).convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise ValidationError(_("This file is not a photo that can be read.")) from error
    upright.thumbnail((2560, 2560))
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=85, optimize=True)  # no EXIF: nothing of the original
    thumb = upright.copy()
    thumb.thumbnail((360, 360))
    small = io.BytesIO()
    thumb.save(small, "JPEG", quality=80)
    return Processed(
        out.getvalue(), small.getvalue(), upright.width, upright.height, taken_at, latitude,
        longitude,
    )  # fmt: skip


def distance_km(lat1: Decimal, lon1: Decimal, lat2: Decimal, lon2: Decimal) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))
