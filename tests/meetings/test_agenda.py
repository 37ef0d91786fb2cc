"""The agenda proposed from what calls for the meeting, and the meeting opening with what the
last one decided and what became of it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from keyprojects.meetings import agenda, services
from keyprojects.meetings.agenda import agenda_propose, item_state, opening
from keyprojects.meetings.choices import AgendaKind, DecisionOutcome
from keyprojects.progress.models import MonthlyLight
from keyprojects.projects.choices import Stage
from keyprojects.supervision import services as tasks
from keyprojects.supervision.choices import TaskStatus
from tests.factories import ProjectFactory

from .conftest import TODAY, hold


def light(project, year, month, colour, gap):
    return MonthlyLight.objects.create(
        project=project, year=year, month=month, annual_target=Decimal(1000),
        ytd_completed=Decimal(100), expected_share=Decimal(40), actual_share=Decimal(10),
        gap_points=Decimal(gap), light=colour,
    )  # fmt: skip


def task(world, title, deadline, unit=None, project=None):
    return tasks.create_task(
        title=title, owner_unit=unit or world.owner, deadline=deadline, project=project,
        issued_by=world.office,
    )  # fmt: skip


def test_late_and_escalated_tasks_are_proposed_with_who_reports(world, meeting):
    late = task(world, "完成管线迁改", TODAY - dt.timedelta(days=3), project=world.project)
    escalated = task(world, "报送融资方案", TODAY - dt.timedelta(days=20), world.responsible)
    tasks.tasks_check_deadlines(TODAY)
    task(world, "尚未到期", TODAY + dt.timedelta(days=5))
    done = task(world, "已完成", TODAY - dt.timedelta(days=9))
    tasks.task_submit(done, user=world.owner_user, text="完成")
    tasks.task_accept(done, user=world.office)
    tasks.create_task(
        title="江北区的任务", owner_unit=world.foreign_project.owner_unit,
        deadline=TODAY - dt.timedelta(days=9),
    )  # fmt: skip

    added = agenda_propose(meeting, user=world.office)

    assert [(i.kind, i.text, i.unit) for i in added] == [
        (AgendaKind.ESCALATED_TASK, "报送融资方案", world.responsible),
        (AgendaKind.ESCALATED_TASK, "完成管线迁改", world.owner),
    ]
    assert added[0].source == escalated and added[1].source == late
    assert added[1].project == world.project
    assert added[1].source_url == f"/tasks/{late.pk}/"


def test_the_latest_months_red_and_yellow_projects_are_proposed_red_first(world, meeting):
    finished = ProjectFactory(jurisdiction=world.district, stage=Stage.COMPLETED, name="已建成")
    behind = ProjectFactory(jurisdiction=world.district, name="化龙桥片区城市更新项目")
    light(world.other_project, 2026, 5, "yellow", "-15")
    light(world.project, 2026, 5, "red", "-35")
    light(behind, 2026, 5, "red", "-42")
    light(finished, 2026, 5, "red", "-50")
    light(world.foreign_project, 2026, 5, "red", "-60")
    light(world.project, 2026, 4, "red", "-35")
    light(behind, 2026, 7, "green", "0")  # a month not reached yet is not the latest
    light(ProjectFactory(jurisdiction=world.district), 2026, 5, "green", "2")

    added = agenda_propose(meeting, user=world.office)

    assert [(i.kind, i.project) for i in added] == [
        (AgendaKind.LAGGING_PROJECT, behind),
        (AgendaKind.LAGGING_PROJECT, world.project),
        (AgendaKind.LAGGING_PROJECT, world.other_project),
    ]
    assert "-42" in added[0].text and "2026-05" in added[0].text
    assert added[0].unit == behind.owner_unit
    assert added[0].source_url == f"/projects/{behind.pk}/"


def test_open_decisions_of_earlier_meetings_are_carried_over_first_and_only_once(world, decided):
    first = decided
    services.decision_add(
        first, user=world.office, text="已办结的决定", owner_unit=world.owner,
        deadline=TODAY + dt.timedelta(days=2),
    )  # fmt: skip
    hold(first, world.office)
    services.meeting_close(first, user=world.office)
    open_one, done_one = first.decisions.order_by("order")
    tasks.task_submit(done_one.task, user=world.owner_user, text="完成")
    tasks.task_accept(done_one.task, user=world.office)
    overdue_elsewhere = task(world, "其他逾期任务", TODAY - dt.timedelta(days=1))
    second = services.meeting_create(
        user=world.office, jurisdiction=world.district, date=TODAY + dt.timedelta(days=30)
    )

    with_time = TODAY + dt.timedelta(days=25)  # the open decision is overdue by then
    added = agenda_propose(second, user=world.office, today=with_time)

    assert [(i.kind, i.source) for i in added] == [
        (AgendaKind.CARRIED_OVER, open_one),
        (AgendaKind.ESCALATED_TASK, overdue_elsewhere),
    ]
    assert added[0].text == open_one.text and added[0].unit == world.responsible
    assert added[0].source_url.endswith(f"/meetings/{first.pk}/#decision-{open_one.pk}")


def test_proposing_twice_adds_nothing_twice_and_keeps_what_was_typed(world, meeting):
    agenda.agenda_add(meeting, user=world.office, text="区发改委通报投资完成情况")
    task(world, "完成管线迁改", TODAY - dt.timedelta(days=3))
    light(world.project, 2026, 5, "red", "-35")

    first = agenda_propose(meeting, user=world.office)
    again = agenda_propose(meeting, user=world.office)

    assert len(first) == 2 and again == []
    assert list(meeting.agenda.values_list("order", flat=True)) == [1, 2, 3]
    assert meeting.agenda.first().text == "区发改委通报投资完成情况"


def test_the_agenda_is_proposed_only_before_the_meeting(world, meeting):
    hold(meeting, world.office)
    with pytest.raises(ValidationError, match="proposed before the meeting"):
        agenda_propose(meeting, user=world.office)


def test_a_meeting_opens_with_the_last_meetings_decisions_and_what_became_of_them(
    world, decided, frozen
):
    first = decided
    for text, days in (("逾期未办", 3), ("已报完成", 10), ("已办结", 10), ("已撤销", 10)):
        services.decision_add(
            first, user=world.office, text=text, owner_unit=world.owner,
            deadline=TODAY + dt.timedelta(days=days),
        )  # fmt: skip
    hold(first, world.office)
    services.meeting_close(first, user=world.office)
    on_time, late, reported, accepted, dropped = first.decisions.order_by("order")
    tasks.task_submit(reported.task, user=world.owner_user, text="已完成")
    tasks.task_submit(accepted.task, user=world.owner_user, text="已完成")
    tasks.task_accept(accepted.task, user=world.office)
    tasks.task_cancel(dropped.task, user=world.office, reason="情况变化")
    cancelled = services.meeting_create(
        user=world.office, jurisdiction=world.district, date=TODAY + dt.timedelta(days=3)
    )
    services.meeting_cancel(cancelled, user=world.office, reason="改期")
    frozen.shift(dt.timedelta(days=5))
    second = services.meeting_create(
        user=world.office, jurisdiction=world.district, date=TODAY + dt.timedelta(days=5)
    )

    begins = opening(second)

    assert begins.previous == first
    states = [(d.text, d.state) for d in begins.decisions]
    assert states == [
        (on_time.text, DecisionOutcome.OPEN),
        ("逾期未办", DecisionOutcome.OVERDUE),
        ("已报完成", DecisionOutcome.SUBMITTED),
        ("已办结", DecisionOutcome.DONE),
        ("已撤销", DecisionOutcome.CANCELLED),
    ]
    assert begins.counts[DecisionOutcome.OVERDUE] == 1
    assert opening(first).previous is None
    carried = agenda_propose(second, user=world.office)
    assert [i.source for i in carried if i.kind == AgendaKind.CARRIED_OVER] == [
        on_time, late, reported,
    ]  # fmt: skip
    assert reported.task.status == TaskStatus.SUBMITTED


def test_an_overdue_problem_is_proposed_once_and_its_tasks_not_again(world, frozen):
    from keyprojects.problems import services as problems
    from keyprojects.problems.choices import Category

    problem = problems.problem_raise(
        user=world.owner_user, project=world.project, category=Category.UTILITIES,
        title="10kV电力管线迁改滞后", need="请协调供电公司尽快实施迁改",
    )  # fmt: skip
    problems.problem_assign(
        problem, user=world.office, units=[world.responsible],
        deadline=TODAY + dt.timedelta(days=5),
    )  # fmt: skip
    frozen.shift(dt.timedelta(days=8))
    later = TODAY + dt.timedelta(days=8)
    meeting = services.meeting_create(user=world.office, jurisdiction=world.district, date=later)

    added = agenda_propose(meeting, user=world.office)

    assert [(i.kind, i.source, i.unit, i.project) for i in added] == [
        (AgendaKind.OVERDUE_PROBLEM, problem, world.responsible, world.project)
    ]
    assert added[0].text == "10kV电力管线迁改滞后"
    assert added[0].source_url == f"/problems/{problem.pk}/"
    assert item_state(added[0], later) == DecisionOutcome.OVERDUE
