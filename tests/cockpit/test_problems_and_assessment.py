"""Problems closed (销号) against open, as each reader may see them, opening the problem
list; and the assessment's ranking of units for the month."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from keyprojects.cockpit.figures import figures_for
from keyprojects.cockpit.present import cockpit_for

from .conftest import MONTH, YEAR
from .test_click_through import linked_counts, list_count

pytestmark = pytest.mark.django_db
LATER = dt.date(2026, 12, 1)  # the late problem's deadline (25 November) has passed


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("office", (1, 2, 1, 1)),
        ("leader", (1, 2, 1, 1)),
        ("auditor", (1, 2, 1, 1)),
        ("owner_user", (1, 1, 0, 0)),
        ("responsible_user", (1, 2, 1, 0)),
        ("bystander_user", (0, 1, 1, 1)),
        ("outsider", (0, 1, 0, 0)),
    ],
)
def test_problem_closure_counts_what_each_reader_may_see(problems, programme, persona, expected):
    user = programme.world.personas()[persona]
    closure = figures_for(user, year=YEAR, month=MONTH, today=LATER).problems
    assert closure is not None
    assert (closure.closed, closure.open, closure.overdue, closure.dropped) == expected


@pytest.mark.parametrize("persona", ["office", "responsible_user", "bystander_user", "outsider"])
def test_each_problem_figure_opens_the_problem_list_with_the_same_count(
    problems, programme, client_for, persona
):
    user = programme.world.personas()[persona]
    client = client_for(user)
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC), tick=False):
        data = cockpit_for(user, year=YEAR, month=MONTH, today=LATER)
        bars = data["problems"]["bars"]
        assert [b["url"] for b in bars] == [
            "/problems/?status=closed", "/problems/", "/problems/?overdue=on",
        ]  # fmt: skip
        for url, count in linked_counts(data):
            response = client.get(url)
            assert response.status_code == 200, url
            assert list_count(response, url) == count, (persona, url)


def test_the_page_shows_problem_closure(problems, programme, client_for):
    content = client_for(programme.world.office).get("/cockpit/").content.decode()
    assert 'data-testid="chart-problems"' in content
    assert 'href="/problems/?status=closed"' in content


@pytest.fixture
def indicator_set(programme):
    """The district's assessment, with the default indicators and weights."""
    from keyprojects.assessment import services
    from keyprojects.assessment.rules import DEFAULT_WEIGHTS, default_params

    return services.indicator_set_save(
        jurisdiction=programme.world.district,
        user=programme.world.office,
        name="2026年度考核",
        indicators=[
            {"kind": str(kind), "weight": weight, "params": default_params(kind)}
            for kind, weight in DEFAULT_WEIGHTS
        ],
        red_list_size=1,
        black_list_size=1,
    )


def test_the_assessment_ranking_of_the_month_is_shown_provisional_while_open(
    programme, indicator_set, client_for
):
    data = cockpit_for(programme.world.leader, year=YEAR, month=MONTH, today=dt.date(2026, 11, 20))
    ranking = data["assessment"]
    assert ranking["scored"] and ranking["provisional"]
    assert ranking["rows"], ranking
    assert ranking["url"] == "/assessment/"
    page = client_for(programme.world.leader).get("/cockpit/").content.decode()
    assert 'data-testid="assessment"' in page


def test_a_large_ledgers_open_month_is_not_scored_on_the_page_but_linked(
    programme, indicator_set, settings
):
    settings.KEYPROJECTS_COCKPIT_SYNC_SECONDS = -1
    data = cockpit_for(programme.world.office, year=YEAR, month=MONTH, today=dt.date(2026, 11, 20))
    assert data["assessment"]["scored"] is False
    assert data["assessment"]["rows"] == [] and data["assessment"]["url"] == "/assessment/"


def test_a_closed_months_stored_ranking_is_shown_whatever_the_ledgers_size(
    programme, indicator_set, settings
):
    from keyprojects.assessment import services

    world = programme.world
    period = services.period_create(
        jurisdiction=world.district, kind="month", year=YEAR, number=MONTH, user=world.office,
        indicator_set=indicator_set,
    )  # fmt: skip
    services.period_close(period=period, user=world.office)
    settings.KEYPROJECTS_COCKPIT_SYNC_SECONDS = -1
    data = cockpit_for(world.auditor, year=YEAR, month=MONTH, today=dt.date(2026, 11, 20))
    ranking = data["assessment"]
    assert ranking["scored"] and not ranking["provisional"]
    assert ranking["url"] == f"/assessment/periods/{period.pk}/"
    assert [r["unit"] for r in ranking["rows"]]
    assert all(
        r["url"].startswith(f"/assessment/periods/{period.pk}/units/") for r in ranking["rows"]
    )
