from django.db import models
from django.utils.translation import gettext_lazy as _


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class FileKind(models.TextChoices):
    DOCX = "docx", _("Word document (.docx)")
    PDF = "pdf", _("PDF")


CONTENT_TYPES: dict[str, str] = {
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.PDF: "application/pdf",
}
