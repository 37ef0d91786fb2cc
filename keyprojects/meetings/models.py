"""Dispatch meetings (调度会) and site visits (现场办公): where leaders decide, and whose
decisions and instructions (批示) become supervised tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from keyprojects.audit.signals import AuditedModel
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, Unit, User
from keyprojects.projects.models import Project
from keyprojects.supervision.choices import TaskStatus
from keyprojects.supervision.models import Task
from keyprojects.supervision.sources import register_source

from .choices import OPEN_MEETING_STATUSES, AgendaKind, DecisionOutcome, MeetingStatus, Presence


def outcome_of(task: Task | None, today: dt.date | None = None) -> str:
    """What became of a decision or instruction, read from its task."""
    if task is None:
        return DecisionOutcome.NOT_ISSUED
    if task.status == TaskStatus.DONE:
        return DecisionOutcome.DONE
    if task.status == TaskStatus.CANCELLED:
        return DecisionOutcome.CANCELLED
    if task.status == TaskStatus.SUBMITTED:  # reported done: the office's move now
        return DecisionOutcome.SUBMITTED
    if task.is_overdue(today):
        return DecisionOutcome.OVERDUE
    return DecisionOutcome.OPEN


def _reads_everything(user: Any) -> bool:
    return bool(
        user.is_superuser or user.role in {Role.PROGRAMME_OFFICE, Role.LEADER, Role.AUDITOR}
    )


def _concerns_unit(unit_id: int, prefix: str = "") -> Q:
    """A record about `unit_id`: it owns the record, or the record's project is the unit's."""
    return (
        Q(**{f"{prefix}owner_unit_id": unit_id})
        | Q(**{f"{prefix}project__owner_unit_id": unit_id})
        | Q(**{f"{prefix}project__responsible_unit_id": unit_id})
    )


# -- dispatch meetings ---------------------------------------------------------------------------


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def visible_to(self, user: Any) -> MeetingQuerySet:
        """Office, leaders and auditors read every meeting of their jurisdictions; a unit user
        reads the meetings that involve their unit: invited, on the agenda, or given a
        decision, directly or through a project the unit owns or answers for."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        ids = user.visible_jurisdiction_ids()
        qs = self if ids is None else self.filter(jurisdiction_id__in=ids)
        if _reads_everything(user):
            return qs
        if user.role == Role.UNIT_USER and user.unit_id:
            unit = user.unit_id
            on_agenda = AgendaItem.objects.filter(meeting=OuterRef("pk")).filter(
                Q(unit_id=unit)
                | Q(project__owner_unit_id=unit)
                | Q(project__responsible_unit_id=unit)
            )
            decided = Decision.objects.filter(meeting=OuterRef("pk")).filter(_concerns_unit(unit))
            invited = Attendance.objects.filter(meeting=OuterRef("pk"), unit_id=unit)
            return qs.filter(Exists(invited) | Exists(on_agenda) | Exists(decided))
        return qs.none()


class Meeting(AuditedModel):
    """A dispatch meeting (调度会) of the programme office and the leaders."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    chair_name = models.CharField(
        _("chair (name or position)"),
        max_length=100,
        blank=True,
        help_text=_("When the chair has no account, e.g. 区长."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    minutes = models.TextField(_("minutes"), blank=True)
    held_at = models.DateTimeField(_("minutes recorded"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("dispatch meeting")
        verbose_name_plural = _("dispatch meetings")
        indexes = [models.Index(fields=["jurisdiction", "date"], name="meeting_jur_date_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    @property
    def chair_label(self) -> str:
        if self.chair_name:
            return self.chair_name
        return str(self.chair) if self.chair_id else ""

    @property
    def is_open(self) -> bool:
        """Agenda, attendance and decisions may still change."""
        return self.status in OPEN_MEETING_STATUSES

    def previous(self) -> Meeting | None:
        """The last meeting of the same jurisdiction held before this one: the one whose
        decisions this one opens with."""
        earlier = Q(date__lt=self.date) | Q(date=self.date, pk__lt=self.pk or 0)
        return (
            Meeting.objects.filter(
                earlier,
                jurisdiction_id=self.jurisdiction_id,
                status__in=[MeetingStatus.HELD, MeetingStatus.CLOSED],
            )
            .exclude(pk=self.pk)
            .order_by("-date", "-pk")
            .first()
        )


class _PartOfMeeting(AuditedModel):
    """A record of a meeting; the audit trail files it under the meeting's jurisdiction."""

    meeting: models.ForeignKey[Meeting, Meeting]

    class Meta:
        abstract = True

    @property
    def jurisdiction_id(self) -> int:
        return self.meeting.jurisdiction_id


