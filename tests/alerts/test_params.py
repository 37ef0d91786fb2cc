"""Settings a rule cannot compute with are refused when saved, with the reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from keyprojects.alerts import services
from keyprojects.alerts.choices import AlertKind
from keyprojects.alerts.models import AlertRule
from keyprojects.alerts.params import SPECS, check_params, check_rule, defaults
from keyprojects.audit.models import AuditEntry

PACE = AlertKind.PACE_LAG


@pytest.mark.parametrize("kind", AlertKind.values)
def test_every_kinds_defaults_can_be_computed(kind):
    d = defaults()[kind]
    assert check_params(kind, d.params) == {}
    assert check_rule(kind=kind, creates_task=d.creates_task, owner=d.owner,
                      task_severity=d.task_severity,
                      task_deadline_days=d.task_deadline_days) == {}  # fmt: skip
    assert set(d.params) == {p.name for p in SPECS[kind]}


@pytest.mark.parametrize(
    ("kind", "params", "field", "reason"),
    [
        (PACE, {"yellow_points": 10}, "red_points", "required"),
        (PACE, {"yellow_points": 10, "red_points": None}, "red_points", "required"),
        (PACE, {"yellow_points": "10", "red_points": 30}, "yellow_points", "Enter a number"),
        (PACE, {"yellow_points": True, "red_points": 30}, "yellow_points", "Enter a number"),
        (PACE, {"yellow_points": float("nan"), "red_points": 30}, "yellow_points", "number"),
        (PACE, {"yellow_points": -1, "red_points": 30}, "yellow_points", "negative"),
        (PACE, {"yellow_points": 30, "red_points": 10}, "red_points", "must not be less than"),
        (PACE, {"yellow_points": 10, "red_points": 5000}, "red_points", "more than 1000"),
        (PACE, {"yellow_points": 10, "red_points": 30, "blue": 1}, "blue", "no such setting"),
        (AlertKind.REPORT_LATE, {"grace_days": 2.5, "red_after_days": 10}, "grace_days",
         "whole number"),
        (AlertKind.TASK_OVERDUE, {"grace_days": 20, "red_after_days": 10}, "red_after_days",
         "must not be less than"),
        (AlertKind.OVER_ESTIMATE, {"yellow_percent": 10, "red_percent": 5}, "red_percent",
         "must not be less than"),
        (PACE, [10, 30], "", "set of named values"),
        ("sunspots", {}, "", "not a kind of alert rule"),
    ],
)  # fmt: skip
def test_settings_that_cannot_be_computed_are_refused_with_the_reason(kind, params, field, reason):
    problems = check_params(kind, params)
    assert field in problems and reason in " ".join(problems[field]), problems


@pytest.mark.parametrize(
    ("kind", "changes", "field", "reason"),
    [
        (AlertKind.TASK_OVERDUE, {"creates_task": True}, "creates_task", "already a supervised"),
        (PACE, {"owner": "record_unit"}, "owner", "not an assigned record"),
        (PACE, {"owner": "mayor"}, "owner", "Choose who answers"),
        (PACE, {"task_deadline_days": 0}, "task_deadline_days", "from 1 to 365"),
        (PACE, {"task_deadline_days": 400}, "task_deadline_days", "from 1 to 365"),
        (PACE, {"task_severity": "purple"}, "task_severity", "yellow or red"),
    ],
)
def test_task_settings_that_cannot_work_are_refused(kind, changes, field, reason):
    d = defaults()[kind]
    values = {
        "kind": kind,
        "creates_task": d.creates_task,
        "owner": d.owner,
        "task_severity": d.task_severity,
        "task_deadline_days": d.task_deadline_days,
    }
    values.update(changes)  # fmt: skip
    problems = check_rule(**values)
    assert reason in " ".join(problems[field])


def test_the_service_refuses_and_changes_nothing(world):
    rule = services.rules_for(world.district.pk)[PACE]
    before = (rule.params, rule.version)
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.rule_update(
            rule=rule, user=world.office, params={"yellow_points": 40, "red_points": 30}
        )
    assert "params.red_points" in refused.value.message_dict
    rule.refresh_from_db()
    assert (rule.params, rule.version) == before
    assert AuditEntry.objects.count() == entries


def test_a_rule_saved_any_other_way_is_checked_too(world):
    rule = services.rules_for(world.district.pk)[PACE]
    rule.params = {"yellow_points": 10}
    rule.owner = "record_unit"
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()
    errors = refused.value.message_dict
    assert any("required" in m for m in errors["params"])
    assert "owner" in errors


def test_only_the_office_of_the_jurisdiction_changes_its_rules(world):
    rule = services.rules_for(world.district.pk)[PACE]
    for who in ("leader", "owner_user", "auditor", "outsider"):
        with pytest.raises(PermissionDenied):
            services.rule_update(rule=rule, user=getattr(world, who), enabled=False)
    assert AlertRule.objects.get(pk=rule.pk).enabled


def test_a_stale_rule_change_is_refused(world):
    rule = services.rules_for(world.district.pk)[PACE]
    services.rule_update(rule=rule, user=world.office, task_deadline_days=20)
    with pytest.raises(ValidationError, match="Someone changed this rule"):
        services.rule_update(rule=rule, user=world.office, version=1, task_deadline_days=30)


def test_a_good_change_is_kept_in_a_stable_form_and_audited(world):
    rule = services.rules_for(world.district.pk)[AlertKind.REPORT_LATE]
    services.rule_update(rule=rule, user=world.office, params={"grace_days": 3.0,
                                                               "red_after_days": 12})  # fmt: skip
    rule.refresh_from_db()
    assert rule.params == {"grace_days": 3, "red_after_days": 12}
    assert type(rule.params["grace_days"]) is int
    assert AuditEntry.objects.filter(model="alerts.alertrule", object_id=str(rule.pk),
                                     action="update").exists()  # fmt: skip
