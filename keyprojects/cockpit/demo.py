"""The cockpit keeps no records of its own: for the demo, the months' lights are worked out
from the reports the other capabilities' demos made, as the nightly job would have done month
after month, and the cockpit's figures are worked out once, so the first page is quick."""

from __future__ import annotations

from django.db.models import Max

from keyprojects.demo.builder import DEMO_YEAR
from keyprojects.organisations.models import Jurisdiction
from keyprojects.progress.choices import ReportStatus
from keyprojects.progress.models import MonthlyReport
from keyprojects.progress.services import lights_rebuild
from keyprojects.projects.models import Project

from .snapshots import snapshot_build


def populate(district: Jurisdiction) -> None:
    projects = Project.objects.filter(jurisdiction=district)
    year = DEMO_YEAR
    reports = MonthlyReport.objects.filter(
        project__in=projects, year=year, status=ReportStatus.ACCEPTED
    )
    latest = reports.aggregate(m=Max("month"))["m"]
    # In order: a red light stays red until the project catches up, month to month.
    for month in range(1, (latest or 0) + 1):
        lights_rebuild(year=year, month=month, projects=projects)
    snapshot_build(year)
