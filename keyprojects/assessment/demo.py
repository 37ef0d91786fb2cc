"""Demo assessment: the default indicator set (40/20/10/20/10), monthly reports behind the
year's figures (most on time, some late), the third quarter and October closed, November
open and provisional."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from keyprojects.audit.choices import Action
from keyprojects.audit.services import Change, record_changes, snapshot
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, User
from keyprojects.progress.choices import ReportStatus
from keyprojects.progress.models import MonthlyReport
from keyprojects.progress.services import report_due_date
from keyprojects.projects.choices import Stage
from keyprojects.projects.models import AnnualPlan

from . import services
from .models import IndicatorSet, Period
from .rules import DEFAULT_WEIGHTS, default_params

YEAR = 2026
CENT = Decimal("0.01")


def populate(district: Jurisdiction) -> None:
    office = User.objects.filter(role=Role.PROGRAMME_OFFICE, jurisdiction=district).first()
    if office is None or Period.objects.filter(jurisdiction=district).exists():
        return
    rng = random.Random(2026)
    _reports(district, rng)
    indicator_set = IndicatorSet.objects.filter(jurisdiction=district, active=True).first()
    if indicator_set is None:
        rows = []
        for kind, weight in DEFAULT_WEIGHTS:
            params = default_params(kind)
            if kind == "milestones":
                params["late_credit"] = 0.5
            rows.append({"kind": str(kind), "weight": weight, "params": params})
        indicator_set = services.indicator_set_save(
            jurisdiction=district,
            user=office,
            name="重点项目建设考核（2026年）",
            indicators=rows,
            red_list_size=3,
            black_list_size=3,
        )
    for kind, number, opened, closed in (
        ("quarter", 3, dt.date(YEAR, 9, 1), dt.date(YEAR, 10, 9)),
        ("month", 10, dt.date(YEAR, 10, 1), dt.date(YEAR, 11, 6)),
        ("month", 11, dt.date(YEAR, 11, 1), None),
    ):
        period = services.period_create(
            jurisdiction=district,
            kind=kind,
            year=YEAR,
            number=number,
            user=office,
            indicator_set=indicator_set,
            today=opened,
        )
        if closed is not None:
            services.period_close(period=period, user=office, today=closed)


def _reports(district: Jurisdiction, rng: random.Random) -> None:
    """Monthly reports that add up to each building project's year-to-date figure, January
    to October, for projects that have none yet: most in by the 5th, a few late."""
    plans = (
        AnnualPlan.objects.filter(
            project__jurisdiction=district,
            year=YEAR,
            ytd_completed__gt=0,
            project__stage__in=[Stage.CONSTRUCTION, Stage.COMPLETED],
        )
        .exclude(project__reports__year=YEAR)
        .select_related("project")
        .order_by("project_id")
    )
    reports = []
    for plan in plans:
        project = plan.project
        assert plan.ytd_completed is not None
        first = 1
        if project.actual_start and project.actual_start.year == YEAR:
            first = min(project.actual_start.month, 10)
        months = list(range(first, 11))
        last = plan.month_completed if plan.month_completed is not None else Decimal(0)
        last = min(last, plan.ytd_completed)
        before = plan.ytd_completed - last
        shares = [Decimal(rng.randint(6, 12)) for _m in months[:-1]]
        amounts = [(before * s / sum(shares)).quantize(CENT) for s in shares] if shares else []
        if amounts:
            amounts[-1] += before - sum(amounts)
        amounts.append(last if shares else plan.ytd_completed)
        late_unit = rng.random() < 0.25
        for month, amount in zip(months, amounts, strict=True):
            due = report_due_date(YEAR, month)
            late = rng.random() < (0.35 if late_unit else 0.06)
            day = (
                due + dt.timedelta(days=rng.randint(1, 6))
                if late
                else (due - dt.timedelta(days=rng.randint(0, 4)))
            )
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 18))))
            reports.append(
                MonthlyReport(
                    project=project,
                    year=YEAR,
                    month=month,
                    investment=amount,
                    status=ReportStatus.ACCEPTED,
                    submitted_at=at,
                    reviewed_at=at + dt.timedelta(days=1),
                    progress_text=project.progress_text,
                    workers=rng.randint(30, 260),
                    managers=rng.randint(4, 20),
                    unusual_reason="" if amount >= 0 else "冲减更正",
                )
            )
    created = MonthlyReport.objects.bulk_create(reports, batch_size=500)
    record_changes([Change(Action.CREATE, r, None, snapshot(r)) for r in created])
