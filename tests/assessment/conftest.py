"""A small October 2026 whose every score is worked out by hand in the tests.

Two projects of the `world` district:
- world.project (owner 区城投公司, responsible 区住房城市建委): plan 1,200 万元, 60 万元 reported
  each month January to October; milestone completion by Q2, reached 10 August (late);
  October's report submitted 4 November (due the 5th: on time); three problems.
- world.other_project (区城管局 owns it and answers for it): plan 600 万元, 70 万元 a month;
  milestone start by Q1, started in 2024 (on time); October's report submitted 7 November
  (late); no problems.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from keyprojects.assessment import services
from keyprojects.assessment.rules import DEFAULT_WEIGHTS, default_params
from keyprojects.progress.choices import ReportStatus
from keyprojects.progress.models import MonthlyReport
from keyprojects.projects.choices import Milestone
from keyprojects.projects.models import AnnualPlan
from keyprojects.supervision.choices import SourceKind, TaskStatus
from keyprojects.supervision.models import Task

YEAR = 2026
CLOSING_DAY = dt.date(2026, 11, 6)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def report(project: Any, month: int, amount: int, submitted: dt.date, **extra: Any) -> Any:
    return MonthlyReport.objects.create(
        project=project,
        year=YEAR,
        month=month,
        investment=Decimal(amount),
        status=extra.pop("status", ReportStatus.ACCEPTED),
        submitted_at=at(submitted),
        **extra,
    )


def default_indicators(**changes: Any) -> list[dict[str, Any]]:
    rows = []
    for kind, weight in DEFAULT_WEIGHTS:
        params = default_params(kind)
        params.update(changes.get(kind, {}))
        rows.append({"kind": str(kind), "weight": weight, "params": params})
    return rows


@pytest.fixture
def indicator_set(world: Any) -> Any:
    return services.indicator_set_save(
        jurisdiction=world.district,
        user=world.office,
        name="2026年度考核",
        indicators=default_indicators(milestones={"late_credit": 0.5}),
        red_list_size=1,
        black_list_size=1,
    )


def problem_task(
    world: Any, title: str, *, created: dt.date, deadline: dt.date, closed: dt.date | None = None
) -> Task:
    """A task made from a problem, as the problem ledger makes them (the fallback source)."""
    return Task.objects.create(
        jurisdiction=world.district,
        project=world.project,
        title=title,
        source_kind=SourceKind.PROBLEM,
        owner_unit=world.responsible,
        deadline=deadline,
        created_at=at(created),
        status=TaskStatus.DONE if closed else TaskStatus.OPEN,
        closed_at=at(closed) if closed else None,
    )


@pytest.fixture
def october(world: Any, indicator_set: Any) -> Any:
    p1, p2 = world.project, world.other_project
    p1.actual_completion = dt.date(2026, 8, 10)
    p1.save()
    AnnualPlan.objects.create(
        project=p1,
        year=YEAR,
        investment_target=Decimal(12_000_000),
        milestone=Milestone.COMPLETION,
        milestone_quarter=2,
    )
    AnnualPlan.objects.create(
        project=p2,
        year=YEAR,
        investment_target=Decimal(6_000_000),
        milestone=Milestone.START,
        milestone_quarter=1,
    )
    for month in range(1, 10):
        report(p1, month, 600_000, dt.date(YEAR, month + 1, 3))
        report(p2, month, 700_000, dt.date(YEAR, month + 1, 3))
    report(p1, 10, 600_000, dt.date(2026, 11, 4))
    report(p2, 10, 700_000, dt.date(2026, 11, 7))
    return services.period_create(
        jurisdiction=world.district,
        kind="month",
        year=YEAR,
        number=10,
        user=world.office,
        today=dt.date(2026, 10, 1),
    )


@pytest.fixture
def problems_from_tasks(world: Any, monkeypatch: Any) -> None:
    """Problem closure read from the tasks made from problems, with three of them."""
    from keyprojects.assessment import inputs

    monkeypatch.setattr(inputs, "problem_model", lambda: None)
    problem_task(
        world,
        "征地拆迁协调",
        created=dt.date(2026, 9, 20),
        deadline=dt.date(2026, 10, 15),
        closed=dt.date(2026, 10, 10),
    )
    problem_task(world, "管线迁改", created=dt.date(2026, 10, 5), deadline=dt.date(2026, 10, 20))
    problem_task(world, "施工用电", created=dt.date(2026, 10, 25), deadline=dt.date(2026, 11, 15))


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages in English, the language they are written in, whatever the default."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def en_client_for(client_for: Any) -> Any:
    def make(user: Any) -> Any:
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


@pytest.fixture
def no_inspections(monkeypatch: Any) -> None:
    """As before inspections are recorded in the system: work safety has nothing to measure."""
    from keyprojects.assessment import inputs

    monkeypatch.setattr(inputs, "safety_source", lambda: None)


@pytest.fixture
def fallback(problems_from_tasks: None, no_inspections: None) -> None:
    """Problems read from tasks, no inspections: the figures every hand calculation uses."""


@pytest.fixture(autouse=True)
def _english_pages(settings: Any) -> Any:
    """Messages are read in English here, in pages as in services."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
