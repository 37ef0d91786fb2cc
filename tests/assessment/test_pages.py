"""Assessment pages and API, as every persona; what the pages say; query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyprojects.assessment import services
from keyprojects.assessment.models import Period
from keyprojects.assessment.results import results_for
from keyprojects.projects.models import AnnualPlan
from tests.factories import ProjectFactory, UnitFactory
from tests.web.test_permission_matrix import PERSONAS, expect

from .conftest import CLOSING_DAY, YEAR, report

OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404

EVERYONE = expect(**dict.fromkeys(PERSONAS, OK))
IN_DISTRICT = expect(**{**EVERYONE, "outsider": NOT_FOUND})
OFFICES = expect(
    office=OK, leader=FORBIDDEN, owner_user=FORBIDDEN, responsible_user=FORBIDDEN,
    bystander_user=FORBIDDEN, auditor=FORBIDDEN, outsider=OK,
)  # fmt: skip
OFFICE_OF_DISTRICT = expect(
    office=REDIRECT, leader=FORBIDDEN, owner_user=FORBIDDEN, responsible_user=FORBIDDEN,
    bystander_user=FORBIDDEN, auditor=FORBIDDEN, outsider=NOT_FOUND,
)  # fmt: skip
API_OFFICE_OF_DISTRICT = expect(**{**OFFICE_OF_DISTRICT, "office": 422})

PAGES = [
    ("/assessment/", EVERYONE),
    ("/assessment/periods/add/", OFFICES),
    ("/assessment/periods/{period}/", IN_DISTRICT),
    ("/assessment/periods/{period}/?subject=project", IN_DISTRICT),
    ("/assessment/periods/{period}/?edition=7&subject=nonsense", IN_DISTRICT),
    ("/assessment/periods/{period}/units/{unit}/", IN_DISTRICT),
    ("/assessment/periods/{period}/projects/{project}/", IN_DISTRICT),
    ("/assessment/sets/", EVERYONE),
    ("/assessment/sets/add/", OFFICES),
    ("/assessment/sets/{set}/", IN_DISTRICT),
    ("/api/assessment/periods/", EVERYONE),
    ("/api/assessment/periods/?year=2026&status=open", EVERYONE),
    ("/api/assessment/periods/{period}/", IN_DISTRICT),
    ("/api/assessment/periods/{period}/ranking/", IN_DISTRICT),
    ("/api/assessment/periods/{period}/ranking/?subject=project", IN_DISTRICT),
    ("/api/assessment/periods/{period}/units/{unit}/", IN_DISTRICT),
    ("/api/assessment/periods/{period}/projects/{project}/", IN_DISTRICT),
    ("/api/assessment/indicator-sets/", EVERYONE),
    ("/api/assessment/indicator-sets/{set}/", IN_DISTRICT),
    ("/api/assessment/indicator-kinds/", EVERYONE),
]


def fill(url, world, period):
    return url.format(
        period=period.pk, unit=world.owner.pk, project=world.project.pk,
        set=period.indicator_set_id,
    )  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_each_persona_gets_what_its_role_allows(world, client_for, october, persona, url, expected):
    user = world.personas()[persona]
    response = client_for(user).get(fill(url, world, october))
    assert response.status_code == expected[persona], (persona, url)


ACTIONS = [
    ("/assessment/periods/{period}/close/", {}, OFFICE_OF_DISTRICT),
    ("/assessment/periods/{period}/reopen/", {"reason": "更正"}, OFFICE_OF_DISTRICT),
    ("/assessment/periods/{period}/delete/", {}, OFFICE_OF_DISTRICT),
    ("/assessment/sets/{set}/delete/", {}, OFFICE_OF_DISTRICT),
    ("/api/assessment/periods/{period}/close/", {}, API_OFFICE_OF_DISTRICT),
    ("/api/assessment/periods/{period}/reopen/", {"reason": "更正"}, API_OFFICE_OF_DISTRICT),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "data", "expected"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_only_the_programme_office_of_the_district_acts(
    world, client_for, october, persona, url, data, expected
):
    """Everyone but the district's office is refused before anything is tried. The office
    is answered: here a refusal with its reason (too early to close, not closed, the set in
    use), or the deletion of a period never closed."""
    user = world.personas()[persona]
    client = client_for(user)
    target = fill(url, world, october)
    with time_machine.travel(dt.datetime(2026, 11, 3, 9, tzinfo=dt.UTC), tick=False):
        if target.startswith("/api/"):
            response = client.post(target, data, content_type="application/json")
        else:
            response = client.post(target, data)
    assert response.status_code == expected[persona], (persona, url)
    if persona != "office":
        assert Period.objects.filter(pk=october.pk, status="open").exists()
    assert not Period.objects.filter(status="closed").exists()


def test_signed_out_visitors_are_sent_to_sign_in(world, october):
    from django.test import Client

    assert Client().get("/assessment/").status_code == 302
    assert Client().get(f"/assessment/periods/{october.pk}/").status_code == 302
    assert Client().get("/api/assessment/periods/").status_code == 401


class TestThePeriodPage:
    def test_an_open_period_says_it_is_provisional_and_how_scores_are_made(
        self, world, en_client_for, october, fallback
    ):
        with time_machine.travel(dt.datetime(2026, 11, 6, 9, tzinfo=dt.UTC), tick=False):
            page = en_client_for(world.owner_user).get(f"/assessment/periods/{october.pk}/")
        html = page.content.decode()
        assert 'data-testid="provisional-note"' in html
        assert "Provisional" in html
        assert 'data-testid="safety-note"' in html
        assert "Departments for the projects they answer for" in html
        assert "close-period" not in html  # a unit user cannot close
        ranking = page.context["rows"]
        assert (ranking[0].rank, ranking[0].name) == (1, "区城管局")
        assert [s.name for s in page.context["results"].red] == ["区城管局"]

    def test_reading_an_open_period_saves_nothing(self, world, en_client_for, october, fallback):
        from keyprojects.audit.models import AuditEntry
        from keyprojects.progress.models import MonthlyLight

        lights, entries = MonthlyLight.objects.count(), AuditEntry.objects.count()
        with time_machine.travel(dt.datetime(2026, 11, 6, 9, tzinfo=dt.UTC), tick=False):
            page = en_client_for(world.office).get(f"/assessment/periods/{october.pk}/")
        assert page.status_code == 200 and page.context["rows"]
        assert (MonthlyLight.objects.count(), AuditEntry.objects.count()) == (lights, entries)

    def test_the_office_sees_why_it_cannot_close_yet(self, world, en_client_for, october):
        with time_machine.travel(dt.datetime(2026, 11, 3, 9, tzinfo=dt.UTC), tick=False):
            page = en_client_for(world.office).get(f"/assessment/periods/{october.pk}/")
            refused = en_client_for(world.office).post(
                f"/assessment/periods/{october.pk}/close/", follow=True
            )
        assert "can be closed from 2026-11-06" in page.content.decode()
        assert "can be closed from 2026-11-06" in refused.content.decode()
        assert not Period.objects.get(pk=october.pk).is_closed

    def test_the_office_closes_and_reopens_from_the_page(self, world, en_client_for, october):
        office = en_client_for(world.office)
        with time_machine.travel(dt.datetime(2026, 11, 6, 9, tzinfo=dt.UTC), tick=False):
            closed = office.post(f"/assessment/periods/{october.pk}/close/", follow=True)
        html = closed.content.decode()
        assert 'data-testid="final-note"' in html and "results are final" in html
        assert Period.objects.get(pk=october.pk).edition == 1
        refused = office.post(f"/assessment/periods/{october.pk}/reopen/", {"reason": ""},
                              follow=True)  # fmt: skip
        assert "Give the reason" in refused.content.decode()
        office.post(f"/assessment/periods/{october.pk}/reopen/", {"reason": "数据更正"})
        reopened = office.get(f"/assessment/periods/{october.pk}/")
        assert "数据更正" in reopened.content.decode()
        earlier = office.get(f"/assessment/periods/{october.pk}/?edition=1")
        assert 'data-testid="earlier-closing"' in earlier.content.decode()
        assert earlier.context["results"].provisional is False

    def test_the_office_opens_a_period_from_the_form(self, world, en_client_for, indicator_set):
        office = en_client_for(world.office)
        made = office.post(
            "/assessment/periods/add/", {"kind": "quarter", "year": YEAR, "number": 3}
        )
        assert made.status_code == 302
        period = Period.objects.get()
        assert (period.kind, period.number, period.indicator_set) == ("quarter", 3, indicator_set)
        again = office.post(
            "/assessment/periods/add/", {"kind": "quarter", "year": YEAR, "number": 3}
        )
        assert "already open or closed" in again.content.decode()
        assert Period.objects.count() == 1


class TestTheScorePage:
    def test_a_unit_user_reads_another_units_arithmetic(
        self, world, en_client_for, october, fallback
    ):
        with time_machine.travel(dt.datetime(2026, 11, 6, 9, tzinfo=dt.UTC), tick=False):
            page = en_client_for(world.owner_user).get(
                f"/assessment/periods/{october.pk}/units/{world.bystander_unit.pk}/"
            )
        html = page.content.decode()
        assert "min(1.4001, 1.2) × 40 = 48.00 points." in html
        assert "68.00 ÷ 70 × 100 = 97.14." in html
        assert f'href="/projects/{world.other_project.pk}/reports/2026/10/"' in html
        assert f'href="/assessment/periods/{october.pk}/projects/{world.other_project.pk}/"' in html

    def test_no_score_for_a_unit_that_answers_for_nothing(self, world, client_for, october):
        stranger = UnitFactory(jurisdiction=world.district, name="区教委", kind="department")
        response = client_for(world.office).get(
            f"/assessment/periods/{october.pk}/units/{stranger.pk}/"
        )
        assert response.status_code == 404


class TestTheApi:
    def test_the_ranking_and_a_scores_arithmetic(self, world, en_client_for, october, fallback):
        api = en_client_for(world.auditor)
        with time_machine.travel(dt.datetime(2026, 11, 6, 9, tzinfo=dt.UTC), tick=False):
            ranking = api.get(f"/api/assessment/periods/{october.pk}/ranking/").json()
            score = api.get(f"/api/assessment/periods/{october.pk}/units/{world.owner.pk}/").json()
        assert ranking["provisional"] and ranking["closing"] == 0
        assert [(r["rank"], r["name"], r["total"]) for r in ranking["rows"]] == [
            (1, "区城管局", "97.14"),
            (2, "区住房城市建委", "54.08"),
            (2, "区城投公司", "54.08"),
        ]
        assert ranking["rows"][1]["points"]["safety"] is None and ranking["rows"][1]["scaled"]
        assert ranking["red"] == [world.bystander_unit.pk]
        lines = {line["kind"]: line for line in score["lines"]}
        assert lines["milestones"]["points"] == "10.00"
        assert lines["milestones"]["steps"][-1] == (
            "(0 + 1 × 0.5) ÷ 1 = 0.5000; 0.5000 × 20 = 10.00 points."
        )
        assert lines["milestones"]["items"][0]["outcome"] == "late"
        assert score["total"] == "54.08"

    def test_the_office_opens_and_closes_through_the_api(self, world, en_client_for, indicator_set):
        office = en_client_for(world.office)
        with time_machine.travel(dt.datetime(2026, 11, 6, 9, tzinfo=dt.UTC), tick=False):
            made = office.post(
                "/api/assessment/periods/", {"kind": "month", "year": YEAR, "number": 10},
                content_type="application/json",
            )  # fmt: skip
            assert made.status_code == 201, made.content
            period_id = made.json()["id"]
            closed = office.post(f"/api/assessment/periods/{period_id}/close/")
            assert closed.status_code == 200, closed.content
            assert closed.json()["status"] == "closed"
            again = office.post(f"/api/assessment/periods/{period_id}/close/")
        assert again.status_code == 422 and "was closed on" in again.json()["detail"] + str(
            again.json()["errors"]
        )
        future = office.post(
            "/api/assessment/periods/", {"kind": "year", "year": 2099},
            content_type="application/json",
        )  # fmt: skip
        assert future.status_code == 422


def _more_projects(world, count, start):
    for n in range(count):
        project = ProjectFactory(
            jurisdiction=world.district, owner_unit=world.owner,
            responsible_unit=UnitFactory(jurisdiction=world.district, kind="department"),
        )  # fmt: skip
        AnnualPlan.objects.create(project=project, year=YEAR, investment_target=Decimal(10**7),
                                  milestone="start", milestone_quarter=2)  # fmt: skip
        report(project, 10, 1_000_000 + n + start, dt.date(2026, 11, 3))


def test_scoring_takes_the_same_number_of_queries_whatever_the_number_of_projects(
    world, october, fallback
):
    def queries() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            results_for(Period.objects.select_related("indicator_set").get(), today=CLOSING_DAY)
        return len(ctx)

    _more_projects(world, 2, 0)
    few = queries()
    _more_projects(world, 15, 100)
    assert queries() == few


def test_the_period_page_takes_the_same_number_of_queries_whatever_its_size(
    world, client_for, october, fallback
):
    client = client_for(world.leader)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    services.period_close(period=october, user=world.office, today=CLOSING_DAY)
    small = queries(f"/assessment/periods/{october.pk}/")
    small_projects = queries(f"/assessment/periods/{october.pk}/?subject=project")
    _more_projects(world, 15, 0)
    september = services.period_create(
        jurisdiction=world.district, kind="month", year=YEAR, number=9, user=world.office,
        today=CLOSING_DAY,
    )  # fmt: skip
    services.period_close(period=september, user=world.office, today=CLOSING_DAY)
    assert Period.objects.get(pk=september.pk).scores.count() > 30
    assert queries(f"/assessment/periods/{september.pk}/") == small
    assert queries(f"/assessment/periods/{september.pk}/?subject=project") == small_projects


def test_the_api_documents_every_assessment_operation(world, client_for):
    schema = client_for(world.office).get("/api/openapi.json").json()
    paths = {p for p in schema["paths"] if p.startswith("/api/assessment/")}
    assert paths == {
        "/api/assessment/indicator-kinds/",
        "/api/assessment/indicator-sets/",
        "/api/assessment/indicator-sets/{set_id}/",
        "/api/assessment/periods/",
        "/api/assessment/periods/{period_id}/",
        "/api/assessment/periods/{period_id}/close/",
        "/api/assessment/periods/{period_id}/reopen/",
        "/api/assessment/periods/{period_id}/ranking/",
        "/api/assessment/periods/{period_id}/units/{unit_id}/",
        "/api/assessment/periods/{period_id}/projects/{project_id}/",
    }
