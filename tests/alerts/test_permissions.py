"""Every alert page and API path × every persona, including someone from another district."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from keyprojects.alerts import services
from keyprojects.alerts.choices import AlertKind, AlertStatus
from keyprojects.alerts.models import Alert
from tests.web.test_permission_matrix import PERSONAS, expect

from .conftest import evaluate, light

OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404

EVERYONE = expect(**dict.fromkeys(PERSONAS, OK))
# The alert is about world.project, answered for by its owner unit.
READERS = expect(
    office=OK, leader=OK, owner_user=OK, responsible_user=OK, bystander_user=NOT_FOUND,
    auditor=OK, outsider=NOT_FOUND,
)  # fmt: skip
OFFICES = expect(
    office=OK, leader=FORBIDDEN, owner_user=FORBIDDEN, responsible_user=FORBIDDEN,
    bystander_user=FORBIDDEN, auditor=FORBIDDEN, outsider=OK,
)  # fmt: skip
OWN_OFFICE = {**OFFICES, "outsider": NOT_FOUND}

PAGES = [
    ("/alerts/", EVERYONE),
    ("/alerts/?status=any&severity=yellow&kind=pace_lag&q=公园&unit={unit}", EVERYONE),
    ("/alerts/?project={project}", EVERYONE),
    ("/alerts/{alert}/", READERS),
    ("/alerts/rules/", OFFICES),
    ("/api/alerts/", EVERYONE),
    ("/api/alerts/?any_status=true&kind=pace_lag", EVERYONE),
    ("/api/alerts/{alert}/", READERS),
    ("/api/alert-rules/", OFFICES),
    ("/api/alert-rules/{rule}/", OWN_OFFICE),
]


@pytest.fixture
def alert(world):
    light(world.project, 2026, 5, "-15")
    evaluate(world, dt.date(2026, 6, 10), AlertKind.PACE_LAG)
    return Alert.objects.get()


def _url(url, world, alert):
    rule = services.rules_for(world.district.pk)[AlertKind.PACE_LAG]
    return url.format(alert=alert.pk, rule=rule.pk, unit=world.owner.pk, project=world.project.pk)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_each_persona_gets_what_its_role_allows(world, client_for, alert, persona, url, expected):
    user = world.personas()[persona]
    response = client_for(user).get(_url(url, world, alert))
    assert response.status_code == expected[persona], (persona, url)


ACKNOWLEDGE = expect(
    office=REDIRECT, leader=FORBIDDEN, owner_user=REDIRECT, responsible_user=FORBIDDEN,
    bystander_user=NOT_FOUND, auditor=FORBIDDEN, outsider=NOT_FOUND,
)  # fmt: skip
RESOLVE = expect(
    office=REDIRECT, leader=FORBIDDEN, owner_user=FORBIDDEN, responsible_user=FORBIDDEN,
    bystander_user=NOT_FOUND, auditor=FORBIDDEN, outsider=NOT_FOUND,
)  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("action", "expected", "after"),
    [("acknowledge", ACKNOWLEDGE, AlertStatus.ACKNOWLEDGED),
     ("resolve", RESOLVE, AlertStatus.RESOLVED)],
)  # fmt: skip
def test_acting_on_an_alert_as_each_persona(world, client_for, alert, persona, action, expected,
                                            after):  # fmt: skip
    user = world.personas()[persona]
    response = client_for(user).post(
        f"/alerts/{alert.pk}/act/", {"action": action, "note": "已研究", "version": alert.version}
    )
    assert response.status_code == expected[persona]
    alert.refresh_from_db()
    assert alert.status == (after if expected[persona] == REDIRECT else AlertStatus.OPEN)


@pytest.mark.parametrize("persona", PERSONAS)
def test_changing_a_rule_as_each_persona(world, client_for, alert, persona):
    rule = services.rules_for(world.district.pk)[AlertKind.PACE_LAG]
    prefix = f"r{rule.pk}"
    data = {
        "rule": rule.pk, f"{prefix}-version": rule.version, f"{prefix}-enabled": "on",
        f"{prefix}-p_yellow_points": "12", f"{prefix}-p_red_points": "30",
        f"{prefix}-owner": "owner_unit", f"{prefix}-task_severity": "red",
        f"{prefix}-task_deadline_days": "15",
    }  # fmt: skip
    response = client_for(world.personas()[persona]).post("/alerts/rules/", data)
    expected = {**OFFICES, "office": REDIRECT, "outsider": NOT_FOUND}[persona]
    assert response.status_code == expected
    rule.refresh_from_db()
    assert rule.params["yellow_points"] == (12 if expected == REDIRECT else 10)


@pytest.mark.parametrize("persona", PERSONAS)
def test_evaluating_now_as_each_persona(world, client_for, persona):
    response = client_for(world.personas()[persona]).post("/alerts/evaluate/")
    assert response.status_code == {**OFFICES, "office": REDIRECT, "outsider": REDIRECT}[persona]


@pytest.mark.parametrize("url", ["/alerts/", "/alerts/rules/", "/alerts/1/"])
def test_signed_out_visitors_are_sent_to_sign_in(db, url):
    response = Client().get(url)
    assert response.status_code == REDIRECT and response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", ["/api/alerts/", "/api/alert-rules/", "/api/alerts/1/"])
def test_the_api_wants_a_caller(db, url):
    assert Client().get(url).status_code == 401
