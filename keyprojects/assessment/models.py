"""考核: indicator sets, assessment periods and the scores frozen when a period is closed."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from keyprojects.audit.signals import AuditedModel
from keyprojects.organisations.models import Jurisdiction, Unit
from keyprojects.projects.models import Project

from .choices import (
    Board,
    EventKind,
    IndicatorKind,
    PeriodKind,
    PeriodStatus,
    SubjectKind,
    UnitBasis,
)


class _JurisdictionQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: Any) -> Any:
        """Everyone reads the assessment of the jurisdictions they see: rankings are
        published in the bulletins, and the rules they are made by should be known."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        ids = user.visible_jurisdiction_ids()
        return self if ids is None else self.filter(jurisdiction_id__in=ids)

    def managed_by(self, user: Any) -> Any:
        """What the programme office may change: its own jurisdictions' records."""
        if not getattr(user, "is_programme_office", False):
            return self.none()
        return self.visible_to(user)


class IndicatorSetQuerySet(_JurisdictionQuerySet):
    pass


class PeriodQuerySet(_JurisdictionQuerySet):
    pass


class IndicatorSet(AuditedModel):
    """The indicators and weights a jurisdiction scores its units and projects by."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(
        _("in use"), default=True, help_text=_("New periods use the set in use.")
    )
    unit_basis = models.CharField(
        _("units answer for"),
        max_length=20,
        choices=UnitBasis.choices,
        default=UnitBasis.BY_KIND,
    )
    red_list_size = models.PositiveSmallIntegerField(
        _("red list (红榜) size"), default=3, validators=[MaxValueValidator(50)]
    )
    black_list_size = models.PositiveSmallIntegerField(
        _("black list (黑榜) size"),
        default=3,
        validators=[MaxValueValidator(50)],
        help_text=_("The lowest ranks; 0 to list by the threshold only."),
    )
    black_below = models.DecimalField(
        _("black list below"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("Also list every unit whose total is below this; empty for none."),
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = IndicatorSetQuerySet.as_manager()

    class Meta:
        ordering = ["jurisdiction", "-active", "name"]
        verbose_name = _("indicator set")
        verbose_name_plural = _("indicator sets")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "name"], name="indicator_set_name_unique"
            ),
            models.UniqueConstraint(
                fields=["jurisdiction"],
                condition=Q(active=True),
                name="indicator_set_one_active",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assessment:set", args=[self.pk])


class Indicator(AuditedModel):
    indicator_set = models.ForeignKey(
        IndicatorSet,
        verbose_name=_("indicator set"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("indicator"), max_length=30, choices=IndicatorKind.choices)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
    )
    params = models.JSONField(_("parameters"), default=dict)

    class Meta:
        ordering = ["indicator_set", "position", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "kind"], name="indicator_kind_once"),
            models.CheckConstraint(
                condition=Q(weight__gt=0, weight__lte=100), name="indicator_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.weight}"

    @property
    def jurisdiction_id(self) -> int:  # for the audit trail
        return self.indicator_set.jurisdiction_id


class Period(AuditedModel):
    """A month, quarter or year of assessment. Open, its scores are worked out live from the
    current data and are provisional; closed, it serves the scores stored at closing."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    number = models.PositiveSmallIntegerField(
        _("number"),
        default=0,
        help_text=_("The month (1–12) or quarter (1–4); 0 for a year."),
    )
    indicator_set = models.ForeignKey(
        IndicatorSet,
        verbose_name=_("indicator set"),
        on_delete=models.PROTECT,
        related_name="periods",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )
    # At closing: the indicators, weights and settings the scores were worked out with, so a
    # later change to the set never changes a closed period.
    rules = models.JSONField(_("rules applied"), null=True, blank=True)
    edition = models.PositiveSmallIntegerField(
        _("closings"), default=0, help_text=_("How many times the period was closed.")
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    evaluated_on = models.DateField(_("data as of"), null=True, blank=True)
    results_digest = models.CharField(_("results fingerprint"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["jurisdiction", "-year", "kind", "-number"]
        verbose_name = _("assessment period")
        verbose_name_plural = _("assessment periods")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "kind", "year", "number"], name="period_unique"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=PeriodKind.MONTH, number__gte=1, number__lte=12)
                    | Q(kind=PeriodKind.QUARTER, number__gte=1, number__lte=4)
                    | Q(kind=PeriodKind.YEAR, number=0)
                ),
                name="period_number_fits_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("assessment:period", args=[self.pk])

    @property
    def label(self) -> str:
        return period_label(self.kind, self.year, self.number)

    @property
    def start(self) -> dt.date:
        return period_bounds(self.kind, self.year, self.number)[0]

    @property
    def end(self) -> dt.date:
        return period_bounds(self.kind, self.year, self.number)[1]

    @property
    def months(self) -> list[int]:
        first, last = self.start.month, self.end.month
        return list(range(first, last + 1))

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED


def period_bounds(kind: str, year: int, number: int) -> tuple[dt.date, dt.date]:
    if kind == PeriodKind.MONTH:
        first, last = number, number
    elif kind == PeriodKind.QUARTER:
        first, last = 3 * number - 2, 3 * number
    else:
        first, last = 1, 12
    return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])


def period_label(kind: str, year: int, number: int) -> str:
    if kind == PeriodKind.MONTH:
        return gettext("%(year)s, month %(number)s") % {"year": year, "number": number}
    if kind == PeriodKind.QUARTER:
        return gettext("%(year)s, quarter %(number)s") % {"year": year, "number": number}
    return gettext("Year %(year)s") % {"year": year}


class PeriodEvent(models.Model):
    """The period's timeline: opened, closed, reopened (with the reason)."""

    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    edition = models.PositiveSmallIntegerField(_("closing"), default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    # A closing keeps the rules it applied and the fingerprint of its results, so that an
    # earlier closing's scores can still be read and checked after a reopening.
    rules = models.JSONField(_("rules applied"), null=True, blank=True)
    digest = models.CharField(_("results fingerprint"), max_length=64, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["period", "at", "id"]
        verbose_name = _("period event")
        verbose_name_plural = _("period events")

    def __str__(self) -> str:
        return f"{self.period}: {self.get_kind_display()}"


class Score(models.Model):
    """One subject's frozen result for one closing of a period. Never changed once written;
    the period's audited fingerprint covers every row, so an altered score shows."""

    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="scores"
    )
    edition = models.PositiveSmallIntegerField(_("closing"))
    subject_kind = models.CharField(_("subject"), max_length=10, choices=SubjectKind.choices)
    # Kept, not cascaded: deleting a unit or project later must not change a closed period.
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    name = models.CharField(_("name"), max_length=200)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=2, null=True, blank=True)
    points_sum = models.DecimalField(_("points"), max_digits=7, decimal_places=2)
    weight_counted = models.DecimalField(_("weight counted"), max_digits=5, decimal_places=2)
    board = models.CharField(_("list"), max_length=10, choices=Board.choices, blank=True)
    points = models.JSONField(_("points by indicator"), default=dict)
    lines = models.JSONField(_("arithmetic"), default=list)
    projects = models.JSONField(_("projects"), default=list)

    class Meta:
        ordering = ["period", "edition", "subject_kind", "rank", "name"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "edition", "subject_kind", "subject_id"],
                name="score_one_per_subject",
            )
        ]
        indexes = [
            models.Index(
                fields=["period", "edition", "subject_kind", "rank"], name="score_rank_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.name} {self.total}"
