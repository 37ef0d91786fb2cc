"""Overdue problems and hazards: each firing and clearing at its edges, and the task that
carries one out not raising a second alert."""

from __future__ import annotations

import datetime as dt

import pytest

from keyprojects.alerts.choices import AlertKind
from keyprojects.alerts.models import Alert
from keyprojects.inspections import services as inspections
from keyprojects.inspections.choices import Outcome
from keyprojects.problems import services as problems
from keyprojects.problems.choices import Category, Severity
from tests.inspections.conftest import _media, checklist, draft, frozen, mark, photo  # noqa: F401

from .conftest import evaluate, on, set_rule, tracked

PROBLEM = AlertKind.PROBLEM_OVERDUE
HAZARD = AlertKind.HAZARD_OVERDUE
TASK = AlertKind.TASK_OVERDUE


@pytest.fixture
def problem(world):
    with on(dt.date(2026, 6, 1)):
        raised = problems.problem_raise(
            user=world.owner_user, project=world.project, category=Category.UTILITIES,
            severity=Severity.IMPORTANT, title="10kV电力管线迁改滞后", need="请协调供电公司",
        )  # fmt: skip
        problems.problem_assign(raised, user=world.office, units=[world.responsible],
                                deadline=dt.date(2026, 6, 10))  # fmt: skip
    raised.refresh_from_db()
    return raised


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 6, 10), None),
        (dt.date(2026, 6, 11), "yellow"),
        (dt.date(2026, 6, 24), "yellow"),  # 14 days overdue
        (dt.date(2026, 6, 25), "red"),
    ],
)
def test_an_overdue_problem_fires_after_its_deadline_and_turns_red_after_14_days(
    world, problem, day, expected
):
    evaluate(world, day, PROBLEM)
    assert tracked(PROBLEM) == ({f"problem:{problem.pk}": expected} if expected else {})


def test_an_overdue_problem_is_the_assigned_units_and_its_task_raises_no_second_alert(
    world, problem
):
    evaluate(world, dt.date(2026, 6, 12), PROBLEM, TASK)
    alert = Alert.objects.get()
    assert alert.kind == PROBLEM and alert.owner_unit == world.responsible
    assert alert.label == "10kV电力管线迁改滞后"
    set_rule(world, PROBLEM, enabled=False)
    evaluate(world, dt.date(2026, 6, 12), TASK)
    assert len(tracked(TASK)) == 1  # with the problem's rule off, its task is followed


def test_an_overdue_problem_clears_when_its_deadline_moves(world, problem):
    evaluate(world, dt.date(2026, 6, 12), PROBLEM)
    with on(dt.date(2026, 6, 12)):
        problems.problem_set_deadline(problem, user=world.office, deadline=dt.date(2026, 6, 30),
                                      reason="供电公司排期")  # fmt: skip
    evaluate(world, dt.date(2026, 6, 13), PROBLEM)
    assert tracked(PROBLEM) == {}
    assert Alert.objects.get(kind=PROBLEM).resolved_by_itself


@pytest.fixture
def general(world, draft):  # noqa: F811
    """A general hazard (the second item failed), to rectify within three days: by 13 June."""
    mark(draft, world.office, Outcome.PASS, Outcome.FAIL, Outcome.PASS, notes={2: "配电箱未接地"})
    (found,) = inspections.inspection_complete(user=world.office, inspection=draft)
    return found


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 6, 13), None),
        (dt.date(2026, 6, 14), "yellow"),
        (dt.date(2026, 6, 20), "yellow"),  # 7 days overdue
        (dt.date(2026, 6, 21), "red"),
    ],
)
def test_an_overdue_hazard_fires_after_its_deadline_and_turns_red_after_7_days(
    world, general, day, expected
):
    assert general.deadline == dt.date(2026, 6, 13)
    evaluate(world, day, HAZARD)
    assert tracked(HAZARD) == ({f"hazard:{general.pk}": expected} if expected else {})


def test_a_major_hazard_is_red_as_soon_as_it_is_overdue(world, draft):  # noqa: F811
    mark(draft, world.office, Outcome.FAIL, Outcome.PASS, Outcome.PASS, notes={1: "临边无防护"})
    (major,) = inspections.inspection_complete(user=world.office, inspection=draft)
    evaluate(world, major.deadline, HAZARD)
    assert tracked(HAZARD) == {}
    evaluate(world, major.deadline + dt.timedelta(days=1), HAZARD)
    assert tracked(HAZARD) == {f"hazard:{major.pk}": "red"}
    assert Alert.objects.get(kind=HAZARD).params["major"] is True


def test_a_hazard_clears_once_rectified_and_fires_again_when_returned(world, general):
    evaluate(world, dt.date(2026, 6, 15), HAZARD, TASK)
    assert list(tracked(HAZARD).values()) == ["yellow"] and tracked(TASK) == {}
    alert = Alert.objects.get(kind=HAZARD)
    assert alert.owner_unit_id == general.responsible_unit_id
    with on(dt.date(2026, 6, 15)):
        inspections.hazard_rectify(user=world.office, hazard=general, upload=photo())
    evaluate(world, dt.date(2026, 6, 16), HAZARD)
    assert tracked(HAZARD) == {}
    general.refresh_from_db()
    with on(dt.date(2026, 6, 16)):
        inspections.hazard_return(user=world.office, hazard=general, reason="未整改到位")
    evaluate(world, dt.date(2026, 6, 16), HAZARD)
    assert list(tracked(HAZARD).values()) == ["yellow"]
    assert Alert.objects.filter(kind=HAZARD).count() == 2
