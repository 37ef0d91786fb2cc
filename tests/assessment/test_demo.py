"""The demo's assessment: the default set, Q3 and October closed, November open."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from keyprojects.assessment import demo
from keyprojects.assessment.models import IndicatorSet, Period
from keyprojects.assessment.results import results_for, results_intact
from keyprojects.progress.models import MonthlyReport
from keyprojects.projects.models import AnnualPlan


def test_the_demo_closes_two_periods_and_leaves_one_open(world):
    for project, ytd in ((world.project, 9_000_000), (world.other_project, 4_200_000)):
        AnnualPlan.objects.create(
            project=project, year=2026, investment_target=Decimal(12_000_000),
            ytd_completed=Decimal(ytd), month_completed=Decimal(800_000),
            figures_as_of=dt.date(2026, 10, 31),
        )  # fmt: skip
    demo.populate(world.district)

    indicator_set = IndicatorSet.objects.get(jurisdiction=world.district)
    assert [(i.kind, i.weight) for i in indicator_set.indicators.all()] == [
        ("investment_completion", 40),
        ("milestones", 20),
        ("reporting_on_time", 10),
        ("problem_closure", 20),
        ("safety", 10),
    ]
    periods = {(p.kind, p.number): p for p in Period.objects.all()}
    assert {k: p.status for k, p in periods.items()} == {
        ("quarter", 3): "closed",
        ("month", 10): "closed",
        ("month", 11): "open",
    }
    for key in (("quarter", 3), ("month", 10)):
        assert results_intact(periods[key])
        assert [s.name for s in results_for(periods[key]).units]
    # The reports add up to the ledger's year-to-date figures, the last month's as reported.
    totals = dict(MonthlyReport.objects.values_list("project_id").annotate(s=Sum("investment")))
    assert totals == {world.project.pk: 9_000_000, world.other_project.pk: 4_200_000}
    assert MonthlyReport.objects.get(project=world.project, month=10).investment == 800_000

    demo.populate(world.district)  # a second run adds nothing
    assert Period.objects.count() == 3
