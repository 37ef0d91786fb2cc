"""The cockpit page and its API, as every persona and with bad input."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from keyprojects.projects.models import Project
from tests.web.test_permission_matrix import OK, PERSONAS, REDIRECT, expect

from ..factories import ProjectFactory
from .conftest import MONTH, YEAR

pytestmark = pytest.mark.django_db

EVERYONE = expect(**dict.fromkeys(PERSONAS, OK))
PAGES = [
    ("/cockpit/", EVERYONE),
    (f"/cockpit/?year={YEAR}&month={MONTH}", EVERYONE),
    ("/cockpit/?year=abc&month=13", EVERYONE),
    (f"/api/cockpit/?year={YEAR}&month={MONTH}", EVERYONE),
    ("/api/cockpit/", EVERYONE),
]


def page_data(response) -> dict:
    content = response.content.decode()
    start = content.index('<script id="cockpit-data" type="application/json">')
    body = content[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_page_answers_each_persona_as_its_role_allows(
    programme, client_for, persona, url, expected
):
    user = programme.world.personas()[persona]
    response = client_for(user).get(url)
    assert response.status_code == expected[persona], (persona, url)


@pytest.mark.parametrize("url", ["/cockpit/", "/cockpit/?year=2026&month=3"])
def test_signed_out_visitors_are_sent_to_sign_in(db, url):
    response = Client().get(url)
    assert response.status_code == REDIRECT
    assert response["Location"].startswith("/login/")


def test_the_api_needs_a_caller(db):
    assert Client().get("/api/cockpit/").status_code == 401


def test_the_page_carries_the_figures_and_draws_them_with_local_echarts(programme, client_for):
    response = client_for(programme.world.leader).get(f"/cockpit/?year={YEAR}&month={MONTH}")
    content = response.content.decode()
    assert "/static/vendor/echarts/echarts.min.js" in content
    assert "/static/cockpit/cockpit.js" in content
    assert "https://" not in content and "http://" not in content  # nothing from elsewhere
    data = page_data(response)
    assert (data["year"], data["month"]) == (YEAR, MONTH)
    assert data["summary"]["projects"] == 6
    assert data["map"]["tiles"] == ""
    assert 'data-testid="chart-batches"' in content and 'data-testid="chart-map"' in content
    # The figures are links even without the charts.
    assert f'href="/reports/behind/?year={YEAR}&amp;month={MONTH}&amp;light=red"' in content


def test_the_page_defaults_to_last_month(programme, client_for):
    data = page_data(client_for(programme.world.office).get("/cockpit/"))
    assert (data["year"], data["month"]) == (2026, 10)  # today is 20 November 2026


def test_a_bad_year_or_month_is_explained_and_the_default_shown(programme, client_for):
    response = client_for(programme.world.office).get("/cockpit/?year=abc&month=13", follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 2
    data = page_data(response)
    assert (data["year"], data["month"]) == (2026, 10)


def test_a_tile_server_when_configured_reaches_the_map(programme, client_for, settings):
    settings.KEYPROJECTS_MAP_TILES = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.KEYPROJECTS_MAP_ATTRIBUTION = "© 地图数据提供方"
    response = client_for(programme.world.office).get("/cockpit/")
    assert page_data(response)["map"]["tiles"] == settings.KEYPROJECTS_MAP_TILES
    assert "© 地图数据提供方" in response.content.decode()


def test_the_api_returns_the_same_figures_as_the_page(programme, client_for):
    client = client_for(programme.world.owner_user)
    page = page_data(client.get(f"/cockpit/?year={YEAR}&month={MONTH}"))
    api = client.get(f"/api/cockpit/?year={YEAR}&month={MONTH}").json()
    assert api == page
    assert api["summary"]["annual_target"] == "28000000.00"
    assert api["tasks"]["bars"][0] == {
        "key": "closed", "label": "已完成", "count": 1, "url": "/tasks/all/?status=done",
    }  # fmt: skip


def test_the_api_refuses_a_bad_month_with_the_reason(programme, client_for):
    response = client_for(programme.world.office).get("/api/cockpit/?year=2026&month=0")
    assert response.status_code == 422
    assert "month" in response.json()["errors"]
    response = client_for(programme.world.office).get("/api/cockpit/?year=1850")
    assert response.status_code == 422 and "year" in response.json()["errors"]


def test_the_api_is_read_only(programme, client_for):
    assert client_for(programme.world.office).post("/api/cockpit/").status_code == 405


def test_the_api_is_documented(programme, client_for):
    schema = client_for(programme.world.office).get("/api/openapi.json").json()
    assert "/api/cockpit/" in schema["paths"]
    assert list(schema["paths"]["/api/cockpit/"]) == ["get"]


def test_names_cannot_break_out_of_the_figures(programme, client_for):
    Project.objects.filter(pk=programme.continuing.pk).update(
        name="</script><script>alert('x')</script>&"
    )
    response = client_for(programme.world.office).get(f"/cockpit/?year={YEAR}&month={MONTH}")
    content = response.content.decode()
    assert "<script>alert(" not in content
    names = [p[4] for p in page_data(response)["map"]["points"]]
    assert "</script><script>alert('x')</script>&" in names


def test_the_page_says_when_its_figures_were_worked_out(programme, client_for, settings):
    client = client_for(programme.world.office)
    content = client.get("/cockpit/").content.decode()
    assert 'data-testid="figures-at"' in content and "2026-11-20" in content
    settings.KEYPROJECTS_COCKPIT_SYNC_SECONDS = -1
    ProjectFactory(jurisdiction=programme.world.district, name="后来的项目")
    data = page_data(client.get("/cockpit/"))
    assert data["current"] is False and data["summary"]["projects"] == 6
