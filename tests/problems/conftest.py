"""Problems on the `world`: one raised by the owner unit on its project, and helpers that
walk it through the workflow as the people involved would."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from keyprojects.problems import services
from keyprojects.problems.choices import Category, Severity
from keyprojects.problems.models import Problem
from keyprojects.supervision import services as supervision
from keyprojects.supervision.sources import tasks_of
from tests.api.conftest import ApiClient, api_for  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    """Messages are read in English here, in pages as in services."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def fresh(problem: Problem) -> Problem:
    problem.refresh_from_db()
    return problem


@pytest.fixture
def raise_problem(world: Any) -> Any:
    def make(**overrides: Any) -> Problem:
        fields: dict[str, Any] = {
            "user": world.owner_user,
            "project": world.project,
            "category": Category.UTILITIES,
            "severity": Severity.IMPORTANT,
            "title": "10kV电力管线迁改滞后",
            "need": "请协调供电公司尽快实施迁改",
        }
        fields.update(overrides)
        return services.problem_raise(**fields)

    return make


@pytest.fixture
def assigned(world: Any, raise_problem: Any) -> Problem:
    """Raised by the owner unit and assigned to the responsible unit."""
    problem = raise_problem()
    services.problem_assign(problem, user=world.office, units=[world.responsible])
    return fresh(problem)


def finish_part(
    world: Any, problem: Problem, unit: Any, user: Any, text: str = "已完成迁改"
) -> None:
    """The unit reports its part done and the office accepts it."""
    services.problem_respond(fresh(problem), user=user, text=text, done=True)
    task = tasks_of(problem).get(owner_unit=unit, status="submitted")
    supervision.task_accept(task, user=world.office)


@pytest.fixture
def resolved(world: Any, assigned: Problem) -> Problem:
    finish_part(world, assigned, world.responsible, world.responsible_user)
    return fresh(assigned)


@pytest.fixture
def closed(world: Any, resolved: Problem) -> Problem:
    services.problem_confirm(resolved, user=world.owner_user, rating=5, comment="很满意")
    return fresh(resolved)


@pytest.fixture
def browse(world: Any) -> Any:
    """A signed-in client that reads the pages in English."""

    def make(user: Any) -> Client:
        client = Client(headers={"Accept-Language": "en"})
        client.force_login(user)
        return client

    return make
