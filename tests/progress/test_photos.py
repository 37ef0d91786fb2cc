"""Photos: re-encoded, EXIF time and place read and checked, non-images refused."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image

from keyprojects.progress.models import ReportPhoto
from keyprojects.progress.services import report_save

SITE = (Decimal("29.5600"), Decimal("106.5700"))


def jpeg(taken="2026:10:15 10:30:00", gps=(29.5601, 106.5702), fmt="JPEG"):
    img = Image.new("RGB", (800, 600), (120, 160, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    if taken:
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken
    if gps:

        def dms(value):
            d = int(value)
            m = int((value - d) * 60)
            s = round(((value - d) * 60 - m) * 60, 4)
            return (float(d), float(m), float(s))

        exif.get_ifd(ExifTags.IFD.GPSInfo).update(
            {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: dms(gps[0]),
             ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: dms(gps[1])}
        )  # fmt: skip
    out = io.BytesIO()
    img.save(out, fmt, exif=exif)
    return out.getvalue()


@pytest.fixture
def report(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world.project.latitude, world.project.longitude = SITE
    world.project.save()
    return report_save(project=world.project, year=2026, month=10, investment=Decimal(0))


def upload(client, world, data, name="site.jpg"):
    return client.post(
        f"/projects/{world.project.pk}/reports/2026/10/photos/",
        {"photos": SimpleUploadedFile(name, data), "caption": "主体施工"},
    )


def test_a_photo_is_re_encoded_and_its_exif_read(world, client_for, report):
    assert upload(client_for(world.owner_user), world, jpeg()).status_code == 302
    photo = ReportPhoto.objects.get()
    assert timezone.localtime(photo.taken_at).replace(tzinfo=None) == dt.datetime(
        2026, 10, 15, 10, 30
    )
    assert abs(photo.latitude - Decimal("29.5601")) < Decimal("0.0001")
    assert not photo.needs_review
    stored = Image.open(photo.image.path)
    assert stored.format == "JPEG" and not stored.getexif()  # nothing of the original kept
    assert Image.open(photo.thumbnail.path).width <= 360


def test_a_photo_from_another_month_or_far_away_is_marked(world, client_for, report):
    client = client_for(world.owner_user)
    upload(client, world, jpeg(taken="2026:08:01 09:00:00"))
    upload(client, world, jpeg(gps=(29.70, 106.57)))
    first, second = ReportPhoto.objects.order_by("pk")
    assert first.outside_month and not first.far_from_site
    assert second.far_from_site and second.distance_km > 15
    page = client.get(f"/projects/{world.project.pk}/reports/2026/10/").content.decode()
    assert page.count('data-testid="photo-flag"') == 2


def test_png_without_exif_is_accepted(world, client_for, report):
    img = Image.new("RGB", (50, 50), "green")
    out = io.BytesIO()
    img.save(out, "PNG")
    upload(client_for(world.owner_user), world, out.getvalue(), "a.png")
    photo = ReportPhoto.objects.get()
    assert photo.taken_at is None and not photo.needs_review


def test_heic_is_accepted(world, client_for, report):
    pillow_heif = pytest.importorskip("pillow_heif")
    heif = pillow_heif.from_pillow(Image.new("RGB", (64, 64), "blue"))
    out = io.BytesIO()
    heif.save(out, quality=50)
    upload(client_for(world.owner_user), world, out.getvalue(), "IMG_0001.HEIC")
    assert Image.open(ReportPhoto.objects.get().image.path).format == "JPEG"


@pytest.mark.parametrize(
    "data", [b"not an image", b"GIF89a" + b"\x00" * 100, b"\x89PNG\r\n\x1a\n" + b"\x00" * 40]
)
def test_a_file_that_is_not_a_photo_is_refused(world, client_for, report, data):
    response = upload(client_for(world.owner_user), world, data, "x.jpg")
    assert response.status_code == 302 and not ReportPhoto.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(world, client_for, report, settings):
    settings.KEYPROJECTS_MAX_PHOTO_BYTES = 1000
    upload(client_for(world.owner_user), world, jpeg())
    assert not ReportPhoto.objects.exists()


def test_only_editors_upload_and_only_signed_in_people_see_photos(world, client_for, report):
    assert upload(client_for(world.leader), world, jpeg()).status_code == 403
    upload(client_for(world.owner_user), world, jpeg())
    photo = ReportPhoto.objects.get()
    assert client_for(world.leader).get(photo.image.url).status_code == 200
    from django.test import Client

    assert Client().get(photo.image.url).status_code == 302
    assert client_for(world.leader).get("/media/../settings.py").status_code == 404
