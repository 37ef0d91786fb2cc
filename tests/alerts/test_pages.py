"""The alert pages: the list with its filters and counts, an alert's page, the rules page with
its refusals in place."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyprojects.alerts import services
from keyprojects.alerts.choices import AlertKind, AlertStatus
from keyprojects.alerts.models import Alert, AlertRule
from keyprojects.projects.models import AnnualPlan
from tests.factories import ProjectFactory

from .conftest import evaluate, light, on

JUNE = dt.date(2026, 6, 10)


@pytest.fixture
def alerts(world):
    light(world.project, 2026, 4, "-20")
    light(world.project, 2026, 5, "-35")
    light(world.other_project, 2026, 5, "-12")
    evaluate(world, JUNE, AlertKind.PACE_LAG, AlertKind.REPORT_LATE)
    return Alert.objects.all()


def test_the_list_puts_red_first_and_counts_each_kind(world, english, alerts):
    with on(JUNE):
        page = english(world.office).get("/alerts/")
    rows = page.context["page"].object_list
    assert [a.severity for a in rows][:1] == ["red"]
    counts = {kind: (n, red) for kind, _label, n, red in page.context["by_kind"]}
    assert counts[AlertKind.PACE_LAG] == (2, 1)
    assert counts[AlertKind.REPORT_LATE] == (2, 0)
    assert counts[AlertKind.OVER_ESTIMATE] == (0, 0)
    body = page.content.decode()
    assert "35 points behind" in body and "is 5 days late" in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=pace_lag", 2),
        ("severity=red", 1),
        ("q=珊瑚", 2),
        ("unit={bystander}", 2),
        ("status=resolved", 0),
        ("status=any&kind=report_late", 2),
        ("project={project}", 2),
    ],
)
def test_the_list_filters(world, english, alerts, query, expected):
    url = "/alerts/?" + query.format(bystander=world.bystander_unit.pk, project=world.project.pk)
    with on(JUNE):
        page = english(world.office).get(url)
    assert page.context["page"].paginator.count == expected


def test_a_unit_user_lists_only_what_concerns_their_unit(world, english, alerts):
    with on(JUNE):
        page = english(world.bystander_user).get("/alerts/")
    assert {a.project_id for a in page.context["page"]} == {world.other_project.pk}


def test_the_list_costs_the_same_queries_however_long(world, english):
    extra = [ProjectFactory(jurisdiction=world.district) for _ in range(12)]
    light(world.project, 2026, 5, "-35")
    evaluate(world, JUNE, AlertKind.PACE_LAG)
    client = english(world.office)
    with on(JUNE), CaptureQueriesContext(connection) as few:
        client.get("/alerts/")
    for p in extra:
        light(p, 2026, 5, "-15")
    evaluate(world, JUNE, AlertKind.PACE_LAG)
    with on(JUNE), CaptureQueriesContext(connection) as many:
        client.get("/alerts/")
    assert len(many) == len(few)


def test_an_alerts_page_shows_what_fired_its_figures_history_and_light_history(
    world, english, alerts
):
    alert = Alert.objects.get(kind=AlertKind.PACE_LAG, project=world.project)
    services.alert_acknowledge(alert, user=world.owner_user, note="已增加施工班组")
    with on(JUNE):
        page = english(world.owner_user).get(f"/alerts/{alert.pk}/")
    body = page.content.decode()
    assert "2026-05: " in body and "35 points behind" in body
    assert "已增加施工班组" in body and "Acknowledged" in body
    assert [lt.month for lt in page.context["lights"]] == [4, 5]
    assert ("Gap (points)", "-35.00") in page.context["figures"]
    assert not page.context["can_acknowledge"] and not page.context["can_resolve"]
    assert alert.task.title in body


def test_the_owner_acknowledges_and_the_office_resolves_through_the_page(world, english, alerts):
    alert = Alert.objects.get(kind=AlertKind.PACE_LAG, project=world.project)
    owner = english(world.owner_user)
    refused = owner.post(f"/alerts/{alert.pk}/act/", {"action": "acknowledge", "note": ""},
                         follow=True)  # fmt: skip
    assert "Say what is being done" in refused.content.decode()
    owner.post(f"/alerts/{alert.pk}/act/", {"action": "acknowledge", "note": "已部署"})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    stale = english(world.office).post(
        f"/alerts/{alert.pk}/act/", {"action": "resolve", "note": "研究", "version": 1},
        follow=True,
    )  # fmt: skip
    assert "Someone else changed this alert" in stale.content.decode()
    english(world.office).post(
        f"/alerts/{alert.pk}/act/",
        {"action": "resolve", "note": "调度会研究", "version": alert.version},
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED


def _rule_data(rule, **values):
    prefix = f"r{rule.pk}"
    data = {"rule": rule.pk, f"{prefix}-version": rule.version, f"{prefix}-enabled": "on",
            f"{prefix}-owner": rule.owner, f"{prefix}-task_severity": rule.task_severity,
            f"{prefix}-task_deadline_days": rule.task_deadline_days}  # fmt: skip
    if rule.creates_task:
        data[f"{prefix}-creates_task"] = "on"
    for name, value in rule.params.items():
        data[f"{prefix}-p_{name}"] = value
    for name, value in values.items():
        key = f"{prefix}-{name}"
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


@pytest.mark.parametrize(
    ("kind", "values", "field", "message"),
    [
        (AlertKind.PACE_LAG, {"p_red_points": "5"}, "p_red_points", "must not be less than"),
        (AlertKind.PACE_LAG, {"p_yellow_points": "-3"}, "p_yellow_points", "must not be negative"),
        (AlertKind.PACE_LAG, {"p_yellow_points": ""}, "p_yellow_points", "required"),
        (AlertKind.PACE_LAG, {"p_yellow_points": "很多"}, "p_yellow_points", "Enter a number"),
        (AlertKind.REPORT_LATE, {"p_grace_days": "1.5"}, "p_grace_days", "whole number"),
        (AlertKind.PACE_LAG, {"task_deadline_days": "0"}, "task_deadline_days", "from 1 to 365"),
        (AlertKind.PACE_LAG, {"owner": "record_unit"}, "owner", "valid choice"),
    ],
)  # fmt: skip
def test_the_rules_page_refuses_settings_in_place_and_saves_nothing(
    world, english, kind, values, field, message
):
    rule = services.rules_for(world.district.pk)[kind]
    before = (rule.params, rule.version, rule.task_deadline_days, rule.owner)
    page = english(world.office).post("/alerts/rules/", _rule_data(rule, **values))
    assert page.status_code == 200
    form = next(r["form"] for r in page.context["rows"] if r["rule"].pk == rule.pk)
    assert message in " ".join(form.errors[field]), form.errors
    assert "is-invalid" in str(form[field])
    rule.refresh_from_db()
    assert (rule.params, rule.version, rule.task_deadline_days, rule.owner) == before


def test_the_rules_page_saves_a_change_and_the_alerts_follow_it(world, english, alerts):
    rule = services.rules_for(world.district.pk)[AlertKind.PACE_LAG]
    with on(JUNE):
        response = english(world.office).post(
            "/alerts/rules/", _rule_data(rule, p_yellow_points="13", p_red_points="40")
        )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.params == {"yellow_points": 13.0, "red_points": 40.0}
    # -35 is now yellow; the April light (-20) was not red, so it is not sticky.
    assert Alert.objects.get(kind=AlertKind.PACE_LAG, project=world.project).severity == "yellow"
    # -12 is no longer behind enough.
    assert not Alert.objects.active().filter(project=world.other_project,
                                             kind=AlertKind.PACE_LAG).exists()  # fmt: skip


def test_an_overdue_task_rule_cannot_be_set_to_make_tasks(world, english):
    rule = services.rules_for(world.district.pk)[AlertKind.TASK_OVERDUE]
    english(world.office).post("/alerts/rules/", _rule_data(rule, creates_task="on"))
    rule.refresh_from_db()
    assert not rule.creates_task


def test_a_rule_whose_records_are_not_installed_says_so(world, english, monkeypatch):
    from keyprojects.alerts import rules as alert_rules

    real = alert_rules._model
    monkeypatch.setattr(
        alert_rules,
        "_model",
        lambda path: None if path == alert_rules.PROBLEM_MODEL else real(path),
    )
    page = english(world.office).get("/alerts/rules/")
    rows = {r["rule"].kind: r for r in page.context["rows"]}
    assert not rows[AlertKind.PROBLEM_OVERDUE]["installed"]
    assert rows[AlertKind.HAZARD_OVERDUE]["installed"]
    assert page.content.decode().count('data-testid="not-installed"') == 1


def test_evaluate_now_raises_what_holds(world, english):
    AnnualPlan.objects.create(project=world.project, year=2026, investment_target=Decimal(1000))
    light(world.project, 2026, 5, "-50")
    with on(JUNE):
        response = english(world.office).post("/alerts/evaluate/", follow=True)
    assert "Evaluated:" in response.content.decode()
    assert Alert.objects.filter(kind=AlertKind.PACE_LAG, project=world.project).exists()


def test_a_projects_open_alerts_red_first(world, alerts):
    found = list(services.project_alerts(world.project))
    assert [a.severity for a in found] == ["red", "yellow"]
    assert AlertRule.objects.filter(jurisdiction=world.district).count() == 9


def test_the_list_is_usable_on_a_phone(world, english, alerts):
    with on(JUNE):
        body = english(world.office).get("/alerts/").content.decode()
    assert 'class="table-responsive"' in body and "col-12" in body


def test_in_a_very_large_district_the_worker_applies_a_rule_change(world, english, monkeypatch):
    from keyprojects.alerts.tasks import evaluate_alerts
    from keyprojects.jobs.models import Job

    monkeypatch.setattr(services, "INLINE_LIMIT", 1)
    light(world.project, 2026, 5, "-12")
    rule = services.rules_for(world.district.pk)[AlertKind.PACE_LAG]
    with on(JUNE):
        response = english(world.office).post(
            "/alerts/rules/", _rule_data(rule, p_yellow_points="11")
        )
    job = Job.objects.get(kind="alerts_evaluate")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert not Alert.objects.exists()  # not yet: the worker does it
    with on(JUNE):
        evaluate_alerts.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == "done" and job.result["opened"] == 1
    assert Alert.objects.get().kind == AlertKind.PACE_LAG


def test_evaluating_a_very_large_district_now_is_the_workers_job(world, english, monkeypatch):
    from keyprojects.jobs.models import Job

    monkeypatch.setattr(services, "INLINE_LIMIT", 1)
    response = english(world.office).post("/alerts/evaluate/")
    job = Job.objects.get(kind="alerts_evaluate", user=world.office)
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.params["jurisdiction_id"] == world.district.pk and job.params["kinds"] is None
