"""Safety, quality and epidemic-control inspections (安全生产、品质、疫情防控检查), the hazards
(隐患) their failed items become, and incidents (事故/事件)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.audit.signals import AuditedModel, audit
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, Unit
from keyprojects.projects.models import Project
from keyprojects.supervision.models import Task
from keyprojects.supervision.sources import register_source

from .choices import (
    AWAITING_RECTIFICATION,
    UNRESOLVED,
    HazardStatus,
    IncidentKind,
    IncidentSeverity,
    InspectionKind,
    InspectionStatus,
    ItemSeverity,
    Outcome,
)

YUAN: dict[str, Any] = {"max_digits": 18, "decimal_places": 2}
READS_ALL = {Role.PROGRAMME_OFFICE, Role.LEADER, Role.AUDITOR}


def ancestor_ids(jurisdiction: Jurisdiction | None) -> list[int]:
    """The jurisdiction and those above it: a district uses its city's templates too."""
    ids: list[int] = []
    node = jurisdiction
    while node is not None:
        ids.append(node.pk)
        node = node.parent
    return ids


class _VisibleQuerySet(models.QuerySet[Any]):
    """Office, leaders and auditors read their jurisdictions; a unit user reads what concerns
    their unit (`_unit_q`)."""

    def _unit_q(self, unit_id: int) -> Q:
        return Q(project__owner_unit_id=unit_id) | Q(project__responsible_unit_id=unit_id)

    def visible_to(self, user: Any) -> Any:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        ids = user.visible_jurisdiction_ids()
        qs = self if ids is None else self.filter(jurisdiction_id__in=ids)
        if user.is_superuser or user.role in READS_ALL:
            return qs
        if user.role == Role.UNIT_USER and user.unit_id:
            return qs.filter(self._unit_q(user.unit_id))
        return qs.none()


# -- checklist templates ----------------------------------------------------------------------


class ChecklistTemplateQuerySet(models.QuerySet["ChecklistTemplate"]):
    def visible_to(self, user: Any) -> ChecklistTemplateQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        ids = user.visible_jurisdiction_ids()
        if ids is None:
            return self
        return self.filter(jurisdiction_id__in=[*ids, *ancestor_ids(user.jurisdiction)])

    def editable_by(self, user: Any) -> ChecklistTemplateQuerySet:
        if not getattr(user, "is_programme_office", False):
            return self.none()
        ids = user.visible_jurisdiction_ids()
        return self if ids is None else self.filter(jurisdiction_id__in=ids)

    def usable_for(self, project: Project) -> ChecklistTemplateQuerySet:
        return self.filter(active=True, jurisdiction_id__in=ancestor_ids(project.jurisdiction))


