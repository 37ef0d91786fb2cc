"""The demo district's cockpit: lights month by month from the demo's reports."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Max

from keyprojects.cockpit.demo import populate
from keyprojects.cockpit.models import SnapshotState
from keyprojects.demo.builder import DEMO_YEAR
from keyprojects.organisations.models import Jurisdiction, User
from keyprojects.progress.models import MonthlyLight, MonthlyReport

pytestmark = pytest.mark.django_db


def test_the_demo_cockpit_has_a_light_for_every_reported_month(client):
    call_command("demo", stdout=io.StringIO())
    district = Jurisdiction.objects.get(code="500103")
    populate(district)
    months = set(
        MonthlyLight.objects.filter(project__jurisdiction=district, year=DEMO_YEAR).values_list(
            "month", flat=True
        )
    )
    latest = MonthlyReport.objects.filter(
        project__jurisdiction=district, year=DEMO_YEAR, status="accepted"
    ).aggregate(m=Max("month"))["m"]
    assert latest >= 10 and set(range(1, latest + 1)) <= months
    assert SnapshotState.objects.filter(year=DEMO_YEAR).exists()
    client.force_login(User.objects.get(username="leader"))
    data = client.get(f"/api/cockpit/?year={DEMO_YEAR}&month=10").json()
    assert data["summary"]["projects"] >= 55
    assert sum(light["count"] for light in data["lights"]["month"]) >= 20
    assert all(m["completed"] for m in data["investment"]["months"][:10])
    kept = MonthlyLight.objects.filter(project__jurisdiction=district).count()
    populate(district)  # twice is harmless
    assert MonthlyLight.objects.filter(project__jurisdiction=district).count() == kept
