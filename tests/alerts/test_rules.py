"""Each rule firing and clearing at its edges, with the clock frozen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keyprojects.alerts.choices import AlertKind, AlertStatus
from keyprojects.alerts.models import Alert
from keyprojects.money import services as money
from keyprojects.progress.services import report_save, report_submit
from keyprojects.projects.choices import Stage
from keyprojects.scheduling import services as scheduling
from keyprojects.supervision import services as supervision
from keyprojects.supervision.models import Task

from .conftest import evaluate, light, on, set_rule, tracked

PACE = AlertKind.PACE_LAG


# -- 序时进度 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gap", "expected"),
    [
        ("-9.99", None),  # less than 10 points behind: green
        ("-10.00", "yellow"),  # the yellow edge is yellow
        ("-30.00", "yellow"),  # the red edge is still yellow
        ("-30.01", "red"),
        ("5.00", None),
    ],
)
def test_pace_lag_follows_the_light_thresholds_at_their_edges(world, gap, expected):
    light(world.project, 2026, 5, gap)
    evaluate(world, dt.date(2026, 6, 10), PACE)
    subject = f"project:{world.project.pk}"
    assert tracked(PACE) == ({subject: expected} if expected else {})


def test_pace_lag_judges_the_month_whose_report_is_due(world):
    # April red, May green: until May's report is due (the 5th of June) April stands.
    light(world.project, 2026, 4, "-35")
    light(world.project, 2026, 5, "-2")
    evaluate(world, dt.date(2026, 6, 5), PACE)
    assert list(tracked(PACE).values()) == ["red"]
    evaluate(world, dt.date(2026, 6, 6), PACE)
    assert tracked(PACE) == {}
    alert = Alert.objects.get(kind=PACE)
    assert alert.status == AlertStatus.RESOLVED and alert.resolved_by_itself
    assert alert.params["month"] == 4


def test_a_red_project_stays_red_until_it_catches_up_into_green(world):
    light(world.project, 2026, 4, "-31", "red")
    light(world.project, 2026, 5, "-15")
    evaluate(world, dt.date(2026, 6, 10), PACE)
    assert list(tracked(PACE).values()) == ["red"]
    light(world.project, 2026, 5, "-9")
    evaluate(world, dt.date(2026, 6, 11), PACE)
    assert tracked(PACE) == {}


def test_pace_lag_uses_the_rules_own_thresholds(world):
    light(world.project, 2026, 5, "-12")
    set_rule(world, PACE, params={"yellow_points": 15, "red_points": 20})
    evaluate(world, dt.date(2026, 6, 10), PACE)
    assert tracked(PACE) == {}
    set_rule(world, PACE, params={"yellow_points": 5, "red_points": 11.5})
    evaluate(world, dt.date(2026, 6, 10), PACE)
    assert list(tracked(PACE).values()) == ["red"]


def test_a_cancelled_project_raises_no_pace_alert(world):
    light(world.project, 2026, 5, "-50")
    world.project.stage = Stage.CANCELLED
    world.project.save()
    evaluate(world, dt.date(2026, 6, 10), PACE)
    assert tracked(PACE) == {}


# -- 开工 ---------------------------------------------------------------------------------------

START = AlertKind.START_OVERDUE


@pytest.fixture
def not_started(world):
    project = world.project
    project.stage, project.actual_start = Stage.PRELIMINARY, None
    project.planned_start = dt.date(2026, 4, 20)
    project.save()
    return project


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 5, 31), None),  # the month being reported (April) holds the start
        (dt.date(2026, 6, 1), "yellow"),  # May is reported: April has passed without 开工
        (dt.date(2026, 7, 19), "yellow"),  # 90 days after the planned start
        (dt.date(2026, 7, 20), "red"),  # 91 days
    ],
)
def test_a_missed_start_fires_when_its_month_has_passed_and_turns_red_after_90_days(
    world, not_started, day, expected
):
    evaluate(world, day, START)
    subject = f"project:{not_started.pk}"
    assert tracked(START) == ({subject: expected} if expected else {})


def test_a_missed_start_clears_on_starting_works(world, not_started):
    evaluate(world, dt.date(2026, 6, 1), START)
    not_started.stage, not_started.actual_start = Stage.CONSTRUCTION, dt.date(2026, 6, 2)
    not_started.save()
    evaluate(world, dt.date(2026, 6, 3), START)
    assert tracked(START) == {}
    assert Alert.objects.get(kind=START).resolved_by_itself


# -- 月报 ---------------------------------------------------------------------------------------

REPORT = AlertKind.REPORT_LATE


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 6, 5), None),  # due today
        (dt.date(2026, 6, 6), "yellow"),  # a day late
        (dt.date(2026, 6, 15), "yellow"),  # ten days late
        (dt.date(2026, 6, 16), "red"),  # eleven
    ],
)
def test_a_late_report_fires_after_its_due_day_and_turns_red_after_ten_days(world, day, expected):
    evaluate(world, day, REPORT)
    subject = f"report:{world.project.pk}:2026-05"
    assert tracked(REPORT, world.project) == ({subject: expected} if expected else {})


def test_grace_days_move_the_edge(world):
    set_rule(world, REPORT, params={"grace_days": 3, "red_after_days": 10})
    evaluate(world, dt.date(2026, 6, 8), REPORT)
    assert tracked(REPORT, world.project) == {}
    evaluate(world, dt.date(2026, 6, 9), REPORT)
    assert list(tracked(REPORT, world.project).values()) == ["yellow"]


def test_a_late_report_clears_when_submitted_and_a_draft_does_not_count(world):
    evaluate(world, dt.date(2026, 6, 6), REPORT)
    report = report_save(project=world.project, year=2026, month=5, investment=Decimal(1000))
    evaluate(world, dt.date(2026, 6, 7), REPORT)
    assert len(tracked(REPORT, world.project)) == 1
    report_submit(report=report)
    evaluate(world, dt.date(2026, 6, 8), REPORT)
    assert tracked(REPORT, world.project) == {}


def test_an_earlier_month_still_missing_stays_open_beside_the_new_one(world):
    evaluate(world, dt.date(2026, 6, 6), REPORT)
    evaluate(world, dt.date(2026, 7, 6), REPORT)
    pid = world.project.pk
    assert tracked(REPORT, world.project) == {
        f"report:{pid}:2026-05": "red",
        f"report:{pid}:2026-06": "yellow",
    }
    report_submit(report=report_save(project=world.project, year=2026, month=5,
                                     investment=Decimal(0)))  # fmt: skip
    evaluate(world, dt.date(2026, 7, 7), REPORT)
    assert tracked(REPORT, world.project) == {f"report:{pid}:2026-06": "yellow"}


def test_a_project_that_stops_building_owes_no_more_reports(world):
    evaluate(world, dt.date(2026, 6, 6), REPORT)
    world.project.stage = Stage.COMPLETED
    world.project.save()
    evaluate(world, dt.date(2026, 7, 6), REPORT)
    assert tracked(REPORT, world.project) == {}


# -- schedules --------------------------------------------------------------------------------

SLIP = AlertKind.MILESTONE_SLIP
FLOAT = AlertKind.NEGATIVE_FLOAT
DAY_MINUTES = 8 * 60


@pytest.fixture
def schedule(world):
    """A task of ten working days (2–13 March 2026, no holidays), then a finish milestone;
    the deadline is the milestone's date, so nothing has float to spare."""
    with on(dt.date(2026, 3, 1)):
        made = scheduling.schedule_create(
            project=world.project, name="进度计划", days_per_week=5,
            data_date=dt.datetime(2026, 3, 2, 8), deadline=dt.datetime(2026, 3, 13, 17),
        )  # fmt: skip
        task = scheduling.activity_add(
            schedule=made, version=made.version, code="A", name="主体结构施工", kind="task",
            duration_days=10,
        )  # fmt: skip
        made.refresh_from_db()
        milestone = scheduling.activity_add(schedule=made, version=made.version, code="M",
                                            name="主体封顶", kind="finish_milestone",
                                            duration_days=0)  # fmt: skip
        made.refresh_from_db()
        scheduling.relation_add(schedule=made, version=made.version, predecessor=task,
                                successor=milestone, kind="FS")  # fmt: skip
        made.refresh_from_db()
    return made


