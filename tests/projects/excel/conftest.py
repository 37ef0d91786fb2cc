from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting
from keyprojects.projects.choices import Industry, Level, Light, Stage
from keyprojects.projects.models import AnnualPlan
from tests.factories import ProjectFactory


@pytest.fixture
def ledger_world(world):
    """The world, with a ledger's worth of projects and 2026 plans in the district."""
    with acting(channel=Channel.SYSTEM):
        new = ProjectFactory(
            jurisdiction=world.district,
            code="2026-500103-78-01-000201",
            name="解放碑地下停车库及连接通道三期工程",
            owner_unit=world.owner,
            responsible_unit=world.responsible,
            level=Level.MUNICIPAL,
            industry=Industry.TRANSPORT,
            site="解放碑",
            scale_and_content="新建地下停车位约600个，\n连接通道1.2公里。",
            responsible_person="区住房城市建委主任",
            contact="工程科",
            leader_in_charge="常务副区长",
            start_year=2026,
            end_year=2028,
            planned_start=dt.date(2026, 4, 1),
            planned_completion=dt.date(2028, 12, 31),
            actual_start=None,
            stage=Stage.PRELIMINARY,
            total_investment=Decimal("450000000.00"),
            funding_sources="专项债券、企业自筹",
            progress_text="完成施工招标",
            light=Light.YELLOW,
        )
        continuing = ProjectFactory(
            jurisdiction=world.district,
            code="2022-500103-78-01-000202",
            name="珊瑚公园滨江公园二期",
            owner_unit=world.owner,
            responsible_unit=world.bystander_unit,
            industry=Industry.ECOLOGY,
            planned_start=dt.date(2022, 3, 1),
            planned_completion=dt.date(2027, 6, 30),
            actual_start=dt.date(2022, 3, 15),
            total_investment=Decimal("320012345.67"),
        )
        reserve = ProjectFactory(
            jurisdiction=world.district,
            code=None,
            name="马鞍山传统风貌区二期",
            owner_unit=world.owner,
            responsible_unit=world.responsible,
            stage=Stage.RESERVE,
            planned_start=None,
            planned_completion=None,
            actual_start=None,
            total_investment=Decimal("1200000000.00"),
        )
        as_of = dt.date(2026, 10, 31)
        for project, target, ytd in (
            (world.project, "30000000.00", "25000000.00"),
            (new, "80000000.00", "12345678.90"),
            (continuing, "50000000.00", "41000000.00"),
        ):
            AnnualPlan.objects.create(
                project=project,
                year=2026,
                investment_target=Decimal(target),
                month_completed=Decimal("1000000.00"),
                ytd_completed=Decimal(ytd),
                since_start_completed=Decimal(ytd) * 2,
                figures_as_of=as_of,
            )
    world.new_project, world.continuing_project, world.reserve_project = new, continuing, reserve
    return world


@pytest.fixture
def as_file():
    def make(data: bytes) -> io.BytesIO:
        return io.BytesIO(data)

    return make


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English; the zh-hans test switches language itself."""
    from django.utils import translation

    with translation.override("en"):
        yield
