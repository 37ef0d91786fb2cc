"""Who reads which problem: the one gate, `Problem.objects.visible_to`."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from keyprojects.problems import services
from keyprojects.problems.models import Problem

from .conftest import fresh


def visible(user) -> set[int]:
    return set(Problem.objects.visible_to(user).values_list("pk", flat=True))


@pytest.fixture
def problems(world, raise_problem):
    """One on the owner's project, one on the bystander's own project."""
    ours = raise_problem()
    theirs = raise_problem(user=world.bystander_user, project=world.other_project)
    return ours, theirs


@pytest.mark.parametrize(
    ("persona", "sees_ours", "sees_theirs"),
    [
        ("office", True, True),
        ("leader", True, True),
        ("auditor", True, True),
        ("owner_user", True, False),
        ("responsible_user", True, False),
        ("bystander_user", False, True),
        ("outsider", False, False),
    ],
)
def test_each_persona_reads_what_its_role_allows(world, problems, persona, sees_ours, sees_theirs):
    ours, theirs = problems

    seen = visible(world.personas()[persona])

    assert (ours.pk in seen, theirs.pk in seen) == (sees_ours, sees_theirs)


def test_a_unit_reads_a_problem_once_it_is_assigned_to_it(world, problems):
    _ours, theirs = problems
    assert theirs.pk not in visible(world.responsible_user)

    services.problem_assign(theirs, user=world.office, units=[world.responsible])

    assert theirs.pk in visible(world.responsible_user)
    assert theirs.pk not in visible(world.owner_user)


def test_a_cancelled_assignment_still_lets_the_unit_read_its_history(world, problems):
    from keyprojects.supervision import services as supervision
    from keyprojects.supervision.sources import tasks_of

    _ours, theirs = problems
    services.problem_assign(theirs, user=world.office, units=[world.responsible])
    supervision.task_cancel(tasks_of(theirs).get(), user=world.office, reason="分办有误")

    assert fresh(theirs).pk in visible(world.responsible_user)


def test_nobody_signed_out_reads_anything(problems):
    assert visible(AnonymousUser()) == set()


def test_a_person_without_a_role_reads_nothing(world, problems):
    world.bystander_user.role = ""
    world.bystander_user.save()

    assert visible(world.bystander_user) == set()