@audit
class ChecklistTemplate(AuditedModel):
    """A checklist the programme office keeps: what an inspector looks at, item by item."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind.choices)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(
        _("in use"), default=True, help_text=_("Only templates in use can start an inspection.")
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Moves on with every change to the items.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ChecklistTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["jurisdiction", "kind", "name"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "name"], name="checklist_template_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


@audit
class ChecklistItem(AuditedModel):
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("template"), on_delete=models.CASCADE,
        related_name="items",
    )  # fmt: skip
    position = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("item"), max_length=300)
    category = models.CharField(_("category"), max_length=60, blank=True)
    severity = models.CharField(
        _("severity if failed"),
        max_length=10,
        choices=ItemSeverity.choices,
        default=ItemSeverity.GENERAL,
    )
    rectification_days = models.PositiveSmallIntegerField(
        _("days to rectify"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )

    class Meta:
        ordering = ["template", "position", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.text

    @property
    def jurisdiction_id(self) -> int:
        """For the audit trail: an item belongs where its template does."""
        return self.template.jurisdiction_id


# -- inspections ------------------------------------------------------------------------------


class InspectionQuerySet(_VisibleQuerySet):
    def _unit_q(self, unit_id: int) -> Q:
        return super()._unit_q(unit_id) | Q(inspecting_unit_id=unit_id)


@audit
class Inspection(AuditedModel):
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="inspections"
    )
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("checklist"), on_delete=models.PROTECT,
        related_name="inspections",
    )  # fmt: skip
    template_version = models.PositiveIntegerField(_("checklist version"))
    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind.choices)
    date = models.DateField(_("date"))
    inspectors = models.CharField(
        _("inspectors"), max_length=200, help_text=_("The names of those who inspected.")
    )
    inspecting_unit = models.ForeignKey(
        Unit, verbose_name=_("inspecting unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    note = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=InspectionStatus.choices,
        default=InspectionStatus.DRAFT,
    )  # fmt: skip
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("completed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [
            models.Index(fields=["jurisdiction", "date"], name="inspection_jur_date_idx"),
            models.Index(fields=["project", "date"], name="inspection_project_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_kind_display()} · {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == InspectionStatus.DRAFT


def photo_path(instance: Any, filename: str) -> str:
    """Random names: media files are served to whoever signs in and guesses nothing."""
    stamp = timezone.now()
    suffix = "-thumb" if "thumb" in filename else ""
    return f"inspections/{stamp:%Y/%m}/{uuid.uuid4().hex}{suffix}.jpg"


@audit
class InspectionResult(AuditedModel):
    """One checklist item as found. The item's words are copied in, so a later edit of the
    template never changes what an inspection recorded."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="results"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("checklist item"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    position = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("item"), max_length=300)
    category = models.CharField(_("category"), max_length=60, blank=True)
    severity = models.CharField(
        _("severity if failed"), max_length=10, choices=ItemSeverity.choices
    )
    rectification_days = models.PositiveSmallIntegerField(_("days to rectify"))
    outcome = models.CharField(_("result"), max_length=4, choices=Outcome.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    photo = models.ImageField(_("photo"), upload_to=photo_path, blank=True, max_length=200)
    thumbnail = models.ImageField(upload_to=photo_path, blank=True, max_length=200)
    deadline = models.DateField(
        _("rectification deadline"), null=True, blank=True,
        help_text=_("Leave empty for the checklist's usual number of days."),
    )  # fmt: skip
    responsible_unit = models.ForeignKey(
        Unit, verbose_name=_("responsible unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("Leave empty for the project's owner unit."),
    )  # fmt: skip

    class Meta:
        ordering = ["inspection", "position"]
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "position"], name="inspection_result_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"

    @property
    def jurisdiction_id(self) -> int:
        """For the audit trail: a result belongs where its inspection does."""
        return self.inspection.jurisdiction_id

    def default_deadline(self, inspection_date: dt.date) -> dt.date:
        return inspection_date + dt.timedelta(days=self.rectification_days)


# -- hazards ----------------------------------------------------------------------------------


class HazardQuerySet(_VisibleQuerySet):
    def _unit_q(self, unit_id: int) -> Q:
        return (
            super()._unit_q(unit_id)
            | Q(responsible_unit_id=unit_id)
            | Q(inspection__inspecting_unit_id=unit_id)
        )

    def awaiting(self) -> HazardQuerySet:
        return self.filter(status__in=AWAITING_RECTIFICATION)

    def unresolved(self) -> HazardQuerySet:
        return self.filter(status__in=UNRESOLVED)

    def overdue(self, today: dt.date | None = None) -> HazardQuerySet:
        """Not rectified and past the deadline. One whose rectification waits for acceptance
        is no longer late on the responsible unit's side."""
        return self.awaiting().filter(deadline__lt=today or timezone.localdate())


@register_source
@audit
class Hazard(AuditedModel):
    """隐患: a failed item, to be rectified by a deadline and closed only with evidence. Its
    rectification is a supervised task; the status follows the task's."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="hazards"
    )
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="hazards"
    )
    result = models.OneToOneField(
        InspectionResult, verbose_name=_("finding"), on_delete=models.CASCADE,
        related_name="hazard",
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind.choices)
    description = models.CharField(_("hazard"), max_length=800)
    category = models.CharField(_("category"), max_length=60, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=ItemSeverity.choices)
    deadline = models.DateField(_("rectification deadline"))
    responsible_unit = models.ForeignKey(
        Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=HazardStatus.choices, default=HazardStatus.OPEN
    )
    task = models.OneToOneField(
        Task, verbose_name=_("task"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    rectified_at = models.DateTimeField(_("rectified"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("found"), default=timezone.now)

    objects = HazardQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        indexes = [
            models.Index(
                fields=["jurisdiction", "status", "deadline"], name="hazard_jur_status_idx"
            ),
            models.Index(fields=["responsible_unit", "status"], name="hazard_unit_status_idx"),
            models.Index(fields=["project", "status"], name="hazard_project_status_idx"),
        ]

    def __str__(self) -> str:
        return self.description[:120]

    def get_absolute_url(self) -> str:
        return reverse("inspections:hazard", args=[self.pk])

    @property
    def is_awaiting(self) -> bool:
        return self.status in AWAITING_RECTIFICATION

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_awaiting and self.deadline < (today or timezone.localdate())

    def days_overdue(self, today: dt.date | None = None) -> int:
        return max(0, ((today or timezone.localdate()) - self.deadline).days)


# -- incidents --------------------------------------------------------------------------------


class IncidentQuerySet(_VisibleQuerySet):
    pass


@audit
class Incident(AuditedModel):
    """事故/事件 on a project's site, graded by the national classification."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="incidents"
    )
    occurred_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    severity = models.CharField(_("grade"), max_length=20, choices=IncidentSeverity.choices)
    deaths = models.PositiveIntegerField(_("deaths"), default=0)
    serious_injuries = models.PositiveIntegerField(
        _("serious injuries"), default=0, help_text=_("Including acute industrial poisoning.")
    )
    direct_loss = models.DecimalField(
        _("direct economic loss (yuan)"), default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))], **YUAN,
    )  # fmt: skip
    description = models.TextField(_("what happened"))
    measures = models.TextField(_("measures taken"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(fields=["jurisdiction", "occurred_on"], name="incident_jur_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(direct_loss__gte=0), name="incident_loss_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_kind_display()} · {self.occurred_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:incident", args=[self.pk])
