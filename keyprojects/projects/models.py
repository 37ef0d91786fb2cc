from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from keyprojects.audit.signals import AuditedModel, audit
from keyprojects.organisations.models import Jurisdiction, Unit

from .choices import Batch, Industry, Level, Light, Milestone, Stage
from .querysets import ProjectQuerySet

# 项目代码: year, division, industry, type and serial, e.g. 2022-500103-78-01-123456.
PROJECT_CODE_RE = re.compile(r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$")
YUAN: dict[str, Any] = {"max_digits": 18, "decimal_places": 2}


def validate_project_code(value: str) -> None:
    if not PROJECT_CODE_RE.match(value):
        raise ValidationError(
            _(
                "A national project code has 24 characters in the form "
                "YYYY-XXXXXX-XX-XX-XXXXXX, e.g. 2022-500103-78-01-123456."
            ),
            code="project_code",
        )


@audit
class Project(AuditedModel):
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(
        _("project code"),
        max_length=24,
        null=True,
        blank=True,
        unique=True,
        error_messages={"unique": _("Another project already has this code.")},
        validators=[validate_project_code],
        help_text=_("National 24-character code; optional for reserve projects."),
    )
    name = models.CharField(_("project name"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices)
    site = models.CharField(_("site"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    scale_and_content = models.TextField(_("scale and main content"), blank=True)
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="owned_projects"
    )
    responsible_unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="answered_projects",
    )
    responsible_person = models.CharField(_("person responsible"), max_length=100, blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    leader_in_charge = models.CharField(_("leader in charge"), max_length=100, blank=True)
    start_year = models.PositiveSmallIntegerField(
        _("first construction year"), null=True, blank=True
    )
    end_year = models.PositiveSmallIntegerField(_("last construction year"), null=True, blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_completion = models.DateField(_("planned completion"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_completion = models.DateField(_("actual completion"), null=True, blank=True)
    total_investment = models.DecimalField(
        _("total investment (yuan)"), validators=[MinValueValidator(Decimal(0))], **YUAN
    )
    funding_sources = models.CharField(_("funding sources"), max_length=200, blank=True)
    progress_percent = models.DecimalField(
        _("physical progress (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    progress_text = models.TextField(_("physical progress"), blank=True)
    preliminary_progress = models.TextField(_("preliminary procedures"), blank=True)
    problems_text = models.TextField(_("problems"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    light = models.CharField(_("light"), max_length=10, choices=Light.choices, blank=True)
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.RESERVE
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_investment__gte=0), name="project_investment_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["jurisdiction", "stage"], name="project_jur_stage_idx"),
            models.Index(fields=["name"], name="project_name_idx"),
            models.Index(fields=["planned_start"], name="project_planned_start_idx"),
            models.Index(fields=["total_investment"], name="project_investment_idx"),
            # The ledger's "largest first", with its tie-break by id.
            models.Index(fields=["-total_investment", "id"], name="project_investment_desc_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}

        def check(field: str, message: str, ok: bool) -> None:
            if not ok:
                errors.setdefault(field, []).append(message)

        if self.planned_start and self.planned_completion:
            check(
                "planned_completion",
                str(_("The planned completion must not be before the planned start.")),
                self.planned_completion >= self.planned_start,
            )
        if self.actual_start and self.actual_completion:
            check(
                "actual_completion",
                str(_("The actual completion must not be before the actual start.")),
                self.actual_completion >= self.actual_start,
            )
        if self.start_year and self.end_year:
            check(
                "end_year",
                str(_("The last construction year must not be before the first.")),
                self.end_year >= self.start_year,
            )
        if self.owner_unit_id and self.jurisdiction_id:
            owner = self.owner_unit
            check(
                "owner_unit",
                str(_("The owner unit belongs to another jurisdiction.")),
                owner.jurisdiction_id in _jurisdiction_and_parents(self.jurisdiction),
            )
        if errors:
            raise ValidationError(errors)

    def batch(self, year: int) -> str | None:
        return derive_batch(
            stage=self.stage,
            start=self.actual_start or self.planned_start,
            completion=self.actual_completion or self.planned_completion,
            year=year,
        )


def _jurisdiction_and_parents(jurisdiction: Jurisdiction) -> set[int]:
    ids: set[int] = set()
    node: Jurisdiction | None = jurisdiction
    while node is not None:
        ids.add(node.pk)
        node = node.parent
    return ids


def derive_batch(*, stage: str, start: object, completion: object, year: int) -> str | None:
    """The annual batch in `year`; None when the project is not in that year's programme.

    A project that starts in the year is a new start even if it also completes in it.
    Mirrors `ProjectQuerySet.with_batch`, which computes the same in SQL.
    """
    start_year = getattr(start, "year", None)
    end_year = getattr(completion, "year", None)
    if stage == Stage.CANCELLED:
        return None
    if stage == Stage.RESERVE:
        return Batch.RESERVE
    if start_year == year:
        return Batch.NEW_START
    if stage in (Stage.COMPLETED, Stage.OPERATING):
        return Batch.COMPLETED if end_year == year else None
    if stage == Stage.CONSTRUCTION:
        return Batch.COMPLETED if end_year == year else Batch.CONTINUING
    # Preliminary work: a start date already passed carries it into this year's new starts.
    if start_year is not None and start_year < year:
        return Batch.NEW_START
    return Batch.RESERVE


@audit
class AnnualPlan(AuditedModel):
    """A project's target for one year, and the year's reported figures where imported."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="annual_plans"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    investment_target = models.DecimalField(
        _("annual investment target (yuan)"),
        validators=[MinValueValidator(Decimal(0))],
        default=Decimal(0),
        **YUAN,
    )
    milestone = models.CharField(
        _("target milestone"), max_length=20, choices=Milestone.choices, blank=True
    )
    milestone_quarter = models.PositiveSmallIntegerField(
        _("by quarter"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    milestone_note = models.CharField(_("milestone note"), max_length=200, blank=True)
    month_completed = models.DecimalField(
        _("completed this month (yuan)"), null=True, blank=True, **YUAN
    )
    ytd_completed = models.DecimalField(
        _("completed this year (yuan)"), null=True, blank=True, **YUAN
    )
    since_start_completed = models.DecimalField(
        _("completed since start (yuan)"), null=True, blank=True, **YUAN
    )
    figures_as_of = models.DateField(_("figures as of"), null=True, blank=True)
    monthly_curve = models.JSONField(
        _("monthly plan curve"),
        null=True,
        blank=True,
        help_text=_("Twelve cumulative percentages; empty means an even pace (m/12)."),
    )

    class Meta:
        ordering = ["project", "year"]
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="annual_plan_unique_year"),
            models.CheckConstraint(
                condition=models.Q(investment_target__gte=0), name="annual_plan_target_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.year}"

    def clean(self) -> None:
        if self.monthly_curve:
            from keyprojects.progress.pace import check_curve

            problems = check_curve(self.monthly_curve)
            if problems:
                raise ValidationError({"monthly_curve": problems})


class StageChange(models.Model):
    """One step of a project's lifecycle, with the reason given for it."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("time"))
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["project", "at"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.project}: {self.from_stage} → {self.to_stage}"
