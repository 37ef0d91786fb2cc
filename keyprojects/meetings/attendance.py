"""Who is invited to a dispatch meeting and whether they came."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.organisations.models import Unit, User

from .choices import MeetingStatus, Presence
from .models import Attendance, Meeting
from .permissions import can_run, require
from .services import (
    check,
    check_unit,
    invite,
    is_above,
    lock_meeting,
    require_open,
    scope_ids,
)


def attendance_add(
    meeting: Meeting,
    *,
    user: Any,
    unit: Unit | None = None,
    person: User | None = None,
    name: str = "",
) -> Attendance:
    """Invite a unit, a person, or someone by name or position."""
    require(can_run(user, meeting))
    name = (name or "").strip()
    if person is not None:
        if unit is None:
            unit = person.unit
        elif person.unit_id and person.unit_id != unit.pk:
            raise ValidationError(
                _("%(person)s is not of %(unit)s.") % {"person": person, "unit": unit}
            )
    if unit is None and person is None and not name:
        raise ValidationError(_("Choose a unit or a person, or write a name."))
    ids = scope_ids(meeting)
    if unit is not None:
        check_unit(unit, ids)
    if (
        person is not None
        and person.jurisdiction_id not in ids
        and not is_above(person.jurisdiction_id, meeting.jurisdiction)
    ):
        raise ValidationError(_("%(person)s works in another jurisdiction.") % {"person": person})
    with transaction.atomic():
        lock_meeting(meeting)
        require_open(meeting)
        rows = meeting.attendance.all()
        if person is not None:
            check(
                not rows.filter(person=person).exists(),
                _("%(who)s is already on the list.") % {"who": person},
            )
        else:
            check(
                not rows.filter(unit=unit, person__isnull=True, name=name).exists(),
                _("%(who)s is already on the list.") % {"who": name or unit},
            )
        row = Attendance(meeting=meeting, unit=unit, person=person, name=name)
        row.full_clean(validate_constraints=False)
        row.save()
        if meeting.status == MeetingStatus.PLANNED:
            invite(meeting, [row])
    return row


def attendance_invite_agenda_units(meeting: Meeting, *, user: Any) -> int:
    """Invite every unit that reports on an agenda item or owns a decision and is not yet on
    the list. Returns how many were added."""
    require(can_run(user, meeting))
    with transaction.atomic():
        lock_meeting(meeting)
        require_open(meeting)
        wanted = list(
            dict.fromkeys(
                [
                    *meeting.agenda.filter(unit__isnull=False)
                    .order_by("order")
                    .values_list("unit_id", flat=True),
                    *meeting.decisions.order_by("order").values_list("owner_unit_id", flat=True),
                ]
            )
        )
        present = set(meeting.attendance.values_list("unit_id", flat=True))
        added = [u for u in wanted if u not in present]
        rows = [Attendance.objects.create(meeting=meeting, unit_id=unit_id) for unit_id in added]
        if meeting.status == MeetingStatus.PLANNED:
            invite(meeting, rows)
    return len(added)


def attendance_mark(
    meeting: Meeting,
    *,
    user: Any,
    marks: dict[int, tuple[str, str]],
    today: dt.date | None = None,
) -> int:
    """Record who came: `marks` maps an attendance row to (presence, who attended instead).
    All rows or none are saved. Returns how many changed."""
    require(can_run(user, meeting))
    today = today or timezone.localdate()
    with transaction.atomic():
        lock_meeting(meeting)
        require_open(meeting)
        rows = {row.pk: row for row in meeting.attendance.select_related("unit", "person")}
        unknown = set(marks) - set(rows)
        check(not unknown, _("Someone on the form is not on this meeting's list; reload it."))
        changed = []
        for pk, (presence, delegate) in marks.items():
            row = rows[pk]
            delegate = (delegate or "").strip()
            check(
                presence in Presence.values,
                _("Unknown attendance: %(value)s.") % {"value": presence},
            )
            if presence != Presence.INVITED:
                check(
                    meeting.date <= today,
                    _("The meeting is on %(date)s; attendance is recorded from that day.")
                    % {"date": meeting.date.isoformat()},
                )
            if presence == Presence.DELEGATE:
                check(
                    bool(delegate),
                    _("Name who attended instead of %(who)s.") % {"who": row.label},
                )
            else:
                delegate = ""
            if (row.presence, row.delegate) != (presence, delegate):
                row.presence, row.delegate = presence, delegate
                changed.append(row)
        for row in changed:
            row.save(update_fields=["presence", "delegate"])
    return len(changed)


def attendance_remove(row: Attendance, *, user: Any) -> None:
    meeting = row.meeting
    require(can_run(user, meeting))
    with transaction.atomic():
        lock_meeting(meeting)
        require_open(meeting)
        row.delete()
