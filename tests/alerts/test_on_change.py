"""Rules re-evaluated when what they read changes: once per transaction, after it commits,
only for the projects it touched; after a large bulk write, by the task worker."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import transaction

from keyprojects.alerts import services, signals
from keyprojects.alerts.choices import AlertKind
from keyprojects.alerts.models import Alert
from keyprojects.alerts.tasks import reevaluate_alerts
from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting
from keyprojects.money import services as money
from keyprojects.progress.models import MonthlyLight
from keyprojects.progress.services import (
    GridRow,
    lights_rebuild,
    report_accept,
    report_save,
    report_submit,
    reports_save_grid,
)
from keyprojects.projects.choices import Stage
from keyprojects.projects.excel import ledger_import
from keyprojects.projects.models import AnnualPlan, Project
from keyprojects.supervision import services as supervision
from tests.projects.excel.ledgers import workbook_bytes

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


def test_a_rebuild_of_lights_evaluates_the_projects_whose_light_changed(world, calls, committed):
    AnnualPlan.objects.create(project=world.project, year=2026, investment_target=Decimal(1_000))
    with on(JUNE), committed():
        lights_rebuild(year=2026, month=5)
    assert MonthlyLight.objects.get(project=world.project, year=2026, month=5).light == "red"
    assert [c["projects"] for c in calls] == [{AlertKind.PACE_LAG: {world.project.pk}}]
    assert tracked(AlertKind.PACE_LAG) == {f"project:{world.project.pk}": "red"}
    with on(JUNE), committed():
        lights_rebuild(year=2026, month=5)  # the same lights again: nothing to evaluate
    assert len(calls) == 1


def _new_start_ledger(*names: str) -> io.BytesIO:
    # Projects due to start in January 2026 that have not: the start-of-works rule's case.
    header = ["项目名称", "业主单位", "责任单位", "总投资", "计划开工日期", "年度计划投资"]
    start = dt.datetime(2026, 1, 10)
    rows = [[n, "区城投公司", "区住房城市建委", 5000, start, 1000] for n in names]
    return io.BytesIO(
        workbook_bytes([["渝中区2026年重点项目建设台账"], header, ["一、新开工项目"], *rows])
    )


def test_an_imported_ledger_is_evaluated_once_it_commits(world, calls, committed):
    with on(JUNE), committed(), acting(actor=world.office, channel=Channel.WEB):
        assert ledger_import(_new_start_ledger("两路口停车场"), jurisdiction=world.district).applied
    project = Project.objects.get(name="两路口停车场")
    assert len(calls) == 1
    assert calls[0]["projects"][AlertKind.START_OVERDUE] == {project.pk}
    assert calls[0]["lights"] == {project.pk}  # its figures changed: its light is rebuilt first
    assert f"project:{project.pk}" in tracked(AlertKind.START_OVERDUE)


def test_a_failed_import_evaluates_nothing(world, calls, committed):
    ledger = _new_start_ledger("两路口停车场", "两路口停车场")  # the same project twice
    with on(JUNE), committed(), acting(actor=world.office, channel=Channel.WEB):
        assert not ledger_import(ledger, jurisdiction=world.district).applied
    assert calls == [] and not Alert.objects.exists()


def test_a_large_import_is_evaluated_by_the_worker(world, calls, committed, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    monkeypatch.setattr(signals, "WORKER_LIMIT", 1)
    with on(JUNE), committed(), acting(actor=world.office, channel=Channel.WEB):
        ledger = _new_start_ledger("两路口停车场", "大坪停车场")
        assert ledger_import(ledger, jurisdiction=world.district).applied
    assert calls == [] and not Alert.objects.exists()  # the import did not wait for it
    queued = DBTaskResult.objects.get(task_path="keyprojects.alerts.tasks.reevaluate_alerts")
    ((kinds, ids),) = queued.args_kwargs["kwargs"]["projects"]  # every kind, for both, once
    assert len(kinds) == len(AlertKind.values) and len(ids) == 2
    with on(JUNE):
        counts = reevaluate_alerts.call(**queued.args_kwargs["kwargs"])
    assert counts["opened"] >= 2
    assert len(tracked(AlertKind.START_OVERDUE)) == 2


def test_a_saved_grid_evaluates_the_reports_of_its_projects(world, calls, committed):
    grid = [GridRow(world.project, {"investment": Decimal(10_000), "progress_text": "施工"})]
    with on(JUNE), committed():
        assert reports_save_grid(year=2026, month=5, rows=grid, submit=True) == {}
    assert calls[0]["projects"][AlertKind.REPORT_LATE] == {world.project.pk}


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
