"""The ledger list fetches a page by its ids, then the rows: the same rows in the same order
as one plain query, on every page, whatever the sort."""

import random
from decimal import Decimal

import pytest
from django.utils import timezone

from keyprojects.projects.choices import Stage
from keyprojects.projects.filtersets import ProjectFilterSet
from keyprojects.projects.models import Project
from keyprojects.projects.tables import LedgerPaginator, totals

from ..factories import AnnualPlanFactory, ProjectFactory


@pytest.fixture
def ledger(world):
    rng = random.Random(7)
    year = timezone.localdate().year
    for i in range(23):
        project = ProjectFactory(
            jurisdiction=world.district,
            owner_unit=rng.choice([world.owner, world.responsible]),
            responsible_unit=world.responsible,
            name=f"项目{rng.randrange(5)}",  # ties, so that the order needs its tie-break
            total_investment=Decimal(rng.randrange(1, 4) * 1_000_000),
            stage=rng.choice([Stage.CONSTRUCTION, Stage.RESERVE, Stage.PRELIMINARY]),
        )
        if i % 4:  # some without a plan: blanks sort last
            AnnualPlanFactory(
                project=project,
                year=year,
                investment_target=Decimal(rng.randrange(0, 3) * 100_000),
                ytd_completed=Decimal(rng.randrange(0, 3) * 50_000) if i % 3 else None,
            )
    return world


def _filtered(world, rf, **params):
    request = rf.get("/projects/", params)
    request.user = world.office
    filterset = ProjectFilterSet(
        request.GET, Project.objects.visible_to(world.office), request=request
    )
    return filterset


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sort": "name"},
        {"sort": "-total_investment"},
        {"sort": "plan_share"},
        {"sort": "-plan_share"},
        {"sort": "annual_target"},
        {"sort": "owner_unit"},
        {"sort": "batch", "stage": ["construction", "preliminary"]},
        {"batch": ["continuing", "reserve"], "sort": "-ytd_completed"},
    ],
)
def test_pages_by_id_hold_the_rows_of_a_plain_slice(ledger, rf, params):
    filterset = _filtered(ledger, rf, **params)
    qs = filterset.qs.select_related("owner_unit", "responsible_unit")
    expected = [p.pk for p in qs]
    paginator = LedgerPaginator(qs, 3)
    got = [p.pk for n in paginator.page_range for p in paginator.page(n).object_list]
    assert got == expected and len(expected) > 3
    for n in paginator.page_range:
        page, plain = paginator.page(n), qs[(n - 1) * 3 : n * 3]
        assert [(p.batch, p.plan_share) for p in page] == [(p.batch, p.plan_share) for p in plain]


def test_the_totals_count_the_projects_they_sum(ledger, rf):
    filterset = _filtered(ledger, rf, stage=["construction"])
    sums = totals(filterset.qs, filterset.selected_year)
    projects = list(filterset.qs)
    assert sums["count"] == len(projects)
    assert sums["total_investment"] == sum(p.total_investment for p in projects)
    assert sums["annual_target"] == sum(p.annual_target or 0 for p in projects)


def test_the_list_page_sorts_as_asked_and_keeps_the_sort_in_its_form(ledger, client_for):
    response = client_for(ledger.office).get("/projects/", {"sort": "-total_investment"})
    assert not response.context["filterset"].errors
    amounts = [p.total_investment for p in response.context["page"].object_list]
    assert amounts == sorted(amounts, reverse=True) and len(set(amounts)) > 1
    assert b'name="sort" value="-total_investment"' in response.content
