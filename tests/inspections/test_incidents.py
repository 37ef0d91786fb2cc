"""Incidents: graded by the national classification, recorded by the office and the project's
units, told to the office (and the leader in charge when grave)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from keyprojects.inspections.choices import IncidentKind, IncidentSeverity
from keyprojects.inspections.incidents import incident_delete, incident_save, minimum_severity
from keyprojects.inspections.models import Incident
from keyprojects.notifications.models import Notification

TODAY = dt.date(2026, 6, 10)
G, L, M, E = (IncidentSeverity.GENERAL, IncidentSeverity.LARGER, IncidentSeverity.MAJOR,
              IncidentSeverity.ESPECIALLY_MAJOR)  # fmt: skip


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss", "grade"),
    [
        (0, 0, "0", G), (2, 9, "9999999.99", G),
        (3, 0, "0", L), (0, 10, "0", L), (0, 0, "10000000", L),
        (9, 49, "49999999", L),
        (10, 0, "0", M), (0, 50, "0", M), (0, 0, "50000000", M),
        (29, 99, "99999999", M),
        (30, 0, "0", E), (0, 100, "0", E), (0, 0, "100000000", E),
    ],
)  # fmt: skip
def test_the_least_grade_follows_the_national_thresholds(deaths, injuries, loss, grade):
    assert minimum_severity(IncidentKind.SAFETY, deaths, injuries, Decimal(loss)) == grade
    assert minimum_severity(IncidentKind.QUALITY, deaths, injuries, Decimal(loss)) == grade


def test_epidemic_cases_are_not_graded_by_casualties():
    assert minimum_severity(IncidentKind.EPIDEMIC, 40, 0, Decimal(0)) is None


def record(world, user=None, **fields):
    values = {
        "project": world.project, "occurred_on": TODAY, "kind": IncidentKind.SAFETY,
        "description": "脚手架坍塌", "today": TODAY,
    }  # fmt: skip
    values.update(fields)
    return incident_save(user=user or world.office, **values)


def test_an_empty_grade_takes_the_least_the_figures_allow(world):
    incident = record(world, deaths=1, serious_injuries=12)
    assert incident.severity == IncidentSeverity.LARGER
    assert incident.jurisdiction_id == world.district.pk and incident.recorded_by == world.office


def test_a_grade_below_the_figures_is_refused_and_a_higher_one_kept(world):
    with pytest.raises(ValidationError, match="at least") as refused:
        record(world, deaths=3, severity=IncidentSeverity.GENERAL)
    assert "severity" in refused.value.message_dict
    assert not Incident.objects.exists()
    assert record(world, severity=IncidentSeverity.MAJOR).severity == IncidentSeverity.MAJOR


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"occurred_on": TODAY + dt.timedelta(days=1)}, "occurred_on"),
        ({"description": "  "}, "description"),
        ({"direct_loss": Decimal(-1)}, "direct_loss"),
        ({"deaths": -1}, "deaths"),
        ({"kind": "flood"}, "kind"),
        ({"severity": "catastrophic"}, "severity"),
    ],
)
def test_bad_values_are_refused_by_field(world, fields, field):
    with pytest.raises(ValidationError) as refused:
        record(world, **fields)
    assert field in refused.value.message_dict
    assert not Incident.objects.exists()


@pytest.mark.parametrize("persona", ["owner_user", "responsible_user"])
def test_the_projects_units_record(world, persona):
    assert record(world, user=getattr(world, persona)).pk


@pytest.mark.parametrize("persona", ["leader", "auditor", "bystander_user", "outsider"])
def test_others_may_not(world, persona):
    with pytest.raises(PermissionDenied):
        record(world, user=getattr(world, persona))


def test_the_office_is_told_and_the_leader_of_a_grave_one(world):
    record(world, serious_injuries=1)
    assert Notification.objects.filter(user=world.office, kind="incident_recorded").count() == 1
    assert not Notification.objects.filter(user=world.leader).exists()
    record(world, deaths=1)
    assert Notification.objects.filter(user=world.leader, kind="incident_recorded").count() == 1


def test_a_correction_on_a_stale_form_is_refused(world):
    incident = record(world)
    read = incident.version
    record(world, incident=incident, version=read, measures="停工整改")
    with pytest.raises(ValidationError, match="Someone else"):
        record(world, incident=Incident.objects.get(pk=incident.pk), version=read, deaths=1)
    stored = Incident.objects.get(pk=incident.pk)
    assert (stored.measures, stored.deaths, stored.version) == ("停工整改", 0, read + 1)


def test_a_correction_cannot_move_it_to_a_project_the_person_may_not_record(world):
    incident = record(world, user=world.owner_user)
    with pytest.raises(PermissionDenied):
        record(world, user=world.owner_user, incident=incident, project=world.other_project)


def test_only_the_office_deletes(world):
    incident = record(world)
    with pytest.raises(PermissionDenied):
        incident_delete(user=world.owner_user, incident=incident)
    incident_delete(user=world.office, incident=incident)
    assert not Incident.objects.exists()
