"""The life of a dispatch meeting: plan it, build its agenda, hold it (attendance and
minutes), close it, and so issue its decisions as supervised tasks.

Every change goes through here, so that the pages and the API refuse the same illegal moves
with the same message. A change re-reads the meeting's state under a row lock first: two
people acting at once cannot both pass a check the first one's change made false.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.notifications.services import notify
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, Unit, User
from keyprojects.projects.models import Project
from keyprojects.supervision.choices import SourceKind
from keyprojects.supervision.models import Task
from keyprojects.supervision.services import IllegalMove, create_task

from .choices import MeetingStatus, Presence
from .models import AgendaItem, Attendance, Decision, Meeting
from .permissions import can_create, can_run, require

# -- checks shared with the visits --------------------------------------------------------------


def check(condition: bool, message: str) -> None:
    if not condition:
        raise IllegalMove(message)


def check_unit(unit: Unit, ids: list[int]) -> None:
    if unit.jurisdiction_id not in ids:
        raise ValidationError(_("%(unit)s belongs to another jurisdiction.") % {"unit": unit})


def check_project(project: Project, ids: list[int]) -> None:
    if project.jurisdiction_id not in ids:
        raise ValidationError(
            _("%(project)s belongs to another jurisdiction.") % {"project": project}
        )


def check_owner(owner_unit: Unit, owner_person: User | None) -> None:
    if owner_person is not None and owner_person.unit_id != owner_unit.pk:
        raise ValidationError(_("The person responsible must belong to the owner unit."))


def clean_text(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(message)
    return text


def title_line(text: str) -> str:
    """A task's title from a decision or an instruction: its first line, shortened."""
    line = text.strip().splitlines()[0].strip()
    return line if len(line) <= 120 else line[:119] + "…"


# -- state --------------------------------------------------------------------------------------


def lock_meeting(meeting: Meeting, version: int | None = None) -> None:
    """Re-read status and version under a lock; a stale `version` (a form read before
    someone else's change) is refused."""
    status, current = (
        Meeting.objects.select_for_update()
        .filter(pk=meeting.pk)
        .values_list("status", "version")
        .get()
    )
    if version is not None and version != current:
        raise IllegalMove(_("Someone else changed this meeting first. Reload it and try again."))
    meeting.status, meeting.version = status, current


