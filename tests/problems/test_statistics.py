"""Statistics per unit, worked out by hand on a frozen clock."""

from __future__ import annotations

import datetime as dt

import time_machine

from keyprojects.problems import services
from keyprojects.problems.choices import Severity
from keyprojects.problems.statistics import unit_statistics
from keyprojects.supervision import services as supervision
from keyprojects.supervision.sources import tasks_of

from .conftest import fresh


def at(day: int, hour: int, month: int = 6):
    """Beijing time on a day of June 2026."""
    moment = dt.datetime(2026, month, day, hour, tzinfo=dt.UTC) - dt.timedelta(hours=8)
    return time_machine.travel(moment, tick=False)


def stats(world, **kwargs):
    rows = unit_statistics(
        jurisdiction_ids=kwargs.pop("jurisdiction_ids", [world.district.pk]),
        start=kwargs.pop("start", dt.date(2026, 6, 1)),
        end=kwargs.pop("end", dt.date(2026, 6, 30)),
        today=kwargs.pop("today", dt.date(2026, 6, 30)),
        **kwargs,
    )
    return {row.unit: row for row in rows}


def test_response_time_closure_rate_overdue_and_satisfaction(world, raise_problem):
    # Two problems raised by the owner unit on Monday 1 June.
    with at(1, 9):
        quick = raise_problem(severity=Severity.URGENT, title="快速办理")
        slow = raise_problem(severity=Severity.URGENT, title="拖延办理")
        services.problem_assign(quick, user=world.office, units=[world.responsible])
        services.problem_assign(
            slow, user=world.office, units=[world.responsible, world.bystander_unit]
        )
    # The responsible unit answers the first four hours later and finishes it in time.
    with at(1, 13):
        services.problem_respond(fresh(quick), user=world.responsible_user, text="已办", done=True)
    with at(2, 10):
        supervision.task_accept(tasks_of(quick).get(), user=world.office)
        services.problem_confirm(fresh(quick), user=world.owner_user, rating=4)
    # It answers the second a day later and reports it done after the deadline (4 June).
    with at(2, 9):
        services.problem_respond(fresh(slow), user=world.responsible_user, text="协调中")
    with at(5, 9):
        services.problem_respond(fresh(slow), user=world.responsible_user, text="已办", done=True)
    # The bystander unit never answers.

    rows = stats(world)

    responsible = rows[world.responsible]
    assert responsible.assigned == 2 and responsible.responded == 2
    assert responsible.average_response_hours == 14.0  # (4 + 24) / 2
    assert responsible.done == 1 and responsible.closure_rate == 50.0
    assert responsible.overdue == 1
    assert responsible.satisfaction == 4.0 and responsible.rated == 1

    bystander = rows[world.bystander_unit]
    assert bystander.assigned == 1 and bystander.responded == 0
    assert bystander.average_response_hours is None and bystander.closure_rate == 0.0
    assert bystander.overdue == 1 and bystander.satisfaction is None

    owner = rows[world.owner]
    assert owner.raised == 2 and owner.assigned == 0 and owner.closure_rate is None


def test_the_period_and_the_units_limit_the_rows(world, raise_problem):
    with at(1, 9):
        problem = raise_problem()
        services.problem_assign(problem, user=world.office, units=[world.responsible])

    assert stats(world, start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 31)) == {}
    assert set(stats(world, unit_ids=[world.responsible.pk])) == {world.responsible}
    assert stats(world, jurisdiction_ids=[world.other_district.pk]) == {}


def test_cancelled_assignments_do_not_count(world, raise_problem):
    with at(1, 9):
        problem = raise_problem()
        services.problem_assign(
            problem, user=world.office, units=[world.responsible, world.bystander_unit]
        )
        supervision.task_cancel(
            tasks_of(problem).get(owner_unit=world.bystander_unit), user=world.office, reason="误派"
        )

    rows = stats(world)

    assert world.bystander_unit not in rows
    assert rows[world.responsible].assigned == 1


def test_satisfaction_counts_each_problem_once_per_unit(world, raise_problem):
    with at(1, 9):
        problem = raise_problem()
        services.problem_assign(problem, user=world.office, units=[world.responsible])
    with at(2, 9):
        services.problem_respond(fresh(problem), user=world.responsible_user, text="好", done=True)
        supervision.task_accept(tasks_of(problem).get(), user=world.office)
        services.problem_reopen(fresh(problem), user=world.owner_user, reason="未完")
    with at(3, 9):
        services.problem_respond(fresh(problem), user=world.responsible_user, text="好", done=True)
        supervision.task_accept(tasks_of(problem).get(status="submitted"), user=world.office)
        services.problem_confirm(fresh(problem), user=world.owner_user, rating=3, comment="一般")

    row = stats(world)[world.responsible]

    assert row.assigned == 2 and row.done == 2
    assert row.rated == 1 and row.satisfaction == 3.0


def test_an_answer_on_the_task_page_counts_as_a_response(world, raise_problem):
    with at(1, 9):
        problem = raise_problem()
        services.problem_assign(problem, user=world.office, units=[world.responsible])
    task = tasks_of(problem).get()
    with at(1, 11):
        # The office's own note is not the unit's answer.
        supervision.task_comment(task, user=world.office, text="请尽快反馈")
    with at(1, 15):
        supervision.task_comment(task, user=world.responsible_user, text="已安排")

    row = stats(world)[world.responsible]

    assert row.responded == 1 and row.average_response_hours == 6.0
