"""A district's programme with a month of figures: a red, a yellow and a green project, a new
start that has not started, a reserve project, and a project of another district."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from keyprojects.bulletins import services
from keyprojects.bulletins.models import Bulletin
from keyprojects.progress.choices import ReportStatus
from keyprojects.progress.models import MonthlyReport
from keyprojects.progress.services import plan_figures_rebuild
from keyprojects.projects.choices import Stage
from keyprojects.projects.models import AnnualPlan, Project
from tests.factories import ProjectFactory

YEAR, MONTH = 2026, 10
TODAY = dt.date(2026, 11, 5)


@dataclass
class Programme:
    red: Project
    yellow: Project
    green: Project
    late: Project
    reserve: Project
    foreign: Project


def accepted(project: Project, month: int, amount: str, problems: str = "") -> MonthlyReport:
    now = timezone.now()
    return MonthlyReport.objects.create(
        project=project,
        year=YEAR,
        month=month,
        investment=Decimal(amount),
        status=ReportStatus.ACCEPTED,
        submitted_at=now,
        reviewed_at=now,
        problems=problems,
    )


@pytest.fixture(autouse=True)
def _in_english() -> Any:
    """Messages are compared in English, the language they are written in. The documents
    stay in the deployment's language (Chinese) whatever is active."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client_for(client_for: Any) -> Any:
    """Signed-in clients that read the pages and the API in English."""
    from django.conf import settings

    def make(user: Any) -> Any:
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def programme(world: Any, media: Any) -> Programme:
    red, green, foreign = world.project, world.other_project, world.foreign_project
    yellow = ProjectFactory(
        jurisdiction=world.district,
        name="解放碑地下停车库及连接通道三期工程",
        owner_unit=world.owner,
        responsible_unit=world.bystander_unit,
        actual_start=dt.date(2025, 4, 1),
        planned_completion=dt.date(2027, 6, 30),
    )
    late = ProjectFactory(
        jurisdiction=world.district,
        name="马鞍山传统风貌区",
        owner_unit=world.owner,
        responsible_unit=world.responsible,
        stage=Stage.PRELIMINARY,
        actual_start=None,
        planned_start=dt.date(2026, 3, 1),
        planned_completion=dt.date(2028, 12, 31),
    )
    reserve = ProjectFactory(
        jurisdiction=world.district,
        name="储备项目化龙桥片区",
        owner_unit=world.owner,
        responsible_unit=world.responsible,
        stage=Stage.RESERVE,
        actual_start=None,
        planned_start=dt.date(2028, 1, 1),
        planned_completion=dt.date(2030, 12, 31),
    )
    targets = {
        red: "12000000",
        yellow: "10000000",
        green: "5000000",
        late: "2000000",
        foreign: "9000000",
    }
    for project, target in targets.items():
        AnnualPlan.objects.create(project=project, year=YEAR, investment_target=Decimal(target))
    for month in range(1, 11):
        accepted(
            red, month, "500000", problems="征地拆迁未完成，管线迁改滞后" if month == 10 else ""
        )
        accepted(yellow, month, "600000")
    accepted(green, 10, "3800000")
    accepted(foreign, 10, "100000")
    accepted(red, 11, "1000000")  # after the bulletin's month: not in it
    plan_figures_rebuild(year=YEAR)
    return Programme(red, yellow, green, late, reserve, foreign)


@pytest.fixture
def draft(world: Any, programme: Programme) -> Bulletin:
    bulletin = services.bulletin_create(
        jurisdiction=world.district, year=YEAR, month=MONTH, user=world.office, today=TODAY
    )
    return services.bulletin_refresh(bulletin=bulletin)


@pytest.fixture
def published(world: Any, draft: Bulletin) -> Bulletin:
    return services.bulletin_publish(bulletin=draft, user=world.office)


def run_worker() -> None:
    """Run the queued jobs with the real worker, inside the test's transaction."""
    from django_tasks_db.management.commands import db_worker

    original = db_worker.close_old_connections
    db_worker.close_old_connections = lambda: None
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    finally:
        db_worker.close_old_connections = original
