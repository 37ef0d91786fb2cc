"""Files sent with a problem or a response: photos re-encoded (their EXIF position stripped)
with a thumbnail; documents kept as sent, of the kinds offices exchange."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".heic", ".heif", ".webp")
DOCUMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ofd", ".wps")
ACCEPT = "image/*,.pdf,.doc,.docx,.xls,.xlsx,.ofd,.wps"


def check(upload: Any) -> None:
    """Refuse a file before anything is saved: too large, or of a kind not accepted."""
    name = (getattr(upload, "name", "") or "").lower()
    size = getattr(upload, "size", None)
    if size is not None and size > settings.KEYPROJECTS_MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than the limit."))
    if not name.endswith(PHOTO_SUFFIXES + DOCUMENT_SUFFIXES):
        raise ValidationError(_("Attach a photo, or a PDF, Word or Excel file."))


def store(upload: Any, file: FieldFile, thumbnail: FieldFile | None = None) -> None:
    """Put `upload` into `file` (and a photo's thumbnail into `thumbnail`), unsaved."""
    check(upload)
    name = getattr(upload, "name", "") or "file"
    data = upload.read()
    lower = name.lower()
    if lower.endswith(PHOTO_SUFFIXES):
        from keyprojects.progress.photos import process

        processed = process(data)  # refuses a file that is not a readable photo
        stem = lower.rsplit(".", 1)[0][:60]
        file.save(f"{stem}.jpg", ContentFile(processed.image), save=False)
        if thumbnail is not None:
            thumbnail.save(f"{stem}-thumb.jpg", ContentFile(processed.thumbnail), save=False)
    else:
        file.save(name[-100:], ContentFile(data), save=False)
