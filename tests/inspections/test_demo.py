"""The demo records: a dozen inspections over past months, hazards in every state, two
incidents; deterministic, and made once."""

from __future__ import annotations

from django.utils import timezone

from keyprojects.audit.services import verify_chain
from keyprojects.inspections import demo
from keyprojects.inspections.choices import HazardStatus
from keyprojects.inspections.models import Hazard, Incident, Inspection
from keyprojects.inspections.selectors import overdue_hazards


def snapshot():
    return sorted(Hazard.objects.values_list("description", "status", "deadline"))


def test_the_demo_makes_inspections_hazards_and_incidents_once(world):
    demo.populate(world.district)
    today = timezone.localdate()
    inspections = Inspection.objects.filter(jurisdiction=world.district)
    assert inspections.count() == 12 and not inspections.filter(status="draft").exists()
    dates = sorted(inspections.values_list("date", flat=True))
    assert (today - dates[0]).days > 60 and dates[-1] < today
    statuses = set(Hazard.objects.values_list("status", flat=True))
    assert {HazardStatus.CLOSED, HazardStatus.OPEN} <= statuses
    assert overdue_hazards([world.district.pk]).exists()
    assert overdue_hazards([world.district.pk]).filter(escalated_at__isnull=False).exists()
    closed = Hazard.objects.filter(status=HazardStatus.CLOSED).first()
    assert closed.task.updates.exclude(file="").exists()
    assert closed.rectified_at.date() <= today and closed.closed_at > closed.rectified_at
    assert Incident.objects.count() == 2
    assert verify_chain() is None

    first = snapshot()
    demo.populate(world.district)
    assert Inspection.objects.count() == 12 and snapshot() == first