class AgendaItem(_PartOfMeeting):
    """One item for the meeting to settle, usually proposed from the records that call for it."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(
        _("kind"), max_length=20, choices=AgendaKind.choices, default=AgendaKind.OTHER
    )
    text = models.TextField(_("item"))
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit to report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_label = models.CharField(_("source"), max_length=300, blank=True)
    source = GenericForeignKey("source_type", "source_id")

    class Meta:
        ordering = ["meeting", "order", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "source_type", "source_id"],
                condition=Q(source_id__isnull=False),
                name="agenda_source_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.text[:80]}"

    @property
    def source_url(self) -> str:
        source = self.source
        if isinstance(source, Task):
            return reverse("supervision:detail", args=[source.pk])
        url = getattr(source, "get_absolute_url", None)
        if url:
            return str(url())
        if self.project_id:
            return reverse("projects:detail", args=[self.project_id])
        return ""


class Attendance(_PartOfMeeting):
    """Someone invited to the meeting, and whether they came."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendance"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("name or position"), max_length=100, blank=True)
    presence = models.CharField(
        _("attendance"), max_length=10, choices=Presence.choices, default=Presence.INVITED
    )
    delegate = models.CharField(_("attended instead"), max_length=100, blank=True)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(person__isnull=False),
                name="attendance_person_once",
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(person__isnull=False) | ~Q(name=""),
                name="attendance_names_someone",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        person = self.person if self.person_id else None
        who = self.name or ((person.full_name or person.username) if person else "")
        if self.unit_id and who:
            return f"{self.unit}·{who}"
        return who or str(self.unit)


@register_source
class Decision(_PartOfMeeting):
    """A decision of the meeting (议定事项); on closing the meeting it becomes a task."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="decisions"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.TextField(_("decision"))
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="+"
    )
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"))
    needs_evidence = models.BooleanField(_("evidence required"), default=False)
    task = models.OneToOneField(
        Task,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "order", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.meeting.title} · {self.order}. {self.text[:80]}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.meeting_id]) + f"#decision-{self.pk}"

    def outcome(self, today: dt.date | None = None) -> str:
        return outcome_of(self.task, today)


# -- site visits ---------------------------------------------------------------------------------


class SiteVisitQuerySet(models.QuerySet["SiteVisit"]):
    def visible_to(self, user: Any) -> SiteVisitQuerySet:
        """Office, leaders and auditors read every visit of their jurisdictions; a unit user
        reads the visits that involve their unit: it came along, a stop was at one of its
        projects, or it was given an instruction."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        ids = user.visible_jurisdiction_ids()
        qs = self if ids is None else self.filter(jurisdiction_id__in=ids)
        if _reads_everything(user):
            return qs
        if user.role == Role.UNIT_USER and user.unit_id:
            unit = user.unit_id
            came = VisitUnit.objects.filter(visit=OuterRef("pk"), unit_id=unit)
            stop = VisitStop.objects.filter(visit=OuterRef("pk")).filter(
                Q(project__owner_unit_id=unit) | Q(project__responsible_unit_id=unit)
            )
            told = Instruction.objects.filter(visit=OuterRef("pk")).filter(_concerns_unit(unit))
            return qs.filter(Exists(came) | Exists(stop) | Exists(told))
        return qs.none()


