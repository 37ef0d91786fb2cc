"""A district's programme for 2026 with reports, lights and tasks, seen in October."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from keyprojects.progress.choices import ReportStatus
from keyprojects.progress.models import MonthlyReport
from keyprojects.progress.services import lights_rebuild
from keyprojects.projects.choices import Stage
from keyprojects.projects.models import Project
from keyprojects.supervision import services as tasks
from keyprojects.supervision.models import Task

from ..factories import AnnualPlanFactory, ProjectFactory

YEAR, MONTH = 2026, 10
TODAY = dt.date(2026, 11, 20)
# Cumulative percentages: a plan that expects most of its work late in the year.
CURVE = [2, 5, 10, 15, 25, 35, 45, 55, 65, 80, 90, 100]


@dataclass
class Programme:
    world: Any
    reserve: Project
    new_start: Project
    continuing: Project
    cancelled: Project
    overdue_task: Task
    submitted_task: Task


def accepted(project: Project, month: int, yuan: int, year: int = YEAR) -> MonthlyReport:
    return MonthlyReport.objects.create(
        project=project, year=year, month=month, investment=Decimal(yuan),
        status=ReportStatus.ACCEPTED,
    )  # fmt: skip


@pytest.fixture
def today() -> Any:
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC), tick=False):
        yield TODAY


@pytest.fixture
def programme(world: Any, today: dt.date) -> Programme:
    district = world.district
    reserve = ProjectFactory(
        jurisdiction=district, name="马鞍山传统风貌区", owner_unit=world.owner,
        responsible_unit=world.responsible, stage=Stage.RESERVE, planned_start=None,
        planned_completion=None, actual_start=None,
    )  # fmt: skip
    new_start = ProjectFactory(
        jurisdiction=district, name="解放碑地下停车库及连接通道三期工程", owner_unit=world.owner,
        responsible_unit=world.responsible, stage=Stage.PRELIMINARY,
        planned_start=dt.date(2026, 5, 1), planned_completion=dt.date(2028, 6, 30),
        actual_start=None, latitude=Decimal("29.557"), longitude=Decimal("106.577"),
    )  # fmt: skip
    continuing = ProjectFactory(
        jurisdiction=district, name="朝天门片区城市更新", owner_unit=world.bystander_unit,
        responsible_unit=world.responsible, planned_completion=dt.date(2027, 12, 31),
        latitude=Decimal("29.566"), longitude=Decimal("106.586"),
    )  # fmt: skip
    cancelled = ProjectFactory(
        jurisdiction=district, name="已终止项目", owner_unit=world.owner,
        responsible_unit=world.responsible, stage=Stage.CANCELLED,
    )  # fmt: skip
    Project.objects.filter(pk=world.project.pk).update(
        latitude=Decimal("29.553"), longitude=Decimal("106.572")
    )
    AnnualPlanFactory(project=world.project, investment_target=Decimal(12_000_000))
    AnnualPlanFactory(
        project=world.other_project, investment_target=Decimal(6_000_000), monthly_curve=CURVE
    )
    # An imported ledger's figure, dated June, and no report since.
    AnnualPlanFactory(
        project=continuing, investment_target=Decimal(10_000_000),
        ytd_completed=Decimal(4_000_000), figures_as_of=dt.date(2026, 6, 30),
    )  # fmt: skip
    AnnualPlanFactory(project=world.foreign_project, investment_target=Decimal(5_000_000))
    for month in range(1, MONTH + 1):
        accepted(world.project, month, 1_000_000)
        accepted(world.other_project, month, 100_000)
        accepted(world.foreign_project, month, 10_000)
    accepted(world.project, 9, 777, year=2025)  # another year: not counted
    for month in range(1, MONTH + 1):
        lights_rebuild(year=YEAR, month=month)

    def task(unit: Any, title: str, deadline: dt.date, project: Any = None) -> Task:
        return tasks.create_task(
            title=title, owner_unit=unit, deadline=deadline, project=project,
            issued_by=world.office,
        )  # fmt: skip

    done = task(world.owner, "完成管线迁改方案", dt.date(2026, 12, 1), world.project)
    tasks.task_submit(done, user=world.owner_user, text="已完成")
    tasks.task_accept(done, user=world.office)
    overdue = task(world.owner, "解决施工用电", dt.date(2026, 11, 1), world.project)
    task(world.owner, "补充可研材料", dt.date(2026, 12, 15))
    submitted = task(world.bystander_unit, "完成征收", dt.date(2026, 11, 10), world.other_project)
    tasks.task_submit(submitted, user=world.bystander_user, text="已报送")
    cancelled_task = task(world.responsible, "取消的事项", dt.date(2026, 12, 1))
    tasks.task_cancel(cancelled_task, user=world.office, reason="重复")
    foreign_unit = world.foreign_project.owner_unit
    task(foreign_unit, "江北事项", dt.date(2026, 1, 1), world.foreign_project)
    return Programme(world, reserve, new_start, continuing, cancelled, overdue, submitted)


@pytest.fixture
def problems(programme: Programme) -> dict[str, Any]:
    """Problems walked through their workflow: one closed (销号), one in progress and late,
    one raised and waiting, one withdrawn; and one in another district."""
    from keyprojects.problems import services as ledger
    from keyprojects.problems.choices import Category, Severity

    world = programme.world

    def raise_(project: Any, user: Any, title: str) -> Any:
        return ledger.problem_raise(
            user=user, project=project, category=Category.UTILITIES, severity=Severity.URGENT,
            title=title, need="请协调解决",
        )  # fmt: skip

    closed = raise_(world.project, world.owner_user, "10kV电力管线迁改滞后")
    ledger.problem_assign(closed, user=world.office, units=[world.responsible])
    closed.refresh_from_db()
    ledger.problem_respond(closed, user=world.responsible_user, text="已完成迁改", done=True)
    part = Task.objects.get(source_id=closed.pk, owner_unit=world.responsible, status="submitted")
    tasks.task_accept(part, user=world.office)
    closed.refresh_from_db()
    ledger.problem_confirm(closed, user=world.owner_user, rating=5)

    late = raise_(world.other_project, world.bystander_user, "征收补偿资金未到位")
    ledger.problem_assign(
        late, user=world.office, units=[world.responsible], deadline=dt.date(2026, 11, 25)
    )
    waiting = raise_(world.project, world.owner_user, "施工用水接入")
    withdrawn = raise_(world.other_project, world.bystander_user, "夜间施工许可")
    ledger.problem_withdraw(withdrawn, user=world.bystander_user, reason="已自行解决")
    outsider = world.outsider
    raise_(world.foreign_project, outsider, "江北问题")
    return {"closed": closed, "late": late, "waiting": waiting, "withdrawn": withdrawn}