def _stretch(schedule, days):
    schedule.refresh_from_db()
    task = schedule.activities.get(code="A")
    with on(dt.date(2026, 3, 1)):
        scheduling.activity_update(
            activity=task, version=schedule.version, original_minutes=days * DAY_MINUTES
        )


@pytest.mark.parametrize(
    ("days", "expected"),
    [(15, None), (16, "yellow"), (30, "yellow"), (31, "red")],  # slip 5, 6, 20, 21 days
)
def test_a_milestone_slip_against_the_baseline_fires_past_its_edges(
    world, schedule, days, expected
):
    with on(dt.date(2026, 3, 1)):
        scheduling.baseline_save(schedule=schedule, name="目标计划")
    _stretch(schedule, days)
    evaluate(world, dt.date(2026, 3, 2), SLIP)
    milestone = schedule.activities.get(code="M")
    assert tracked(SLIP) == ({f"activity:{milestone.pk}": expected} if expected else {})
    if expected:
        alert = Alert.objects.get(kind=SLIP)
        assert alert.params["slip_days"] == days - 10
        assert alert.label == "M 主体封顶"


def test_a_milestone_slip_clears_when_the_milestone_is_reached(world, schedule):
    with on(dt.date(2026, 3, 1)):
        scheduling.baseline_save(schedule=schedule, name="目标计划")
    _stretch(schedule, 20)
    evaluate(world, dt.date(2026, 3, 2), SLIP)
    assert len(tracked(SLIP)) == 1
    schedule.refresh_from_db()
    milestone = schedule.activities.get(code="M")
    with on(dt.date(2026, 4, 1)):
        scheduling.activity_update(
            activity=milestone, version=schedule.version,
            actual_start=dt.datetime(2026, 3, 27, 17), actual_finish=dt.datetime(2026, 3, 27, 17),
        )  # fmt: skip
    evaluate(world, dt.date(2026, 4, 1), SLIP)
    assert tracked(SLIP) == {}


