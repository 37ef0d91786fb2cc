"""Alerts and their rules through the JSON API."""

from __future__ import annotations

import datetime as dt

import pytest

from keyprojects.alerts import services
from keyprojects.alerts.choices import AlertKind, AlertStatus
from keyprojects.alerts.models import Alert
from tests.api.conftest import api_for  # noqa: F401  (the fixture)

from .conftest import evaluate, light, on

JUNE = dt.date(2026, 6, 10)


@pytest.fixture
def alert(world):
    light(world.project, 2026, 5, "-35")
    light(world.other_project, 2026, 5, "-12")
    evaluate(world, JUNE, AlertKind.PACE_LAG)
    return Alert.objects.get(project=world.project)


def test_listing_alerts_red_first_with_counts_by_kind(world, api_for, alert):  # noqa: F811
    with on(JUNE):
        body = api_for(world.office).get("/api/alerts/").json()
    assert body["count"] == 2
    assert [i["severity"] for i in body["items"]] == ["red", "yellow"]
    assert body["by_kind"] == [{"kind": "pace_lag", "count": 2, "red": 1}]
    first = body["items"][0]
    assert first["message"].startswith("2026-05: ") and first["params"]["gap"] == "-35.00"
    assert first["owner_unit_id"] == world.owner.pk and first["task_id"] == alert.task_id


def test_the_message_speaks_the_callers_language(world, api_for, alert):  # noqa: F811
    with on(JUNE):
        english = api_for(world.office).get(f"/api/alerts/{alert.pk}/").json()
        chinese = api_for(world.office, language="zh-hans").get(f"/api/alerts/{alert.pk}/").json()
    assert english["params"] == chinese["params"]
    assert english["kind_label"] == "Behind the time-proportional target (序时进度)"
    assert [e["kind"] for e in english["events"]] == ["opened", "task_made"]


def test_a_unit_user_lists_what_concerns_their_unit(world, api_for, alert):  # noqa: F811
    body = api_for(world.bystander_user).get("/api/alerts/").json()
    assert [i["project_id"] for i in body["items"]] == [world.other_project.pk]
    assert api_for(world.bystander_user).get(f"/api/alerts/{alert.pk}/").status_code == 404


def test_acknowledging_and_resolving(world, api_for, alert):  # noqa: F811
    owner, office, v = api_for(world.owner_user), api_for(world.office), alert.version
    refused = owner.post(f"/api/alerts/{alert.pk}/acknowledge/", {"note": "", "version": v})
    assert refused.status_code == 422 and "Say what is being done" in str(refused.json())
    done = owner.post(f"/api/alerts/{alert.pk}/acknowledge/", {"note": "已部署", "version": v})
    assert done.status_code == 200 and done.json()["status"] == AlertStatus.ACKNOWLEDGED
    again = owner.post(f"/api/alerts/{alert.pk}/acknowledge/", {"note": "x", "version": v + 1})
    assert again.status_code == 422 and "Only an open alert" in str(again.json())
    not_theirs = owner.post(f"/api/alerts/{alert.pk}/resolve/", {"note": "x", "version": v + 1})
    assert not_theirs.status_code == 403
    stale = office.post(f"/api/alerts/{alert.pk}/resolve/", {"note": "研究", "version": v})
    assert stale.status_code == 422 and "Someone else changed" in str(stale.json())
    resolved = office.post(f"/api/alerts/{alert.pk}/resolve/", {"note": "研究", "version": v + 1})
    assert resolved.json()["status"] == AlertStatus.RESOLVED
    assert resolved.json()["events"][-1]["kind"] == "task_cancelled"


def test_the_office_reads_and_changes_rules(world, api_for):  # noqa: F811
    office = api_for(world.office)
    rules = office.get("/api/alert-rules/").json()
    assert [r["kind"] for r in rules] == list(AlertKind.values)
    pace = next(r for r in rules if r["kind"] == "pace_lag")
    assert pace["params"] == {"yellow_points": 10.0, "red_points": 30.0}
    changed = office.patch(f"/api/alert-rules/{pace['id']}/",
                           {"version": pace["version"], "params": {"yellow_points": 12,
                                                                   "red_points": 25}})  # fmt: skip
    assert changed.status_code == 200, changed.json()
    assert changed.json()["params"] == {"yellow_points": 12.0, "red_points": 25.0}
    assert changed.json()["version"] == pace["version"] + 1


@pytest.mark.parametrize(
    ("payload", "field", "reason"),
    [
        ({"params": {"yellow_points": 30, "red_points": 10}}, "params.red_points",
         "must not be less than"),
        ({"params": {"yellow_points": "ten", "red_points": 30}}, "params.yellow_points",
         "Enter a number"),
        ({"params": {"yellow_points": 10}}, "params.red_points", "required"),
        ({"params": {"yellow_points": 10, "red_points": 30, "x": 1}}, "params.x",
         "no such setting"),
        ({"params": "high"}, "params", "set of named values"),
        ({"owner": "record_unit"}, "owner", "not an assigned record"),
        ({"task_deadline_days": -2}, "task_deadline_days", "from 1 to 365"),
        ({"task_deadline_days": "soon"}, "task_deadline_days", "from 1 to 365"),
    ],
)  # fmt: skip
def test_a_rule_that_cannot_be_computed_is_refused_with_the_reason(
    world,
    api_for,  # noqa: F811
    payload,
    field,
    reason,
):
    rule = services.rules_for(world.district.pk)[AlertKind.PACE_LAG]
    response = api_for(world.office).patch(
        f"/api/alert-rules/{rule.pk}/", {"version": rule.version, **payload}
    )
    assert response.status_code == 422
    assert reason in " ".join(response.json()["errors"][field]), response.json()
    rule.refresh_from_db()
    assert rule.version == 1 and rule.params == {"yellow_points": 10.0, "red_points": 30.0}


def test_rules_are_the_offices_alone(world, api_for):  # noqa: F811
    rule = services.rules_for(world.district.pk)[AlertKind.PACE_LAG]
    assert api_for(world.leader).get("/api/alert-rules/").status_code == 403
    change = {"version": 1, "enabled": False}
    owner = api_for(world.owner_user).patch(f"/api/alert-rules/{rule.pk}/", change)
    assert owner.status_code == 403
    outsider = api_for(world.outsider).patch(f"/api/alert-rules/{rule.pk}/", change)
    assert outsider.status_code == 404
    assert (
        api_for(world.outsider)
        .get(f"/api/alert-rules/?jurisdiction_id={world.district.pk}")
        .status_code
        == 404
    )
