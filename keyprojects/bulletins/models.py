"""Monthly bulletins (通报): a draft the programme office edits, then publishes; published
bulletins are archived with their files and can no longer change."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keyprojects.audit.signals import AuditedModel
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction

from .choices import BulletinStatus, FileKind

# The office's own words; the figures and tables come from the data snapshot.
TEXT_FIELDS = (
    "summary",
    "comment_overall",
    "comment_batches",
    "comment_ranking",
    "comment_lagging",
    "comment_problems",
    "next_steps",
)
HEADER_FIELDS = ("number", "masthead", "title", "issuing_body", "issue_date", "copy_to")


class BulletinPublished(ValidationError):
    """A change refused because the bulletin is published (pages and API answer 409)."""


def published_refusal() -> BulletinPublished:
    return BulletinPublished(
        _("This bulletin was published; a published bulletin can no longer be changed."),
        code="published",
    )


def content_hash(content: Any) -> str:
    """The fingerprint of a data snapshot, over its canonical JSON."""
    text = json.dumps(content, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def file_path(instance: Bulletin, filename: str) -> str:
    # Random names: the files are served only through the bulletin's own download views.
    suffix = filename.rsplit(".", 1)[-1]
    return f"bulletins/{instance.year}/{uuid.uuid4().hex}.{suffix}"


class BulletinQuerySet(models.QuerySet["Bulletin"]):
    def visible_to(self, user: Any) -> BulletinQuerySet:
        """The office, leaders and auditors read every bulletin of their jurisdictions, drafts
        included; a unit user reads the published ones only."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        ids = user.visible_jurisdiction_ids()
        qs = self if ids is None else self.filter(jurisdiction_id__in=ids)
        if user.is_superuser or user.role in {Role.PROGRAMME_OFFICE, Role.LEADER, Role.AUDITOR}:
            return qs
        if user.role == Role.UNIT_USER:
            return qs.filter(status=BulletinStatus.PUBLISHED)
        return qs.none()

    def editable_by(self, user: Any) -> BulletinQuerySet:
        """Drafting, editing and publishing belong to the programme office."""
        if not getattr(user, "is_authenticated", False) or not user.is_programme_office:
            return self.none()
        return self.visible_to(user)


class Bulletin(AuditedModel):
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    number = models.PositiveIntegerField(
        _("issue number"),
        validators=[MinValueValidator(1)],
        help_text=_("The issue's number in the year (第N期)."),
    )
    masthead = models.CharField(_("masthead"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    issue_date = models.DateField(_("date of issue"))
    copy_to = models.CharField(
        _("copies to"), max_length=300, blank=True, help_text=_("抄送: who receives copies.")
    )
    summary = models.TextField(_("opening paragraph"), blank=True)
    comment_overall = models.TextField(_("comment on the overall situation"), blank=True)
    comment_batches = models.TextField(_("comment on the batches"), blank=True)
    comment_ranking = models.TextField(_("comment on the ranking"), blank=True)
    comment_lagging = models.TextField(_("comment on the lagging projects"), blank=True)
    comment_problems = models.TextField(_("comment on the open problems"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("drafted"), auto_now_add=True)
    refreshed_at = models.DateTimeField(_("figures taken"), null=True, blank=True)
    data_sha256 = models.CharField(_("fingerprint of the figures"), max_length=64, blank=True)
    version = models.PositiveIntegerField(default=1)
    docx = models.FileField(_("Word document"), upload_to=file_path, blank=True, max_length=200)
    pdf = models.FileField(_("PDF"), upload_to=file_path, blank=True, max_length=200)
    docx_sha256 = models.CharField(max_length=64, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    files_fingerprint = models.CharField(max_length=64, blank=True)
    files_made_at = models.DateTimeField(_("files made"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = BulletinQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-month", "-number"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "year", "number"],
                name="bulletin_number_unique_in_year",
                violation_error_message=_("Another bulletin of the year has this issue number."),
            ),
            models.UniqueConstraint(
                fields=["jurisdiction", "year", "month"],
                name="bulletin_one_per_month",
                violation_error_message=_("There is a bulletin for this month already."),
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="bulletin_month_valid"
            ),
            # A published bulletin is archived: its time of publication and both files.
            models.CheckConstraint(
                condition=Q(status=BulletinStatus.DRAFT)
                | (
                    Q(published_at__isnull=False)
                    & ~Q(docx="")
                    & ~Q(pdf="")
                    & ~Q(docx_sha256="")
                    & ~Q(pdf_sha256="")
                ),
                name="bulletin_published_is_archived",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number_label} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("bulletins:detail", args=[self.pk])

    @property
    def number_label(self) -> str:
        return str(_("No. %(number)s") % {"number": self.number})

    @property
    def is_published(self) -> bool:
        return self.status == BulletinStatus.PUBLISHED

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refuse any change to a row that is published in the database, whatever path the
        change takes; publishing itself is the last save a bulletin gets."""
        if self.pk is not None and _stored_status(self.pk) == BulletinStatus.PUBLISHED:
            raise published_refusal()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.pk is not None and _stored_status(self.pk) == BulletinStatus.PUBLISHED:
            raise published_refusal()
        return super().delete(*args, **kwargs)

    def file_of(self, kind: str) -> Any:
        return self.docx if kind == FileKind.DOCX else self.pdf

    def sha256_of(self, kind: str) -> str:
        return self.docx_sha256 if kind == FileKind.DOCX else self.pdf_sha256

    def file_intact(self, kind: str) -> bool:
        """Whether the stored file still has the fingerprint recorded when it was made."""
        stored = self.file_of(kind)
        if not stored:
            return False
        digest = hashlib.sha256()
        try:
            with stored.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 16), b""):
                    digest.update(chunk)
        except OSError:
            return False
        return digest.hexdigest() == self.sha256_of(kind)


def _stored_status(pk: int) -> str | None:
    return Bulletin.objects.filter(pk=pk).values_list("status", flat=True).first()


class BulletinData(models.Model):
    """The figures and tables a bulletin was drafted from, frozen when taken.

    Kept apart from the audited bulletin so that each edit of the text does not copy them
    into the audit trail; the bulletin records their fingerprint, so the trail still proves
    which figures each version had."""

    bulletin = models.OneToOneField(
        Bulletin, verbose_name=_("bulletin"), on_delete=models.CASCADE, related_name="data"
    )
    content = models.JSONField(_("figures and tables"), encoder=DjangoJSONEncoder)
    taken_at = models.DateTimeField(_("taken"))

    class Meta:
        verbose_name = _("bulletin figures")
        verbose_name_plural = _("bulletin figures")

    def __str__(self) -> str:
        return f"{self.bulletin_id} @ {self.taken_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if _stored_status(self.bulletin_id) == BulletinStatus.PUBLISHED:
            raise published_refusal()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if _stored_status(self.bulletin_id) == BulletinStatus.PUBLISHED:
            raise published_refusal()
        return super().delete(*args, **kwargs)