def test_without_a_baseline_nothing_slips(world, schedule):
    _stretch(schedule, 40)
    evaluate(world, dt.date(2026, 3, 2), SLIP)
    assert tracked(SLIP) == {}


@pytest.mark.parametrize(
    ("days", "expected"),
    [(10, None), (11, "yellow"), (20, "yellow"), (21, "red")],  # 0, 1, 10, 11 days late
)
def test_negative_float_against_the_deadline_fires_past_its_edges(world, schedule, days, expected):
    _stretch(schedule, days)
    evaluate(world, dt.date(2026, 3, 2), FLOAT)
    subject = f"project:{world.project.pk}"
    assert tracked(FLOAT) == ({subject: expected} if expected else {})
    if expected:
        alert = Alert.objects.get(kind=FLOAT)
        assert alert.params["late_days"] == days - 10
        assert alert.params["deadline"] == "2026-03-13"


def test_negative_float_clears_when_the_deadline_moves(world, schedule):
    _stretch(schedule, 12)
    evaluate(world, dt.date(2026, 3, 2), FLOAT)
    assert len(tracked(FLOAT)) == 1
    schedule.refresh_from_db()
    with on(dt.date(2026, 3, 2)):
        scheduling.schedule_set_dates(
            schedule=schedule, data_date=dt.datetime(2026, 3, 2, 8),
            deadline=dt.datetime(2026, 3, 31, 17),
        )  # fmt: skip
    evaluate(world, dt.date(2026, 3, 3), FLOAT)
    assert tracked(FLOAT) == {}


# -- money ------------------------------------------------------------------------------------

MONEY = AlertKind.OVER_ESTIMATE


def _contract(world, value, name="施工总承包"):
    return money.contract_add(
        project=world.project, name=name, kind="construction", contractor="中建某局",
        value=Decimal(value), over_reason="设计变更",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1000000.00", None), ("1000000.01", "yellow"), ("1050000.00", "yellow"),
     ("1050000.01", "red")],
)  # fmt: skip
def test_contracts_over_the_estimate_fire_past_its_edges(world, value, expected):
    money.estimate_set(project=world.project, amount=Decimal(1_000_000))
    _contract(world, value)
    evaluate(world, dt.date(2026, 6, 10), MONEY)
    subject = f"contracts:{world.project.pk}"
    assert tracked(MONEY) == ({subject: expected} if expected else {})


