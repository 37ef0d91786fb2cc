"""预警: rules that watch the programme for trouble, and the alerts they raise."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.audit.signals import AuditedModel
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, Unit
from keyprojects.projects.models import Project
from keyprojects.supervision.models import Task
from keyprojects.supervision.sources import register_source

from .choices import (
    ACTIVE_STATUSES,
    SEVERITY_RANK,
    AlertKind,
    AlertStatus,
    EventKind,
    Owner,
    Severity,
)


class AlertRule(AuditedModel):
    """How one jurisdiction watches for one kind of condition: on or off, its thresholds,
    who answers for what it finds, and whether that becomes a supervised task."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    enabled = models.BooleanField(_("on"), default=True)
    params = models.JSONField(_("thresholds"), default=dict)
    owner = models.CharField(
        _("answered for by"), max_length=20, choices=Owner.choices, default=Owner.OWNER_UNIT
    )
    creates_task = models.BooleanField(_("makes a supervised task"), default=False)
    task_severity = models.CharField(
        _("task from"), max_length=10, choices=Severity.choices, default=Severity.RED
    )
    task_deadline_days = models.PositiveSmallIntegerField(_("task deadline (days)"), default=15)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["jurisdiction", "kind"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "kind"], name="alert_rule_one_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction}: {self.get_kind_display()}"

    def clean(self) -> None:
        from .params import SPECS, check_params, check_rule

        errors: dict[str, list[str]] = {}
        problems = check_params(self.kind, self.params)
        if problems:
            labels = {p.name: str(p.label) for p in SPECS.get(self.kind, ())}
            errors["params"] = [
                f"{labels.get(name, name)}: {message}" if name else message
                for name, messages in problems.items()
                for message in messages
            ]
        errors.update(
            check_rule(
                kind=self.kind,
                creates_task=self.creates_task,
                owner=self.owner,
                task_severity=self.task_severity,
                task_deadline_days=self.task_deadline_days,
            )
        )
        if errors:
            raise ValidationError(errors)

    def makes_task_for(self, severity: str) -> bool:
        return self.creates_task and SEVERITY_RANK[severity] >= SEVERITY_RANK[self.task_severity]


# Red alerts before yellow ones.
RED_FIRST = models.Case(
    models.When(severity=Severity.RED, then=models.Value(0)),
    default=models.Value(1),
    output_field=models.IntegerField(),
)


class AlertQuerySet(models.QuerySet["Alert"]):
    def visible_to(self, user: Any) -> AlertQuerySet:
        """Office, leaders and auditors read every alert of their jurisdictions; a unit user
        reads those their unit answers for and those about projects their unit owns or
        answers for."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        ids = user.visible_jurisdiction_ids()
        qs = self if ids is None else self.filter(jurisdiction_id__in=ids)
        if user.is_superuser or user.role in {Role.PROGRAMME_OFFICE, Role.LEADER, Role.AUDITOR}:
            return qs
        if user.role == Role.UNIT_USER and user.unit_id:
            return qs.filter(
                Q(owner_unit_id=user.unit_id)
                | Q(project__owner_unit_id=user.unit_id)
                | Q(project__responsible_unit_id=user.unit_id)
            )
        return qs.none()

    def active(self) -> AlertQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)


@register_source
class Alert(AuditedModel):
    """One condition found by a rule, about one thing (its subject), from when it was found
    until it clears or the office resolves it. When it clears and comes back later, that is a
    new alert: the history stays.

    What the rules do to an alert (open it, turn it red, resolve it when the condition
    clears) is computed, like a light, and told by its events rather than the audit trail;
    what people do to it (acknowledge, resolve, switch its rule off) is audited as well."""

    # The foreign keys are indexed by the composite indexes below (or, for the people and the
    # task, looked up rarely): one index fewer for each of the many rows a night may write.
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    rule = models.ForeignKey(
        AlertRule,
        verbose_name=_("rule"),
        on_delete=models.PROTECT,
        related_name="alerts",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
        db_index=False,
    )
    subject = models.CharField(_("about"), max_length=100)
    label = models.CharField(_("about"), max_length=300, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    owner_unit = models.ForeignKey(
        Unit,
        verbose_name=_("answered for by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
        db_index=False,
    )
    params = models.JSONField(_("figures"), default=dict)
    status = models.CharField(
        _("status"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    # Followed by the rules: every open alert, and one the office resolved while its
    # condition still holds (so that it does not fire again until the condition clears).
    tracked = models.BooleanField(default=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    resolved_by_itself = models.BooleanField(_("resolved by itself"), default=False)
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    version = models.PositiveIntegerField(default=1)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            # Evaluating again finds the tracked alert rather than opening a second one.
            models.UniqueConstraint(
                fields=["rule", "subject"],
                condition=Q(tracked=True),
                name="alert_one_tracked_per_subject",
            ),
            models.CheckConstraint(
                condition=~Q(status=AlertStatus.RESOLVED) | Q(resolved_at__isnull=False),
                name="alert_resolved_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["jurisdiction", "status", "kind"], name="alert_jur_status_idx"),
            models.Index(fields=["project", "status"], name="alert_project_status_idx"),
            models.Index(fields=["owner_unit", "status"], name="alert_unit_status_idx"),
            models.Index(fields=["rule", "subject"], name="alert_rule_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label or self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("alerts:detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def message(self, today: dt.date | None = None) -> str:
        """What was found, with its figures, in the reader's language."""
        from .messages import describe

        return describe(self.kind, self.params, self.label, today or timezone.localdate())


class AlertEvent(models.Model):
    """One line of an alert's history: found, turned red, acknowledged, resolved."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    params = models.JSONField(_("figures"), default=dict)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")

    def __str__(self) -> str:
        return f"{self.alert_id} {self.kind}"
