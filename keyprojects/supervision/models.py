"""督办事项: one kind of record for every action item, whatever made it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.audit.signals import AuditedModel
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, Unit
from keyprojects.projects.models import Project

from .choices import OPEN_STATUSES, SourceKind, TaskStatus, UpdateKind


class TaskQuerySet(models.QuerySet["Task"]):
    def visible_to(self, user: Any) -> TaskQuerySet:
        """Office, leaders and auditors read every task of their jurisdictions; a unit user
        reads the tasks their unit owns and those about the projects their unit answers for."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        ids = user.visible_jurisdiction_ids()
        qs = self if ids is None else self.filter(jurisdiction_id__in=ids)
        if user.is_superuser or user.role in {Role.PROGRAMME_OFFICE, Role.LEADER, Role.AUDITOR}:
            return qs
        if user.role == Role.UNIT_USER and user.unit_id:
            return qs.filter(
                Q(owner_unit_id=user.unit_id)
                | Q(owner_person_id=user.pk)
                | Q(project__owner_unit_id=user.unit_id)
                | Q(project__responsible_unit_id=user.unit_id)
            )
        return qs.none()

    def open(self) -> TaskQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: dt.date | None = None) -> TaskQuerySet:
        return self.open().filter(deadline__lt=today or timezone.localdate())

    def of_unit(self, unit: Any, user: Any) -> TaskQuerySet:
        """The tasks a unit owns, as `user` may see them. Its own people and those who read
        the whole jurisdiction see them all, which needs no join to the projects."""
        ids = user.visible_jurisdiction_ids()
        if ids is not None and unit.jurisdiction_id not in ids:
            return self.none()
        reads_all = user.is_superuser or user.role in {
            Role.PROGRAMME_OFFICE, Role.LEADER, Role.AUDITOR
        }  # fmt: skip
        if reads_all or (user.role == Role.UNIT_USER and user.unit_id == unit.pk):
            return self.filter(owner_unit_id=unit.pk)
        return self.visible_to(user).filter(owner_unit_id=unit.pk)

    def inbox(self, user: Any) -> TaskQuerySet:
        """A person's open tasks: theirs by name, their unit's, and for the programme office
        those reported done and waiting for acceptance. Every one of them is within what the
        person may see (`visible_to`), so the inbox needs no visibility join of its own."""
        parts = inbox_parts(user)
        if not parts:
            return self.none()
        either = parts[0]
        for part in parts[1:]:
            either |= part
        return self.open().filter(either)

    def inbox_branches(self, user: Any) -> list[TaskQuerySet]:
        """The inbox as disjoint querysets, one per reason a task is there: each can walk its
        own index in deadline order, where one OR of them makes the database read them all."""
        parts = inbox_parts(user)
        branches = []
        earlier = Q()
        for part in parts:
            branch = self.open().filter(part)
            if earlier:
                branch = branch.exclude(earlier)
            branches.append(branch)
            earlier = earlier | part if earlier else part
        return branches


def inbox_parts(user: Any) -> list[Q]:
    """Why an open task is in someone's inbox, most common first."""
    if not getattr(user, "is_authenticated", False) or not user.role:
        return []
    parts = []
    if user.unit_id:
        parts.append(Q(owner_unit_id=user.unit_id))
    parts.append(Q(owner_person_id=user.pk))
    if user.is_programme_office:
        ids = user.visible_jurisdiction_ids()
        waiting = Q(status=TaskStatus.SUBMITTED)
        parts.append(waiting if ids is None else waiting & Q(jurisdiction_id__in=ids))
    if user.role == Role.LEADER:
        parts.append(Q(issued_by_id=user.pk))
    return parts


class Task(AuditedModel):
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    title = models.CharField(_("task"), max_length=300)
    detail = models.TextField(_("detail"), blank=True)
    source_kind = models.CharField(
        _("source"), max_length=20, choices=SourceKind.choices, default=SourceKind.INSTRUCTION
    )
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_label = models.CharField(_("source"), max_length=300, blank=True)
    source_removed_at = models.DateTimeField(_("source removed"), null=True, blank=True)
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("assigned unit"), on_delete=models.PROTECT, related_name="tasks"
    )
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_tasks",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issued_tasks",
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    needs_evidence = models.BooleanField(
        _("evidence required"),
        default=False,
        help_text=_("Can be reported done only with a file or photo attached."),
    )
    escalation_level = models.PositiveSmallIntegerField(_("escalation"), default=0)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("reported done"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("supervised task")
        verbose_name_plural = _("supervised tasks")
        indexes = [
            # The inbox and the overdue lists read open tasks only, by deadline.
            models.Index(
                fields=["owner_unit", "deadline", "id"],
                name="task_unit_open_idx",
                condition=Q(status__in=["open", "submitted"]),
            ),
            models.Index(
                fields=["owner_person", "deadline", "id"],
                name="task_person_open_idx",
                condition=Q(status__in=["open", "submitted"]),
            ),
            models.Index(fields=["jurisdiction", "status", "deadline"], name="task_jur_status_idx"),
            models.Index(fields=["source_type", "source_id"], name="task_source_idx"),
            models.Index(fields=["issued_by", "status"], name="task_issuer_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("supervision:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_open and self.deadline < (today or timezone.localdate())

    def days_left(self, today: dt.date | None = None) -> int:
        return (self.deadline - (today or timezone.localdate())).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left())

    @property
    def source(self) -> Any:
        kind = self.source_type
        if kind is None or self.source_id is None:
            return None
        model = kind.model_class()
        return model._default_manager.filter(pk=self.source_id).first() if model else None

    @property
    def source_url(self) -> str:
        source = self.source
        url = getattr(source, "get_absolute_url", None)
        return url() if url else ""


def evidence_path(instance: TaskUpdate, filename: str) -> str:
    """A name nobody can guess: media files are served to any signed-in person by name."""
    stamp = timezone.now()
    return f"tasks/{stamp:%Y/%m}/t{instance.task_id}-{uuid.uuid4().hex[:16]}-{filename}"


class TaskUpdate(models.Model):
    """One line of a task's history: progress, evidence, a decision on it."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="updates"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=UpdateKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("text"), blank=True)
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True, max_length=300)
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to=evidence_path, blank=True, max_length=300
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("task update")
        verbose_name_plural = _("task updates")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"

    @property
    def is_image(self) -> bool:
        return bool(self.thumbnail)
