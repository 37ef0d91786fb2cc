"""Monthly reports (月报) and the time-proportional lights (序时进度) derived from them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from keyprojects.audit.signals import AuditedModel, audit
from keyprojects.projects.choices import Light
from keyprojects.projects.models import YUAN, Project

from .choices import ReportEvent, ReportStatus


@audit
class MonthlyReport(AuditedModel):
    """What an owner unit reports for one project and month; entered once, used everywhere."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    investment = models.DecimalField(_("investment completed this month (yuan)"), **YUAN)
    progress_percent = models.DecimalField(
        _("physical progress (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    progress_text = models.TextField(_("physical progress"), blank=True)
    managers = models.PositiveIntegerField(_("managers on site"), default=0)
    workers = models.PositiveIntegerField(_("workers on site"), default=0)
    milestones = models.TextField(_("milestones reached"), blank=True)
    problems = models.TextField(_("problems met"), blank=True)
    next_month = models.TextField(_("plan for next month"), blank=True)
    unusual_reason = models.TextField(
        _("reason for an unusual amount"),
        blank=True,
        help_text=_("Required when the amount is negative or passes the total investment."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["project", "-year", "-month"]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "month"], name="report_unique_month"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="report_month_valid"
            ),
        ]
        indexes = [models.Index(fields=["year", "month", "status"], name="report_period_idx")]

    def __str__(self) -> str:
        return f"{self.project} {self.year}-{self.month:02d}"


class ReportRevision(models.Model):
    """Every state a report went through: nothing earlier is lost when it is returned."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    event = models.CharField(max_length=10, choices=ReportEvent.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True)
    values = models.JSONField()

    class Meta:
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="revision_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.report} #{self.number} {self.event}"


class MonthlyLight(models.Model):
    """A project's 序时进度 light for one month, kept as history."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="lights"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    annual_target = models.DecimalField(_("annual plan (yuan)"), **YUAN)
    ytd_completed = models.DecimalField(_("completed this year (yuan)"), **YUAN)
    expected_share = models.DecimalField(_("expected share (%)"), max_digits=6, decimal_places=2)
    actual_share = models.DecimalField(_("actual share (%)"), max_digits=16, decimal_places=2)
    gap_points = models.DecimalField(_("gap (points)"), max_digits=16, decimal_places=2)
    light = models.CharField(_("light"), max_length=10, choices=Light.choices)
    computed_at = models.DateTimeField(_("computed"), auto_now=True)

    class Meta:
        ordering = ["project", "year", "month"]
        verbose_name = _("monthly light")
        verbose_name_plural = _("monthly lights")
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "month"], name="light_unique_month")
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.year}-{self.month:02d} {self.light}"


class ReportPhoto(models.Model):
    """A photo of the site attached to a monthly report, as re-encoded on upload."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="photos/%Y/%m/")
    thumbnail = models.ImageField(upload_to="photos/%Y/%m/thumbs/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    outside_month = models.BooleanField(_("taken outside the reported month"), default=False)
    far_from_site = models.BooleanField(_("taken far from the site"), default=False)
    distance_km = models.FloatField(null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "uploaded_at"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption or f"{self.report} photo"

    @property
    def needs_review(self) -> bool:
        return self.outside_month or self.far_from_site
