"""问题诉求: a problem or demand an owner unit raises against a project, and its answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.audit.signals import AuditedModel, audit
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, Unit
from keyprojects.projects.models import Project
from keyprojects.supervision.choices import TaskStatus
from keyprojects.supervision.models import Task
from keyprojects.supervision.sources import register_source

from .choices import OPEN_STATUSES, Category, EventKind, ProblemStatus, Severity


def tasks_for_problems() -> Any:
    """Tasks made by problems (assignments), as a queryset to filter further."""
    return Task.objects.filter(source_type=ContentType.objects.get_for_model(Problem))


class ProblemQuerySet(models.QuerySet["Problem"]):
    def visible_to(self, user: Any) -> ProblemQuerySet:
        """Office, leaders and auditors read every problem of their jurisdictions. A unit user
        reads those their unit raised, was assigned, or that concern a project their unit
        owns or answers for, and any problem one of theirs was merged into."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        ids = user.visible_jurisdiction_ids()
        qs = self if ids is None else self.filter(jurisdiction_id__in=ids)
        if user.is_superuser or user.role in {Role.PROGRAMME_OFFICE, Role.LEADER, Role.AUDITOR}:
            return qs
        if user.role == Role.UNIT_USER and user.unit_id:
            unit = user.unit_id
            assigned = tasks_for_problems().filter(source_id=OuterRef("pk"), owner_unit_id=unit)
            merged_from = Problem.objects.filter(
                merged_into_id=OuterRef("pk"), raised_by_unit_id=unit
            )
            return qs.filter(
                Q(raised_by_unit_id=unit)
                | Q(project__owner_unit_id=unit)
                | Q(project__responsible_unit_id=unit)
                | Exists(assigned)
                | Exists(merged_from)
            )
        return qs.none()

    def open(self) -> ProblemQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: dt.date | None = None) -> ProblemQuerySet:
        """Assigned and past the deadline: the units have not delivered in time."""
        return self.filter(
            status=ProblemStatus.ASSIGNED, deadline__lt=today or timezone.localdate()
        )

    def assigned_to(self, unit_id: int) -> ProblemQuerySet:
        return self.filter(
            Exists(
                tasks_for_problems()
                .filter(source_id=OuterRef("pk"), owner_unit_id=unit_id)
                .exclude(status=TaskStatus.CANCELLED)
            )
        )


def attachment_path(instance: Any, filename: str) -> str:
    stamp = timezone.now()
    return f"problems/{stamp:%Y/%m}/{filename}"


@register_source
@audit
class Problem(AuditedModel):
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="problems"
    )
    raised_by_unit = models.ForeignKey(
        Unit,
        verbose_name=_("raised by unit"),
        on_delete=models.PROTECT,
        related_name="raised_problems",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="raised_problems",
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    severity = models.CharField(
        _("severity"), max_length=12, choices=Severity.choices, default=Severity.GENERAL
    )
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    need = models.TextField(_("what is needed"))
    needed_from_unit = models.ForeignKey(
        Unit,
        verbose_name=_("needed from (unit)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    needed_from = models.CharField(
        _("needed from"),
        max_length=200,
        blank=True,
        help_text=_("A body outside the system, e.g. a city department or the power company."),
    )
    attachment = models.FileField(
        _("attachment"), upload_to=attachment_path, blank=True, max_length=300
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ProblemStatus.choices, default=ProblemStatus.RAISED
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
    )
    rating = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.TextField(_("comment on the resolution"), blank=True)
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    triaged_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    version = models.PositiveIntegerField(default=1)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("problem or demand")
        verbose_name_plural = _("problems and demands")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="problem_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="problem_not_merged_into_itself"
            ),
        ]
        indexes = [
            models.Index(
                fields=["jurisdiction", "status", "deadline"], name="problem_jur_status_idx"
            ),
            models.Index(fields=["raised_by_unit", "status"], name="problem_raiser_idx"),
            models.Index(fields=["project", "status"], name="problem_project_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("problems:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return (
            self.status == ProblemStatus.ASSIGNED
            and self.deadline is not None
            and self.deadline < (today or timezone.localdate())
        )

    def days_overdue(self, today: dt.date | None = None) -> int:
        if not self.is_overdue(today) or self.deadline is None:
            return 0
        return ((today or timezone.localdate()) - self.deadline).days

    @property
    def recorded_by_office(self) -> bool:
        raiser = self.raised_by
        return raiser is not None and raiser.role == Role.PROGRAMME_OFFICE


def response_path(instance: ProblemResponse, filename: str) -> str:
    stamp = timezone.now()
    return f"problems/{stamp:%Y/%m}/p{instance.problem_id}-{filename}"


@audit
class ProblemResponse(AuditedModel):
    """One answer from a responsible unit. Each is its own row, so two units answering at the
    same moment both keep theirs."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="responses"
    )
    task = models.ForeignKey(
        Task,
        verbose_name=_("assignment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problem_responses",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("response"))
    reports_done = models.BooleanField(_("reports the unit's part done"), default=False)
    file = models.FileField(_("file"), upload_to=response_path, blank=True, max_length=300)
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to=response_path, blank=True, max_length=300
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [models.Index(fields=["task", "at"], name="problem_response_task_idx")]

    def __str__(self) -> str:
        return f"{self.unit}: {self.text[:40]}"


class ProblemEvent(models.Model):
    """One line of a problem's timeline, in words a reader follows. The audit trail keeps
    the records' own before and after."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("text"), blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("problem event")
        verbose_name_plural = _("problem events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"