class SiteVisit(AuditedModel):
    """Leaders on site (现场办公): the projects visited in order, what was found, and the
    instructions given."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    leaders: models.ManyToManyField[User, VisitLeader] = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leaders"),
        through="VisitLeader",
        related_name="site_visits",
        blank=True,
    )
    leader_names = models.CharField(
        _("other leaders (positions)"),
        max_length=200,
        blank=True,
        help_text=_("Leaders without an account, e.g. 区委书记、区人大常委会主任."),
    )
    units: models.ManyToManyField[Unit, VisitUnit] = models.ManyToManyField(
        Unit,
        verbose_name=_("accompanying units"),
        through="VisitUnit",
        related_name="+",
        blank=True,
    )
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = SiteVisitQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("site visit")
        verbose_name_plural = _("site visits")
        indexes = [models.Index(fields=["jurisdiction", "date"], name="visit_jur_date_idx")]

    def __str__(self) -> str:
        return f"{self.title}（{self.date.isoformat()}）"

    def get_absolute_url(self) -> str:
        return reverse("meetings:visit", args=[self.pk])


class _PartOfVisit(AuditedModel):
    visit: models.ForeignKey[SiteVisit, SiteVisit]

    class Meta:
        abstract = True

    @property
    def jurisdiction_id(self) -> int:
        return self.visit.jurisdiction_id


class VisitLeader(_PartOfVisit):
    visit = models.ForeignKey(SiteVisit, on_delete=models.CASCADE, related_name="+")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("leader"), on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("visiting leader")
        verbose_name_plural = _("visiting leaders")
        constraints = [
            models.UniqueConstraint(fields=["visit", "leader"], name="visit_leader_once")
        ]

    def __str__(self) -> str:
        return str(self.leader)


class VisitUnit(_PartOfVisit):
    visit = models.ForeignKey(SiteVisit, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("accompanying unit")
        verbose_name_plural = _("accompanying units")
        constraints = [models.UniqueConstraint(fields=["visit", "unit"], name="visit_unit_once")]

    def __str__(self) -> str:
        return str(self.unit)


class VisitStop(_PartOfVisit):
    """One place on the route, in the order visited."""

    visit = models.ForeignKey(
        SiteVisit, verbose_name=_("site visit"), on_delete=models.CASCADE, related_name="stops"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(
        _("place"), max_length=200, help_text=_("The project's name, or a place off the ledger.")
    )
    findings = models.TextField(_("findings"), blank=True)

    class Meta:
        ordering = ["visit", "order", "id"]
        verbose_name = _("stop")
        verbose_name_plural = _("stops")
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "project"],
                condition=Q(project__isnull=False),
                name="visit_project_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


def visit_photo_path(instance: VisitPhoto, filename: str) -> str:
    return f"visits/{timezone.now():%Y/%m}/{filename}"


class VisitPhoto(AuditedModel):
    """A photo taken at a stop, re-encoded on upload (nothing of the original is served)."""

    stop = models.ForeignKey(
        VisitStop, verbose_name=_("stop"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to=visit_photo_path, max_length=200)
    thumbnail = models.ImageField(upload_to=visit_photo_path, max_length=200)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["stop", "uploaded_at", "id"]
        verbose_name = _("site visit photo")
        verbose_name_plural = _("site visit photos")

    def __str__(self) -> str:
        return self.caption or str(self.stop)

    @property
    def jurisdiction_id(self) -> int:
        return self.stop.visit.jurisdiction_id


@register_source
class Instruction(_PartOfVisit):
    """A leader's instruction (批示) on a visit; it becomes a task as soon as it is recorded."""

    visit = models.ForeignKey(
        SiteVisit,
        verbose_name=_("site visit"),
        on_delete=models.CASCADE,
        related_name="instructions",
    )
    stop = models.ForeignKey(
        VisitStop,
        verbose_name=_("stop"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="instructions",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    leader_name = models.CharField(_("leader (position)"), max_length=100, blank=True)
    text = models.TextField(_("instruction"))
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="+"
    )
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"))
    needs_evidence = models.BooleanField(_("evidence required"), default=False)
    task = models.OneToOneField(
        Task,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["visit", "created_at", "id"]
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")

    def __str__(self) -> str:
        return gettext("%(visit)s, instruction (批示) of %(leader)s: %(text)s") % {
            "visit": self.visit,
            "leader": self.leader_label or "—",
            "text": self.text[:80],
        }

    def get_absolute_url(self) -> str:
        return reverse("meetings:visit", args=[self.visit_id]) + f"#instruction-{self.pk}"

    @property
    def leader_label(self) -> str:
        if self.leader_name:
            return self.leader_name
        if self.leader_id:
            leader = self.leader
            return (leader.position or leader.full_name or leader.username) if leader else ""
        return ""

    def outcome(self, today: dt.date | None = None) -> str:
        return outcome_of(self.task, today)
