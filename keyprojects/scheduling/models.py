"""A project's schedule as stored: the engine's model, one row per activity and relation.

Times are wall-clock times of the site, as in P6 and MS Project files; they are stored as
UTC-labelled values so that they come back exactly as written (see `wall`/`stored`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, overload

from django.db import models
from django.utils.translation import gettext_lazy as _

from keyprojects.audit.signals import AuditedModel, audit
from keyprojects.organisations.models import Unit
from keyprojects.projects.models import Project

from .choices import ActivityKind, ConstraintKind, RelationKind


@overload
def stored(moment: dt.datetime) -> dt.datetime: ...
@overload
def stored(moment: None) -> None: ...
@overload
def stored(moment: dt.datetime | None) -> dt.datetime | None: ...
def stored(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else moment.replace(tzinfo=dt.UTC)


@overload
def wall(moment: dt.datetime) -> dt.datetime: ...
@overload
def wall(moment: None) -> None: ...
@overload
def wall(moment: dt.datetime | None) -> dt.datetime | None: ...
def wall(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else moment.astimezone(dt.UTC).replace(tzinfo=None)


@audit
class ProjectSchedule(AuditedModel):
    """The timetable of one project (路线图和时间表), its deadline fixed first."""

    project = models.OneToOneField(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="schedule"
    )
    name = models.CharField(_("name"), max_length=200)
    data_date = models.DateTimeField(_("data date"))
    start = models.DateTimeField(_("project start"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline (must finish by)"), null=True, blank=True)
    default_calendar = models.CharField(max_length=64, blank=True)
    options = models.JSONField(default=dict)
    wbs = models.JSONField(default=list)
    source = models.CharField(_("source"), max_length=20, blank=True)
    source_name = models.CharField(_("file"), max_length=200, blank=True)
    finish = models.DateTimeField(_("project finish"), null=True, blank=True)
    warnings = models.JSONField(default=list)
    computed_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")

    def __str__(self) -> str:
        return f"{self.project}: {self.name}"


@audit
class ScheduleCalendar(AuditedModel):
    schedule = models.ForeignKey(
        ProjectSchedule, on_delete=models.CASCADE, related_name="calendars"
    )
    key = models.CharField(max_length=64)
    name = models.CharField(_("name"), max_length=200)
    week = models.JSONField(help_text="Seven lists of [start, end] minutes, Monday first.")
    exceptions = models.JSONField(default=dict, help_text="ISO date → list of [start, end].")
    hours_per_day = models.FloatField(default=8.0)
    covered_years = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "key"], name="calendar_key_unique")
        ]

    def __str__(self) -> str:
        return self.name


@audit
class Activity(AuditedModel):
    schedule = models.ForeignKey(
        ProjectSchedule, on_delete=models.CASCADE, related_name="activities"
    )
    key = models.CharField(max_length=64)
    code = models.CharField(_("activity code"), max_length=100)
    name = models.CharField(_("name"), max_length=300, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=ActivityKind.choices)
    calendar_key = models.CharField(max_length=64, blank=True)
    wbs_key = models.CharField(max_length=64, blank=True)
    responsible_unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    original_minutes = models.PositiveIntegerField(_("duration (working minutes)"), default=0)
    remaining_minutes = models.PositiveIntegerField(null=True, blank=True)
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_finish = models.DateTimeField(_("actual finish"), null=True, blank=True)
    constraint = models.CharField(
        _("constraint"), max_length=30, choices=ConstraintKind.choices, blank=True
    )
    constraint_date = models.DateTimeField(_("constraint date"), null=True, blank=True)
    secondary_constraint = models.CharField(
        max_length=30, choices=ConstraintKind.choices, blank=True
    )
    secondary_constraint_date = models.DateTimeField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)  # what a file carried that we keep
    reference = models.JSONField(null=True, blank=True)  # P6's own results, where imported
    position = models.PositiveIntegerField(default=0)
    # Results of the last scheduling run.
    early_start = models.DateTimeField(_("early start"), null=True, blank=True)
    early_finish = models.DateTimeField(_("early finish"), null=True, blank=True)
    late_start = models.DateTimeField(_("late start"), null=True, blank=True)
    late_finish = models.DateTimeField(_("late finish"), null=True, blank=True)
    total_float_minutes = models.IntegerField(null=True, blank=True)
    free_float_minutes = models.IntegerField(null=True, blank=True)
    hours_per_day = models.FloatField(default=8.0)
    critical = models.BooleanField(_("critical"), default=False)
    longest_path = models.BooleanField(default=False)

    class Meta:
        ordering = ["schedule", "position"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "key"], name="activity_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    @property
    def is_milestone(self) -> bool:
        return self.kind in (ActivityKind.START_MILESTONE, ActivityKind.FINISH_MILESTONE)

    @property
    def total_float_days(self) -> float | None:
        if self.total_float_minutes is None:
            return None
        return self.total_float_minutes / (60 * (self.hours_per_day or 8))

    @property
    def duration_days(self) -> float:
        return self.original_minutes / (60 * (self.hours_per_day or 8))

    @property
    def complete(self) -> bool:
        return self.actual_finish is not None


@audit
class Relation(AuditedModel):
    schedule = models.ForeignKey(
        ProjectSchedule, on_delete=models.CASCADE, related_name="relations"
    )
    predecessor = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    successor = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("type"), max_length=2, choices=RelationKind.choices)
    lag_minutes = models.IntegerField(_("lag (working minutes)"), default=0)
    driving = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")

    def __str__(self) -> str:
        return f"{self.predecessor.code} {self.kind} {self.successor.code}"


@audit
class Baseline(AuditedModel):
    """A saved copy of the schedule's dates, to measure slip against."""

    schedule = models.ForeignKey(
        ProjectSchedule, on_delete=models.CASCADE, related_name="baselines"
    )
    name = models.CharField(_("name"), max_length=100)
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)
    data_date = models.DateTimeField(_("data date"))
    dates: Any = models.JSONField(default=dict)  # activity key → [start, finish] (wall, ISO)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")

    def __str__(self) -> str:
        return self.name
