"""Rules re-evaluated when what they read changes: once per transaction, after it commits,
only for the projects it touched, and not at all for the bulk writers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from keyprojects.alerts import services, signals
from keyprojects.alerts.choices import AlertKind
from keyprojects.alerts.models import Alert
from keyprojects.money import services as money
from keyprojects.progress.models import MonthlyLight
from keyprojects.progress.services import (
    lights_rebuild,
    report_accept,
    report_save,
    report_submit,
)
from keyprojects.projects.choices import Stage
from keyprojects.projects.models import AnnualPlan
from keyprojects.supervision import services as supervision

from .conftest import on, tracked

JUNE = dt.date(2026, 6, 10)


@pytest.fixture
def calls(monkeypatch):
    """Every re-evaluation, with what it was asked to look at (the real one still runs)."""
    seen = []
    real = services.alerts_reevaluate

    def spy(**kwargs):
        seen.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(services, "alerts_reevaluate", spy)
    return seen


def test_accepting_a_report_that_leaves_the_project_behind_raises_the_alert(world, committed):
    AnnualPlan.objects.create(
        project=world.project, year=2026, investment_target=Decimal(1_200_000)
    )
    with on(JUNE), committed():
        report = report_save(project=world.project, year=2026, month=5, investment=Decimal(100_000))
        report_submit(report=report)
        report_accept(report=report)
    # 100,000 of 1,200,000 is 8.33% against 41.67% expected: 33 points behind.
    assert tracked(AlertKind.PACE_LAG) == {f"project:{world.project.pk}": "red"}
    assert tracked(AlertKind.REPORT_LATE) == {}


def test_one_evaluation_per_transaction_for_every_project_touched(world, calls, committed):
    with on(JUNE), committed(), transaction.atomic():
        for project in (world.project, world.other_project):
            project.stage = Stage.PRELIMINARY
            project.actual_start = None
            project.planned_start = dt.date(2026, 1, 10)
            project.save()
        world.project.save()
    assert len(calls) == 1
    noted = calls[0]["projects"][AlertKind.START_OVERDUE]
    assert noted == {world.project.pk, world.other_project.pk}
    assert len(tracked(AlertKind.START_OVERDUE)) == 2


def test_the_bulk_writers_do_not_evaluate(world, calls, committed):
    AnnualPlan.objects.create(project=world.project, year=2026, investment_target=Decimal(1_000))
    with on(JUNE), committed():
        lights_rebuild(year=2026, month=5)
    assert MonthlyLight.objects.filter(project=world.project, month=5).exists()
    assert calls == [] and not Alert.objects.exists()


def test_changes_made_while_paused_are_not_noted(world, calls, committed):
    with committed(), signals.paused():
        world.project.save()
    assert calls == []


def test_a_rolled_back_change_raises_nothing(world, committed):
    with on(JUNE), committed(), pytest.raises(RuntimeError), transaction.atomic():
        world.project.stage, world.project.actual_start = Stage.PRELIMINARY, None
        world.project.planned_start = dt.date(2026, 1, 10)
        world.project.save()
        raise RuntimeError
    assert not Alert.objects.exists()


def test_a_task_reported_done_and_accepted_clears_its_overdue_alert_at_once(world, committed):
    with on(dt.date(2026, 6, 1)):
        task = supervision.create_task(
            title="完成方案", owner_unit=world.responsible, project=world.project,
            deadline=dt.date(2026, 6, 5),
        )  # fmt: skip
    with on(JUNE), committed():
        services.alerts_evaluate(jurisdiction_id=world.district.pk, kinds=[AlertKind.TASK_OVERDUE])
        assert len(tracked(AlertKind.TASK_OVERDUE)) == 1
        supervision.task_submit(task, user=world.responsible_user, text="已完成")
        supervision.task_accept(task, user=world.office)
    assert tracked(AlertKind.TASK_OVERDUE) == {}


def test_a_task_of_no_project_is_followed_by_its_own_id(world, calls, committed):
    with on(JUNE), committed():
        task = supervision.create_task(title="报送计划", owner_unit=world.bystander_unit,
                                       deadline=dt.date(2026, 6, 1))  # fmt: skip
    assert calls[-1]["tasks"] == {task.pk}
    assert tracked(AlertKind.TASK_OVERDUE) == {f"task:{task.pk}": "yellow"}


def test_a_payment_past_the_estimate_raises_the_money_alert(world, committed):
    with on(JUNE), committed():
        money.estimate_set(project=world.project, amount=Decimal(100))
        contract = money.contract_add(
            project=world.project, name="施工", kind="construction", contractor="某公司",
            value=Decimal(200), over_reason="变更",
        )  # fmt: skip
        money.payment_add(contract=contract, amount=Decimal(150), paid_on=JUNE)
    assert tracked(AlertKind.OVER_ESTIMATE) == {
        f"contracts:{world.project.pk}": "red",
        f"payments:{world.project.pk}": "red",
    }


def test_a_change_in_another_district_evaluates_only_its_rules(world, calls, committed):
    with on(JUNE), committed():
        world.foreign_project.save()
    assert calls[0]["projects"][AlertKind.PACE_LAG] == {world.foreign_project.pk}
    from keyprojects.alerts.models import AlertRule

    assert not AlertRule.objects.filter(jurisdiction=world.district).exists()
    assert AlertRule.objects.filter(jurisdiction=world.other_district).count() == 9


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_change_is_evaluated_at_once(world):
    with on(JUNE):
        world.project.stage, world.project.actual_start = Stage.PRELIMINARY, None
        world.project.planned_start = dt.date(2026, 1, 10)
        world.project.save()
    assert tracked(AlertKind.START_OVERDUE) == {f"project:{world.project.pk}": "red"}