def _bump(meeting: Meeting, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.version += 1
    meeting.save(update_fields=[*fields, "version"])


def require_open(meeting: Meeting) -> None:
    """Agenda, attendance and decisions change only while the meeting is planned or held."""
    check(
        meeting.status != MeetingStatus.CLOSED,
        _("The meeting is closed: its minutes are final and its decisions issued."),
    )
    check(meeting.status != MeetingStatus.CANCELLED, _("The meeting was cancelled."))


def scope_ids(meeting: Meeting) -> list[int]:
    return meeting.jurisdiction.subtree_ids()


# -- notices ------------------------------------------------------------------------------------


def people_for(rows: list[Attendance]) -> list[User]:
    """Who reads a notice for these rows: the person named, else the unit's people."""
    named = [row.person for row in rows if row.person_id and row.person and row.person.is_active]
    units = [row.unit_id for row in rows if not row.person_id and row.unit_id]
    by_unit = list(User.objects.filter(unit_id__in=units, is_active=True)) if units else []
    return list({user.pk: user for user in [*named, *by_unit]}.values())


def when_and_where(meeting: Meeting) -> str:
    when = meeting.date.isoformat()
    if meeting.start_time:
        when += f" {meeting.start_time:%H:%M}"
    return f"{when} {meeting.place}".strip()


def invite(meeting: Meeting, rows: list[Attendance]) -> None:
    for row in rows:
        notify(
            people_for([row]),
            kind="meeting_invited",
            key=f"{meeting.pk}:{row.pk}",
            title=_("Invited: %(title)s") % {"title": meeting.title},
            body=when_and_where(meeting),
            url=meeting.get_absolute_url(),
        )


def _tell_invited(meeting: Meeting, kind: str, title: str, body: str) -> None:
    rows = list(meeting.attendance.select_related("person"))
    notify(
        people_for(rows),
        kind=kind,
        key=f"{meeting.pk}:{meeting.version}",
        title=title,
        body=body,
        url=meeting.get_absolute_url(),
    )


# -- the meeting --------------------------------------------------------------------------------


def suggested_title(jurisdiction: Jurisdiction, date: dt.date) -> str:
    """第N次重点项目调度会: N counts this year's meetings of the jurisdiction."""
    count = (
        Meeting.objects.filter(jurisdiction=jurisdiction, date__year=date.year)
        .exclude(status=MeetingStatus.CANCELLED)
        .count()
    )
    return _("Key projects dispatch meeting no. %(number)d of %(year)d") % {
        "number": count + 1,
        "year": date.year,
    }


def _check_chair(chair: User | None, jurisdiction: Jurisdiction) -> None:
    if chair is None:
        return
    if chair.role != Role.LEADER:
        raise ValidationError(_("The chair must be one of the leaders."))
    if chair.jurisdiction_id not in jurisdiction.subtree_ids() and not is_above(
        chair.jurisdiction_id, jurisdiction
    ):
        raise ValidationError(_("The chair is a leader of another jurisdiction."))


def is_above(jurisdiction_id: int | None, jurisdiction: Jurisdiction) -> bool:
    node: Jurisdiction | None = jurisdiction.parent
    while node is not None:
        if node.pk == jurisdiction_id:
            return True
        node = node.parent
    return False


def meeting_create(
    *,
    user: Any,
    jurisdiction: Jurisdiction,
    date: dt.date,
    title: str = "",
    start_time: dt.time | None = None,
    place: str = "",
    chair: User | None = None,
    chair_name: str = "",
) -> Meeting:
    require(can_create(user))
    ids = user.visible_jurisdiction_ids()
    require(ids is None or jurisdiction.pk in ids)
    _check_chair(chair, jurisdiction)
    with transaction.atomic():
        meeting = Meeting(
            jurisdiction=jurisdiction,
            title=(title or "").strip() or suggested_title(jurisdiction, date),
            date=date,
            start_time=start_time,
            place=(place or "").strip(),
            chair=chair,
            chair_name=(chair_name or "").strip(),
            created_by=user,
        )
        meeting.full_clean()
        meeting.save()
    return meeting


def meeting_update(
    meeting: Meeting, *, user: Any, version: int | None = None, **fields: Any
) -> Meeting:
    """Title, date, time, place and chair: while the meeting is planned; a held meeting keeps
    the date it was held on."""
    require(can_run(user, meeting))
    allowed = {"title", "date", "start_time", "place", "chair", "chair_name"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("These cannot be changed here: %(f)s") % {"f": ", ".join(unknown)})
    if "chair" in fields:
        _check_chair(fields["chair"], meeting.jurisdiction)
    with transaction.atomic():
        lock_meeting(meeting, version)
        if meeting.status == MeetingStatus.HELD:
            check(
                set(fields) <= {"title", "place"},
                _("The meeting was held; only its title and place can still change."),
            )
        else:
            check(
                meeting.status == MeetingStatus.PLANNED,
                _("A %(status)s meeting cannot be changed.")
                % {"status": meeting.get_status_display()},
            )
        before = when_and_where(meeting)
        for name, value in fields.items():
            setattr(meeting, name, value.strip() if isinstance(value, str) else value)
        if not meeting.title:
            meeting.title = suggested_title(meeting.jurisdiction, meeting.date)
        meeting.full_clean()
        _bump(meeting, **{name: getattr(meeting, name) for name in [*fields, "title"]})
        if when_and_where(meeting) != before and meeting.status == MeetingStatus.PLANNED:
            _tell_invited(
                meeting,
                "meeting_changed",
                _("Moved: %(title)s") % {"title": meeting.title},
                _("Now %(when)s (was %(before)s).")
                % {"when": when_and_where(meeting), "before": before},
            )
    return meeting


def meeting_hold(
    meeting: Meeting,
    *,
    user: Any,
    minutes: str,
    version: int | None = None,
    today: dt.date | None = None,
) -> Meeting:
    """planned → held: the minutes are recorded and everyone invited is marked."""
    require(can_run(user, meeting))
    today = today or timezone.localdate()
    with transaction.atomic():
        lock_meeting(meeting, version)
        check(
            meeting.status == MeetingStatus.PLANNED,
            _("Only a planned meeting can be recorded as held; this one is %(status)s.")
            % {"status": meeting.get_status_display()},
        )
        check(
            meeting.date <= today,
            _("The meeting is on %(date)s; it can be recorded as held from that day.")
            % {"date": meeting.date.isoformat()},
        )
        minutes = clean_text(minutes, _("Write the minutes before recording the meeting as held."))
        rows = list(meeting.attendance.select_related("unit", "person"))
        unmarked = [row.label for row in rows if row.presence == Presence.INVITED]
        check(
            not unmarked,
            _("Record whether these attended first: %(names)s.") % {"names": "、".join(unmarked)},
        )
        check(
            any(row.presence in (Presence.PRESENT, Presence.DELEGATE) for row in rows),
            _("Record who attended before recording the meeting as held."),
        )
        _bump(meeting, status=MeetingStatus.HELD, minutes=minutes, held_at=timezone.now())
    return meeting


def meeting_minutes_save(
    meeting: Meeting, *, user: Any, minutes: str, version: int | None = None
) -> Meeting:
    """Draft the minutes while planned, correct them while held; closing makes them final."""
    require(can_run(user, meeting))
    with transaction.atomic():
        lock_meeting(meeting, version)
        require_open(meeting)
        minutes = (minutes or "").strip()
        if meeting.status == MeetingStatus.HELD:
            check(bool(minutes), _("A held meeting keeps its minutes; correct them instead."))
        _bump(meeting, minutes=minutes)
    return meeting


def meeting_close(
    meeting: Meeting, *, user: Any, version: int | None = None, today: dt.date | None = None
) -> list[Task]:
    """held → closed: the minutes become final and every decision is issued as a supervised
    task, all of them or none."""
    require(can_run(user, meeting))
    today = today or timezone.localdate()
    with transaction.atomic():
        lock_meeting(meeting, version)
        check(
            meeting.status != MeetingStatus.PLANNED,
            _("Record the attendance and minutes (the meeting as held) before closing it."),
        )
        check(
            meeting.status == MeetingStatus.HELD,
            _("Only a held meeting can be closed; this one is %(status)s.")
            % {"status": meeting.get_status_display()},
        )
        decisions = list(
            meeting.decisions.filter(task__isnull=True).select_related(
                "owner_unit", "owner_person", "project"
            )
        )
        late = [str(d.order) for d in decisions if d.deadline < today]
        check(
            not late,
            _("The deadline of decision %(numbers)s has already passed; change it first.")
            % {"numbers": "、".join(late)},
        )
        tasks = [_issue(decision, meeting, user) for decision in decisions]
        _bump(meeting, status=MeetingStatus.CLOSED, closed_at=timezone.now())
    return tasks


def _issue(decision: Decision, meeting: Meeting, user: Any) -> Task:
    decision.meeting = meeting
    detail = _("Decided at %(meeting)s on %(date)s:") % {
        "meeting": meeting.title,
        "date": meeting.date.isoformat(),
    }
    task = create_task(
        title=title_line(decision.text),
        detail=f"{detail}\n{decision.text}",
        owner_unit=decision.owner_unit,
        owner_person=decision.owner_person,
        deadline=decision.deadline,
        source_kind=SourceKind.MEETING,
        source=decision,
        project=decision.project,
        issued_by=user,
        needs_evidence=decision.needs_evidence,
        jurisdiction_id=(
            decision.project.jurisdiction_id if decision.project else meeting.jurisdiction_id
        ),
    )
    decision.task, decision.issued_at = task, timezone.now()
    decision.save(update_fields=["task", "issued_at"])
    return task


def meeting_cancel(
    meeting: Meeting, *, user: Any, reason: str, version: int | None = None
) -> Meeting:
    require(can_run(user, meeting))
    with transaction.atomic():
        lock_meeting(meeting, version)
        check(
            meeting.status == MeetingStatus.PLANNED,
            _("Only a planned meeting can be cancelled; this one is %(status)s.")
            % {"status": meeting.get_status_display()},
        )
        reason = clean_text(reason, _("Say why the meeting is cancelled."))
        _bump(meeting, status=MeetingStatus.CANCELLED, cancel_reason=reason)
        _tell_invited(
            meeting, "meeting_cancelled", _("Cancelled: %(title)s") % {"title": meeting.title},
            reason,
        )  # fmt: skip
    return meeting


def meeting_delete(meeting: Meeting, *, user: Any) -> int:
    """Delete the meeting and everything recorded for it. The tasks its decisions made stay,
    marked as having lost their source, and their owners are told. Returns how many."""
    require(can_run(user, meeting))
    with transaction.atomic():
        issued = meeting.decisions.filter(task__isnull=False).count()
        meeting.delete()
    return issued


# -- numbered rows (agenda items, decisions, stops) ---------------------------------------------


def next_order(rows: Any) -> int:
    return int(rows.aggregate(m=Max("order"))["m"] or 0) + 1


def move_row(rows: list[Any], pk: int, up: bool) -> None:
    index = next(i for i, row in enumerate(rows) if row.pk == pk)
    other = index - 1 if up else index + 1
    check(
        0 <= other < len(rows),
        _("The item is already first.") if up else _("The item is already last."),
    )
    rows[index], rows[other] = rows[other], rows[index]
    renumber(rows)


def renumber(rows: Any) -> None:
    for number, row in enumerate(rows, start=1):
        if row.order != number:
            row.order = number
            row.save(update_fields=["order"])


# -- decisions ----------------------------------------------------------------------------------


def decision_add(
    meeting: Meeting,
    *,
    user: Any,
    text: str,
    owner_unit: Unit,
    deadline: dt.date,
    owner_person: User | None = None,
    project: Project | None = None,
    agenda_item: AgendaItem | None = None,
    needs_evidence: bool = False,
) -> Decision:
    """A decision of the meeting (议定事项); it becomes a task when the meeting closes."""
    require(can_run(user, meeting))
    text = clean_text(text, _("Write the decision."))
    ids = scope_ids(meeting)
    check_unit(owner_unit, ids)
    check_owner(owner_unit, owner_person)
    if agenda_item is not None:
        if agenda_item.meeting_id != meeting.pk:
            raise ValidationError(_("That agenda item belongs to another meeting."))
        project = project or agenda_item.project
    if project is not None:
        check_project(project, ids)
    if deadline < meeting.date:
        raise ValidationError(_("The deadline must not be before the meeting."))
    with transaction.atomic():
        lock_meeting(meeting)
        require_open(meeting)
        decision = Decision(
            meeting=meeting,
            order=next_order(meeting.decisions),
            text=text,
            owner_unit=owner_unit,
            owner_person=owner_person,
            deadline=deadline,
            project=project,
            agenda_item=agenda_item,
            needs_evidence=needs_evidence,
        )
        decision.full_clean()
        decision.save()
    return decision


DECISION_FIELDS = {
    "text", "owner_unit", "owner_person", "deadline", "project", "agenda_item", "needs_evidence"
}  # fmt: skip


def decision_update(decision: Decision, *, user: Any, **fields: Any) -> Decision:
    """Correct a decision until it is issued (the meeting closes)."""
    meeting = decision.meeting
    require(can_run(user, meeting))
    unknown = set(fields) - DECISION_FIELDS
    if unknown:
        raise ValidationError(_("These cannot be changed here: %(f)s") % {"f": ", ".join(unknown)})
    if "text" in fields:
        fields["text"] = clean_text(fields["text"], _("Write the decision."))
    ids = scope_ids(meeting)
    owner_unit = fields.get("owner_unit", decision.owner_unit)
    check_unit(owner_unit, ids)
    check_owner(owner_unit, fields.get("owner_person", decision.owner_person))
    if fields.get("project") is not None:
        check_project(fields["project"], ids)
    item = fields.get("agenda_item")
    if item is not None and item.meeting_id != meeting.pk:
        raise ValidationError(_("That agenda item belongs to another meeting."))
    if "deadline" in fields and fields["deadline"] < meeting.date:
        raise ValidationError(_("The deadline must not be before the meeting."))
    with transaction.atomic():
        lock_meeting(meeting)
        check(
            decision.task_id is None,
            _("The decision was issued as a task; change the task instead."),
        )
        require_open(meeting)
        for name, value in fields.items():
            setattr(decision, name, value)
        decision.full_clean()
        decision.save()
    return decision


def decision_remove(decision: Decision, *, user: Any) -> None:
    meeting = decision.meeting
    require(can_run(user, meeting))
    with transaction.atomic():
        lock_meeting(meeting)
        check(
            decision.task_id is None,
            _("An issued decision stays on the record; cancel its task instead."),
        )
        require_open(meeting)
        decision.delete()
        renumber(meeting.decisions.all())
