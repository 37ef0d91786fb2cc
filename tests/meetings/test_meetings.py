"""A dispatch meeting's life: planned → held → closed, its decisions issued as tasks, and every
move its state or the person's role does not allow refused with the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from keyprojects.audit.models import AuditEntry
from keyprojects.meetings import agenda, attendance, services
from keyprojects.meetings.choices import MeetingStatus, Presence
from keyprojects.meetings.models import Attendance, Decision, Meeting
from keyprojects.notifications.models import Notification
from keyprojects.supervision import services as tasks
from keyprojects.supervision.choices import SourceKind, TaskStatus, UpdateKind
from keyprojects.supervision.models import Task
from keyprojects.supervision.sources import tasks_of

from .conftest import TODAY, hold


def test_a_meeting_is_numbered_for_the_year_unless_titled(world):
    first = services.meeting_create(user=world.office, jurisdiction=world.district, date=TODAY)
    second = services.meeting_create(user=world.office, jurisdiction=world.district, date=TODAY)
    named = services.meeting_create(
        user=world.office, jurisdiction=world.district, date=TODAY, title="专题调度会"
    )

    assert "1" in first.title and "2026" in first.title
    assert "2" in second.title
    assert named.title == "专题调度会"
    assert first.status == MeetingStatus.PLANNED
    assert AuditEntry.objects.filter(model="meetings.meeting", object_id=str(first.pk)).exists()


@pytest.mark.parametrize("who", ["leader", "owner_user", "auditor"])
def test_only_the_programme_office_plans_meetings(world, who):
    with pytest.raises(PermissionDenied):
        services.meeting_create(user=getattr(world, who), jurisdiction=world.district, date=TODAY)
    assert not Meeting.objects.exists()


def test_an_office_cannot_plan_a_meeting_for_another_district(world):
    with pytest.raises(PermissionDenied):
        services.meeting_create(user=world.outsider, jurisdiction=world.district, date=TODAY)


def test_the_chair_must_be_a_leader(world):
    with pytest.raises(ValidationError, match="leaders"):
        services.meeting_create(
            user=world.office, jurisdiction=world.district, date=TODAY, chair=world.owner_user
        )


def test_the_whole_path_planned_held_closed_issues_each_decision_as_a_task(world, decided):
    meeting = decided
    services.decision_add(
        meeting, user=world.office, text="区城投公司加快施工\n并每周报送进度",
        owner_unit=world.owner, owner_person=world.owner_user, deadline=TODAY,
        needs_evidence=True,
    )  # fmt: skip
    hold(meeting, world.office)
    assert meeting.status == MeetingStatus.HELD and meeting.held_at is not None

    issued = services.meeting_close(meeting, user=world.office)

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED and meeting.closed_at is not None
    assert len(issued) == 2
    first, second = meeting.decisions.order_by("order")
    assert first.task.source_kind == SourceKind.MEETING
    assert first.task.owner_unit == world.responsible and first.task.project == world.project
    assert first.task.deadline == first.deadline and first.issued_at is not None
    assert list(tasks_of(first)) == [first.task]
    assert first.task.source == first and first.task.source_url.endswith(f"#decision-{first.pk}")
    assert second.task.title == "区城投公司加快施工"
    assert "并每周报送进度" in second.task.detail and meeting.title in second.task.detail
    assert second.task.owner_person == world.owner_user and second.task.needs_evidence
    assert first.task.issued_by == world.office
    assert Notification.objects.filter(user=world.responsible_user, kind="task_assigned").exists()


def test_closing_twice_issues_nothing_twice(world, decided):
    hold(decided, world.office)
    services.meeting_close(decided, user=world.office)
    with pytest.raises(ValidationError, match="Only a held meeting"):
        services.meeting_close(decided, user=world.office)
    assert Task.objects.count() == 1


def test_a_decision_whose_deadline_passed_stops_the_close_and_nothing_is_issued(
    world, decided, frozen
):
    services.decision_add(
        decided, user=world.office, text="补充材料", owner_unit=world.owner,
        deadline=TODAY + dt.timedelta(days=1),
    )  # fmt: skip
    hold(decided, world.office)
    frozen.shift(dt.timedelta(days=3))

    with pytest.raises(ValidationError, match="decision 2"):
        services.meeting_close(decided, user=world.office)

    assert not Task.objects.exists()
    decided.refresh_from_db()
    assert decided.status == MeetingStatus.HELD
    late = decided.decisions.get(order=2)
    services.decision_update(late, user=world.office, deadline=TODAY + dt.timedelta(days=10))
    assert len(services.meeting_close(decided, user=world.office)) == 2


@pytest.mark.parametrize(
    ("setup", "move", "message"),
    [
        ("planned", "close", "before closing it"),
        ("held", "hold", "Only a planned meeting can be recorded as held"),
        ("held", "cancel", "Only a planned meeting can be cancelled"),
        ("closed", "hold", "Only a planned meeting can be recorded as held"),
        ("closed", "close", "Only a held meeting can be closed"),
        ("closed", "minutes", "minutes are final"),
        ("closed", "decision", "minutes are final"),
        ("closed", "agenda", "minutes are final"),
        ("closed", "invite", "minutes are final"),
        ("closed", "edit", "cannot be changed"),
        ("cancelled", "hold", "Only a planned meeting can be recorded as held"),
        ("cancelled", "decision", "was cancelled"),
        ("cancelled", "cancel", "Only a planned meeting can be cancelled"),
        ("held", "edit", "only its title and place"),
        ("held", "minutes_empty", "keeps its minutes"),
    ],
)
def test_illegal_moves_are_refused_with_the_reason_and_change_nothing(
    world, decided, setup, move, message
):
    meeting = decided
    if setup in ("held", "closed"):
        hold(meeting, world.office)
    if setup == "closed":
        services.meeting_close(meeting, user=world.office)
    if setup == "cancelled":
        services.meeting_cancel(meeting, user=world.office, reason="领导出差")
    meeting.refresh_from_db()
    before = (meeting.status, meeting.minutes, meeting.version, Decision.objects.count())
    office = world.office
    call = {
        "close": lambda: services.meeting_close(meeting, user=office),
        "hold": lambda: services.meeting_hold(meeting, user=office, minutes="纪要"),
        "cancel": lambda: services.meeting_cancel(meeting, user=office, reason="改期"),
        "minutes": lambda: services.meeting_minutes_save(meeting, user=office, minutes="改"),
        "minutes_empty": lambda: services.meeting_minutes_save(meeting, user=office, minutes=""),
        "decision": lambda: services.decision_add(
            meeting, user=office, text="x", owner_unit=world.owner, deadline=TODAY
        ),
        "agenda": lambda: agenda.agenda_add(meeting, user=office, text="临时议题"),
        "invite": lambda: attendance.attendance_add(meeting, user=office, name="区长"),
        "edit": lambda: services.meeting_update(
            meeting, user=office, date=TODAY + dt.timedelta(days=1)
        ),
    }[move]

    with pytest.raises(ValidationError, match=message):
        call()

    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes, meeting.version, Decision.objects.count()) == before


def test_a_meeting_is_not_held_before_its_day(world, frozen):
    meeting = services.meeting_create(
        user=world.office, jurisdiction=world.district, date=TODAY + dt.timedelta(days=2)
    )
    attendance.attendance_add(meeting, user=world.office, unit=world.owner)
    row = meeting.attendance.get()
    with pytest.raises(ValidationError, match="attendance is recorded from that day"):
        attendance.attendance_mark(meeting, user=world.office, marks={row.pk: ("present", "")})
    with pytest.raises(ValidationError, match="held from that day"):
        services.meeting_hold(meeting, user=world.office, minutes="纪要")

    frozen.shift(dt.timedelta(days=2))
    hold(meeting, world.office)
    assert meeting.status == MeetingStatus.HELD


def test_holding_needs_minutes_and_everyone_marked_and_someone_present(world, meeting):
    attendance.attendance_add(meeting, user=world.office, name="常务副区长")
    with pytest.raises(ValidationError, match="Write the minutes"):
        services.meeting_hold(meeting, user=world.office, minutes="  ")
    with pytest.raises(ValidationError, match=r"区城投公司.*常务副区长"):
        services.meeting_hold(meeting, user=world.office, minutes="纪要")
    rows = {row.pk: (Presence.ABSENT, "") for row in meeting.attendance.all()}
    attendance.attendance_mark(meeting, user=world.office, marks=rows)
    with pytest.raises(ValidationError, match="who attended"):
        services.meeting_hold(meeting, user=world.office, minutes="纪要")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def test_a_delegate_is_named_and_marks_are_saved_all_or_none(world, meeting):
    attendance.attendance_add(meeting, user=world.office, person=world.responsible_user)
    owner_row, person_row = meeting.attendance.order_by("id")
    assert person_row.unit == world.responsible

    with pytest.raises(ValidationError, match="Name who attended instead"):
        attendance.attendance_mark(
            meeting, user=world.office,
            marks={owner_row.pk: (Presence.PRESENT, ""), person_row.pk: (Presence.DELEGATE, "")},
        )  # fmt: skip
    assert set(meeting.attendance.values_list("presence", flat=True)) == {Presence.INVITED}

    changed = attendance.attendance_mark(
        meeting, user=world.office,
        marks={owner_row.pk: (Presence.PRESENT, "x"), person_row.pk: (Presence.DELEGATE, "王科长")},
    )  # fmt: skip
    assert changed == 2
    owner_row.refresh_from_db()
    person_row.refresh_from_db()
    assert (owner_row.presence, owner_row.delegate) == (Presence.PRESENT, "")
    assert (person_row.presence, person_row.delegate) == (Presence.DELEGATE, "王科长")


def test_a_mark_for_someone_of_another_meeting_is_refused(world, meeting):
    other = services.meeting_create(user=world.office, jurisdiction=world.district, date=TODAY)
    stranger = attendance.attendance_add(other, user=world.office, name="区长")
    with pytest.raises(ValidationError, match="not on this meeting's list"):
        attendance.attendance_mark(meeting, user=world.office, marks={stranger.pk: ("present", "")})


def test_nobody_is_invited_twice_and_a_person_must_be_of_the_unit(world, meeting):
    with pytest.raises(ValidationError, match="already on the list"):
        attendance.attendance_add(meeting, user=world.office, unit=world.owner)
    attendance.attendance_add(meeting, user=world.office, person=world.owner_user)
    with pytest.raises(ValidationError, match="already on the list"):
        attendance.attendance_add(meeting, user=world.office, person=world.owner_user)
    with pytest.raises(ValidationError, match="is not of"):
        attendance.attendance_add(
            meeting, user=world.office, unit=world.owner, person=world.responsible_user
        )
    with pytest.raises(ValidationError, match="Choose a unit or a person"):
        attendance.attendance_add(meeting, user=world.office, name="  ")
    foreign = world.foreign_project.owner_unit
    with pytest.raises(ValidationError, match="another jurisdiction"):
        attendance.attendance_add(meeting, user=world.office, unit=foreign)
    assert Attendance.objects.count() == 2


def test_the_units_on_the_agenda_and_the_decisions_are_invited_once(world, decided):
    agenda.agenda_add(decided, user=world.office, text="议题", unit=world.bystander_unit)
    agenda.agenda_add(decided, user=world.office, text="议题二", unit=world.owner)

    assert attendance.attendance_invite_agenda_units(decided, user=world.office) == 2
    assert attendance.attendance_invite_agenda_units(decided, user=world.office) == 0
    units = set(decided.attendance.values_list("unit__name", flat=True))
    assert units == {"区城投公司", "区城管局", "区住房城市建委"}


def test_decisions_are_checked_and_kept_in_order(world, meeting):
    with pytest.raises(ValidationError, match="Write the decision"):
        services.decision_add(
            meeting, user=world.office, text=" ", owner_unit=world.owner, deadline=TODAY
        )
    with pytest.raises(ValidationError, match="belong to the owner unit"):
        services.decision_add(
            meeting, user=world.office, text="x", owner_unit=world.owner,
            owner_person=world.responsible_user, deadline=TODAY,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="before the meeting"):
        services.decision_add(
            meeting, user=world.office, text="x", owner_unit=world.owner,
            deadline=TODAY - dt.timedelta(days=1),
        )  # fmt: skip
    with pytest.raises(ValidationError, match="another jurisdiction"):
        services.decision_add(
            meeting, user=world.office, text="x", owner_unit=world.owner, deadline=TODAY,
            project=world.foreign_project,
        )  # fmt: skip
    item = agenda.agenda_add(meeting, user=world.office, text="管线迁改", project=world.project)
    one = services.decision_add(
        meeting, user=world.office, text="一", owner_unit=world.owner, deadline=TODAY,
        agenda_item=item,
    )  # fmt: skip
    two = services.decision_add(
        meeting, user=world.office, text="二", owner_unit=world.owner, deadline=TODAY
    )
    assert (one.order, two.order) == (1, 2)
    assert one.project == world.project  # taken from the agenda item, not typed again

    services.decision_remove(one, user=world.office)
    two.refresh_from_db()
    assert two.order == 1


def test_an_issued_decision_is_neither_changed_nor_removed(world, decided):
    hold(decided, world.office)
    services.meeting_close(decided, user=world.office)
    decision = decided.decisions.get()
    with pytest.raises(ValidationError, match="change the task instead"):
        services.decision_update(decision, user=world.office, text="改")
    with pytest.raises(ValidationError, match="cancel its task instead"):
        services.decision_remove(decision, user=world.office)
    assert Decision.objects.get().text.startswith("区住房城市建委")


def test_agenda_items_move_and_go(world, meeting):
    a = agenda.agenda_add(meeting, user=world.office, text="甲")
    b = agenda.agenda_add(meeting, user=world.office, text="乙")
    c = agenda.agenda_add(meeting, user=world.office, text="丙")
    agenda.agenda_move(c, user=world.office, up=True)
    assert list(meeting.agenda.values_list("text", flat=True)) == ["甲", "丙", "乙"]
    with pytest.raises(ValidationError, match="already first"):
        agenda.agenda_move(a, user=world.office, up=True)
    with pytest.raises(ValidationError, match="already last"):
        agenda.agenda_move(b, user=world.office, up=False)
    agenda.agenda_remove(a, user=world.office)
    assert list(meeting.agenda.values_list("order", "text")) == [(1, "丙"), (2, "乙")]
    with pytest.raises(ValidationError, match="Say what the item is about"):
        agenda.agenda_add(meeting, user=world.office, text="")


def test_an_agenda_item_a_decision_refers_to_stays(world, meeting):
    item = agenda.agenda_add(meeting, user=world.office, text="管线迁改")
    services.decision_add(
        meeting, user=world.office, text="x", owner_unit=world.owner, deadline=TODAY,
        agenda_item=item,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="remove the decision first"):
        agenda.agenda_remove(item, user=world.office)


@pytest.mark.parametrize("who", ["leader", "owner_user", "auditor", "outsider"])
def test_only_the_office_of_the_district_runs_a_meeting(world, decided, who):
    user = getattr(world, who)
    calls = [
        lambda: agenda.agenda_add(decided, user=user, text="x"),
        lambda: attendance.attendance_add(decided, user=user, name="x"),
        lambda: services.decision_add(
            decided, user=user, text="x", owner_unit=world.owner, deadline=TODAY
        ),
        lambda: services.meeting_minutes_save(decided, user=user, minutes="x"),
        lambda: services.meeting_hold(decided, user=user, minutes="x"),
        lambda: services.meeting_cancel(decided, user=user, reason="x"),
        lambda: services.meeting_delete(decided, user=user),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert Meeting.objects.get().status == MeetingStatus.PLANNED


def test_a_stale_form_is_refused(world, meeting):
    version = meeting.version
    services.meeting_minutes_save(meeting, user=world.office, minutes="第一稿", version=version)
    with pytest.raises(ValidationError, match="Someone else changed this meeting"):
        services.meeting_minutes_save(meeting, user=world.office, minutes="旧稿", version=version)
    meeting.refresh_from_db()
    assert meeting.minutes == "第一稿"


def test_cancelling_needs_a_reason(world, meeting):
    with pytest.raises(ValidationError, match="Say why"):
        services.meeting_cancel(meeting, user=world.office, reason=" ")
    services.meeting_cancel(meeting, user=world.office, reason="领导出差，改期")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED and meeting.cancel_reason


def test_a_planned_meeting_is_moved_and_a_held_one_keeps_its_date(world, meeting):
    services.meeting_update(meeting, user=world.office, date=TODAY, place="区政府第三会议室")
    assert meeting.place == "区政府第三会议室"
    hold(meeting, world.office)
    services.meeting_update(meeting, user=world.office, title="第5次调度会")
    meeting.refresh_from_db()
    assert meeting.title == "第5次调度会"


def test_deleting_a_closed_meeting_keeps_its_tasks_and_tells_their_owners(world, decided):
    hold(decided, world.office)
    services.meeting_close(decided, user=world.office)
    task = Task.objects.get()

    assert services.meeting_delete(decided, user=world.office) == 1

    task.refresh_from_db()
    assert not Meeting.objects.exists() and not Decision.objects.exists()
    assert task.source_removed_at is not None and task.status == TaskStatus.OPEN
    assert task.updates.filter(kind=UpdateKind.SOURCE_REMOVED).exists()
    assert Notification.objects.filter(
        user=world.responsible_user, kind="task_source_removed"
    ).exists()
    assert AuditEntry.objects.filter(model="meetings.decision", action="delete").exists()


def test_a_decision_task_reported_done_and_accepted_is_done_for_the_next_meeting(world, decided):
    hold(decided, world.office)
    services.meeting_close(decided, user=world.office)
    decision = decided.decisions.get()
    task = decision.task
    tasks.task_submit(task, user=world.responsible_user, text="方案已审查")
    assert Decision.objects.get().outcome() == "submitted"
    tasks.task_accept(task, user=world.office)
    assert Decision.objects.get().outcome() == "done"


def test_changes_are_in_the_audit_trail_under_the_district(world, decided):
    hold(decided, world.office)
    entries = AuditEntry.objects.filter(model__startswith="meetings.")
    assert {"meetings.meeting", "meetings.attendance", "meetings.decision"} <= set(
        entries.values_list("model", flat=True)
    )
    assert set(entries.values_list("jurisdiction_id", flat=True)) == {world.district.pk}


def test_the_invited_are_told_of_the_meeting_its_move_and_its_cancelling(world, meeting):
    invited = Notification.objects.filter(kind="meeting_invited")
    assert list(invited.values_list("user__username", flat=True)) == ["owner_user"]
    assert invited.get().url == f"/meetings/{meeting.pk}/"
    attendance.attendance_add(meeting, user=world.office, person=world.responsible_user)
    assert invited.filter(user=world.responsible_user).exists()
    assert not Notification.objects.filter(user=world.bystander_user).exists()

    services.meeting_update(meeting, user=world.office, title="第3次调度会")
    assert not Notification.objects.filter(kind="meeting_changed").exists()
    services.meeting_update(meeting, user=world.office, place="区政府第三会议室")
    moved = Notification.objects.filter(kind="meeting_changed")
    assert set(moved.values_list("user__username", flat=True)) == {
        "owner_user", "responsible_user",
    }  # fmt: skip
    assert "区政府第三会议室" in moved.first().body

    services.meeting_cancel(meeting, user=world.office, reason="领导出差，改期")
    cancelled = Notification.objects.filter(kind="meeting_cancelled")
    assert cancelled.count() == 2 and cancelled.first().body == "领导出差，改期"