def test_variations_count_and_payments_over_the_estimate_fire_on_their_own(world):
    money.estimate_set(project=world.project, amount=Decimal(1_000_000))
    contract = _contract(world, "900000")
    money.variation_add(contract=contract, amount=Decimal(200_000), reason="增加地下室")
    money.payment_add(contract=contract, amount=Decimal("1000000.01"), paid_on=dt.date(2026, 6, 1))
    evaluate(world, dt.date(2026, 6, 10), MONEY)
    pid = world.project.pk
    assert tracked(MONEY) == {f"contracts:{pid}": "red", f"payments:{pid}": "yellow"}


def test_contracts_over_the_estimate_clear_when_the_estimate_is_raised(world):
    money.estimate_set(project=world.project, amount=Decimal(1_000_000))
    _contract(world, "1200000")
    evaluate(world, dt.date(2026, 6, 10), MONEY)
    money.estimate_set(project=world.project, amount=Decimal(1_300_000))
    evaluate(world, dt.date(2026, 6, 11), MONEY)
    assert tracked(MONEY) == {}


# -- tasks ------------------------------------------------------------------------------------

TASK = AlertKind.TASK_OVERDUE


@pytest.fixture
def task(world):
    with on(dt.date(2026, 6, 1)):
        return supervision.create_task(
            title="完成管线迁改方案", owner_unit=world.responsible, deadline=dt.date(2026, 6, 10),
            project=world.project, issued_by=world.office,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 6, 10), None),  # due today
        (dt.date(2026, 6, 11), "yellow"),
        (dt.date(2026, 6, 24), "yellow"),  # 14 days overdue
        (dt.date(2026, 6, 25), "red"),  # 15
    ],
)
def test_an_overdue_task_fires_after_its_deadline_and_turns_red_after_14_days(
    world, task, day, expected
):
    evaluate(world, day, TASK)
    assert tracked(TASK) == ({f"task:{task.pk}": expected} if expected else {})


def test_an_overdue_task_is_answered_for_by_its_own_unit(world, task):
    evaluate(world, dt.date(2026, 6, 11), TASK)
    alert = Alert.objects.get(kind=TASK)
    assert alert.owner_unit == world.responsible
    assert alert.label == task.title


def test_an_overdue_task_clears_when_extended_fires_again_and_clears_once_accepted(world, task):
    evaluate(world, dt.date(2026, 6, 11), TASK)
    with on(dt.date(2026, 6, 11)):
        supervision.task_extend(task, user=world.office, deadline=dt.date(2026, 6, 30),
                                reason="协调电力部门")  # fmt: skip
    evaluate(world, dt.date(2026, 6, 12), TASK)
    assert tracked(TASK) == {}
    evaluate(world, dt.date(2026, 7, 1), TASK)
    assert tracked(TASK) == {f"task:{task.pk}": "yellow"}
    with on(dt.date(2026, 7, 1)):
        task.refresh_from_db()
        supervision.task_submit(task, user=world.responsible_user, text="已完成")
    evaluate(world, dt.date(2026, 7, 2), TASK)
    assert len(tracked(TASK)) == 1  # reported done, still waiting for acceptance
    with on(dt.date(2026, 7, 2)):
        supervision.task_accept(task, user=world.office)
    evaluate(world, dt.date(2026, 7, 2), TASK)
    assert tracked(TASK) == {}
    first, second = Alert.objects.filter(kind=TASK).order_by("opened_at")
    assert first.resolved_by_itself and second.resolved_by_itself


def test_a_task_of_no_project_raises_a_unit_level_alert(world):
    with on(dt.date(2026, 6, 1)):
        loose = supervision.create_task(title="报送年度投资计划", owner_unit=world.bystander_unit,
                                        deadline=dt.date(2026, 6, 5))  # fmt: skip
    evaluate(world, dt.date(2026, 6, 6), TASK)
    alert = Alert.objects.get(kind=TASK)
    assert alert.project is None and alert.owner_unit == world.bystander_unit
    assert alert.subject == f"task:{loose.pk}"


def test_tasks_of_another_district_are_its_own(world):
    other = world.foreign_project
    with on(dt.date(2026, 6, 1)):
        supervision.create_task(title="江北任务", owner_unit=other.owner_unit, project=other,
                                deadline=dt.date(2026, 6, 5))  # fmt: skip
    evaluate(world, dt.date(2026, 6, 10), TASK)
    assert tracked(TASK) == {}
    assert not Task.objects.filter(source_kind="alert").exists()
