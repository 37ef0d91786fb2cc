"""Every problem page and every action × every persona."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from keyprojects.problems import services
from keyprojects.problems.models import Problem, ProblemResponse
from keyprojects.supervision.sources import tasks_of
from tests.web.test_permission_matrix import PERSONAS, expect

from .conftest import fresh

OK, FORBIDDEN, NOT_FOUND = 200, 403, 404
CHANGED, REFUSED = "changed", "refused"

EVERYONE = expect(**dict.fromkeys(PERSONAS, OK))
RAISERS = expect(
    office=OK, leader=FORBIDDEN, owner_user=OK, responsible_user=OK, bystander_user=OK,
    auditor=FORBIDDEN, outsider=OK,
)  # fmt: skip
# A problem on the owner's project: the bystander unit has nothing to do with it.
READERS = expect(
    office=OK, leader=OK, owner_user=OK, responsible_user=OK, bystander_user=NOT_FOUND,
    auditor=OK, outsider=NOT_FOUND,
)  # fmt: skip
# A problem the bystander unit raised on its own project.
THEIRS = expect(
    office=OK, leader=OK, owner_user=NOT_FOUND, responsible_user=NOT_FOUND, bystander_user=OK,
    auditor=OK, outsider=NOT_FOUND,
)  # fmt: skip

PAGES = [
    ("/problems/", EVERYONE),
    ("/problems/?status=any&category=utilities&overdue=on", EVERYONE),
    ("/problems/statistics/", EVERYONE),
    ("/problems/statistics/?start=2026-01-01&end=2026-12-31", EVERYONE),
    ("/problems/add/", RAISERS),
    ("/problems/add/?project={project}", RAISERS),
    ("/problems/{ours}/", READERS),
    ("/problems/{theirs}/", THEIRS),
]


@pytest.fixture
def ours_and_theirs(world, raise_problem) -> dict[str, int]:
    ours = raise_problem()
    theirs = raise_problem(user=world.bystander_user, project=world.other_project)
    return {"ours": ours.pk, "theirs": theirs.pk, "project": world.project.pk}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_each_page_answers_each_persona_as_its_role_allows(
    world, client_for, ours_and_theirs, persona, url, expected
):
    response = client_for(world.personas()[persona]).get(url.format(**ours_and_theirs))

    assert response.status_code == expected[persona], (persona, url)


# -- actions ----------------------------------------------------------------------------------
# Each action is tried on a problem in the state it needs; CHANGED means the action went
# through, FORBIDDEN and NOT_FOUND that it was turned away before anything changed.

OFFICE_ONLY = expect(
    office=CHANGED, leader=FORBIDDEN, owner_user=FORBIDDEN, responsible_user=FORBIDDEN,
    bystander_user=NOT_FOUND, auditor=FORBIDDEN, outsider=NOT_FOUND,
)  # fmt: skip
RAISER_OR_OFFICE = expect(
    office=CHANGED, leader=FORBIDDEN, owner_user=CHANGED, responsible_user=FORBIDDEN,
    bystander_user=NOT_FOUND, auditor=FORBIDDEN, outsider=NOT_FOUND,
)  # fmt: skip
ASSIGNED_UNIT = expect(
    office=FORBIDDEN, leader=FORBIDDEN, owner_user=FORBIDDEN, responsible_user=CHANGED,
    bystander_user=NOT_FOUND, auditor=FORBIDDEN, outsider=NOT_FOUND,
)  # fmt: skip


def _raised(world, raise_problem) -> Problem:
    return raise_problem()


def _assigned(world, raise_problem) -> Problem:
    problem = raise_problem()
    services.problem_assign(problem, user=world.office, units=[world.responsible])
    return fresh(problem)


def _submitted(world, raise_problem) -> Problem:
    problem = _assigned(world, raise_problem)
    services.problem_respond(problem, user=world.responsible_user, text="已完成", done=True)
    return fresh(problem)


def _resolved(world, raise_problem) -> Problem:
    from keyprojects.supervision import services as supervision

    problem = _submitted(world, raise_problem)
    supervision.task_accept(tasks_of(problem).get(), user=world.office)
    return fresh(problem)


def _merge_data(world, raise_problem, problem) -> dict[str, Any]:
    return {"into": raise_problem(title="另一条").pk, "reason": "重复"}


def _accept_data(world, raise_problem, problem) -> dict[str, Any]:
    task = tasks_of(problem).get()
    return {"task": task.pk, "task_version": task.version}


def _deadline_data(world, raise_problem, problem) -> dict[str, Any]:
    later = timezone.localdate() + dt.timedelta(days=90)
    return {"deadline": later.isoformat(), "reason": "调整"}


ACTIONS = [
    ("assign", _raised, lambda w, r, p: {"units": [w.responsible.pk], "severity": "general"},
     OFFICE_ONLY),
    ("deadline", _assigned, _deadline_data, OFFICE_ONLY),
    ("merge", _raised, _merge_data, OFFICE_ONLY),
    ("withdraw", _raised, lambda w, r, p: {"reason": "已解决"}, RAISER_OR_OFFICE),
    ("respond", _assigned, lambda w, r, p: {"text": "正在协调"}, ASSIGNED_UNIT),
    ("accept", _submitted, _accept_data, OFFICE_ONLY),
    ("return", _submitted, lambda w, r, p: {**_accept_data(w, r, p), "reason": "缺证明"},
     OFFICE_ONLY),
    ("confirm", _resolved, lambda w, r, p: {"rating": "5"}, RAISER_OR_OFFICE),
    ("reopen", _resolved, lambda w, r, p: {"reason": "未解决"}, RAISER_OR_OFFICE),
]  # fmt: skip


def _state(problem: Problem) -> tuple[Any, ...]:
    problem = fresh(problem)
    tasks = tuple(tasks_of(problem).values_list("status", "version").order_by("pk"))
    return problem.version, problem.status, ProblemResponse.objects.count(), tasks


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("action", "setup", "data", "expected"), ACTIONS, ids=[a[0] for a in ACTIONS]
)
def test_each_action_is_allowed_only_to_its_roles(
    world, client_for, raise_problem, persona, action, setup, data, expected
):
    problem = setup(world, raise_problem)
    payload = {"action": action, "version": problem.version, **data(world, raise_problem, problem)}
    before = _state(problem)

    response = client_for(world.personas()[persona]).post(f"/problems/{problem.pk}/act/", payload)

    outcome = expected[persona]
    if outcome == CHANGED:
        assert response.status_code == 302, (persona, action)
        assert _state(problem) != before, (persona, action)
    else:
        assert response.status_code == outcome, (persona, action)
        assert _state(problem) == before, (persona, action)


def test_reading_the_act_url_is_not_allowed(world, client_for, raise_problem):
    problem = raise_problem()

    assert client_for(world.office).get(f"/problems/{problem.pk}/act/").status_code == 405
