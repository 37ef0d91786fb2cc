"""Monthly reports: draft → submitted → accepted, or returned and resubmitted; and the
roll-ups and lights that accepted reports feed."""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.audit.context import current
from keyprojects.projects.models import AnnualPlan, Project
from keyprojects.projects.signals import send_projects_changed

from . import pace
from .choices import ReportEvent, ReportStatus
from .models import MonthlyLight, MonthlyReport, ReportRevision

REPORT_FIELDS = [
    "investment", "progress_percent", "progress_text", "managers", "workers", "milestones",
    "problems", "next_month", "unusual_reason",
]  # fmt: skip
ZERO = Decimal(0)


def _actor() -> Any:
    actor = current().actor
    return actor if getattr(actor, "pk", None) else None


def _revise(report: MonthlyReport, event: str, comment: str = "") -> None:
    values = _revision_values(report)
    number = report.revisions.count() + 1
    ReportRevision.objects.create(
        report=report,
        number=number,
        event=event,
        at=timezone.now(),
        actor=_actor(),
        comment=comment,
        values=values,
    )


def _check_amount(report: MonthlyReport) -> None:
    """A negative amount, or one that takes the total past the total investment, needs a
    stated reason."""
    if report.unusual_reason.strip():
        return
    if report.investment < 0:
        raise ValidationError(
            {"investment": _("A negative amount needs a reason (a correction, say).")}
        )
    others = (
        MonthlyReport.objects.filter(project=report.project)
        .exclude(pk=report.pk)
        .exclude(status=ReportStatus.RETURNED)
        .aggregate(total=Sum("investment"))["total"]
        or ZERO
    )
    if others + report.investment > report.project.total_investment:
        raise ValidationError(
            {
                "investment": _(
                    "With this amount the project's reported investment passes its total "
                    "investment; give the reason."
                )
            }
        )


def report_save(
    *, project: Project, year: int, month: int, version: int | None = None, **fields: Any
) -> MonthlyReport:
    """Create or change a report that is a draft or was returned."""
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise ValueError(f"not a report field: {sorted(unknown)}")
    with transaction.atomic():
        report = (
            MonthlyReport.objects.select_for_update()
            .filter(project=project, year=year, month=month)
            .first()
        )
        if report is None:
            report = MonthlyReport(project=project, year=year, month=month, investment=ZERO)
        elif report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
            raise ValidationError(
                _("This report was submitted; the programme office must return it first.")
            )
        elif version is not None and report.version != version:
            raise ValidationError(
                _("Someone saved this report after you opened it; reload and try again.")
            )
        for name, value in fields.items():
            setattr(report, name, value)
        if report.pk:
            report.version += 1
        report.full_clean()
        _check_amount(report)
        report.save()
    return report


def report_submit(*, report: MonthlyReport) -> MonthlyReport:
    """Submit for review. Submitting twice is harmless."""
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        if report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
            return report
        _check_amount(report)
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = timezone.now()
        report.save()
        _revise(report, ReportEvent.SUBMITTED)
    return report


def report_accept(*, report: MonthlyReport, comment: str = "") -> MonthlyReport:
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        if report.status == ReportStatus.ACCEPTED:
            return report
        if report.status != ReportStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted report can be accepted."))
        report.status = ReportStatus.ACCEPTED
        report.reviewed_at = timezone.now()
        report.review_comment = comment.strip()
        report.save()
        _revise(report, ReportEvent.ACCEPTED, comment)
        project_figures_update(project=report.project, year=report.year)
    return report


def report_return(*, report: MonthlyReport, comment: str) -> MonthlyReport:
    if not comment.strip():
        raise ValidationError({"comment": _("Say what needs correcting.")})
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        if report.status != ReportStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted report can be returned."))
        report.status = ReportStatus.RETURNED
        report.reviewed_at = timezone.now()
        report.review_comment = comment.strip()
        report.save()
        _revise(report, ReportEvent.RETURNED, comment)
    return report


@dataclass(frozen=True)
class Pace:
    project: Project
    year: int
    month: int
    annual_target: Decimal
    ytd_completed: Decimal
    expected_share: Decimal
    actual_share: Decimal
    gap_points: Decimal
    light: str


def accepted_totals(project: Project, year: int, month: int) -> tuple[Decimal, Decimal, bool]:
    """Accepted investment in `year` up to `month`, since the start, and whether any exists."""
    reports = MonthlyReport.objects.filter(project=project, status=ReportStatus.ACCEPTED)
    upto = Q(year__lt=year) | Q(year=year, month__lte=month)
    totals = reports.filter(upto).aggregate(
        year_total=Sum("investment", filter=Q(year=year)), since_start=Sum("investment")
    )
    found = totals["since_start"] is not None
    return totals["year_total"] or ZERO, totals["since_start"] or ZERO, found


def project_pace(
    *, project: Project, year: int, month: int, previous: str | None = None
) -> Pace | None:
    """The 序时进度 of one project at the end of `month`; None without an annual target."""
    plan = AnnualPlan.objects.filter(project=project, year=year).first()
    if plan is None or plan.investment_target <= 0:
        return None
    ytd, _since, reported = accepted_totals(project, year, month)
    if not reported and plan.ytd_completed is not None and plan.figures_as_of:
        # No reports yet: an imported ledger's figures stand, for the month they are dated.
        as_of = plan.figures_as_of
        if (as_of.year, as_of.month) <= (year, month):
            ytd = plan.ytd_completed
    expected = pace.expected_share(month, plan.monthly_curve)
    actual = pace.actual_share(ytd, plan.investment_target)
    gap = (actual - expected).quantize(pace.CENT)
    light = pace.light_for(
        gap,
        yellow=Decimal(settings.KEYPROJECTS_LIGHT_YELLOW_POINTS),
        red=Decimal(settings.KEYPROJECTS_LIGHT_RED_POINTS),
        previous=previous,
    )
    return Pace(project, year, month, plan.investment_target, ytd, expected, actual, gap, light)


def lights_compute(*, year: int, month: int, projects: Any = None) -> list[Pace]:
    """Work out and keep the month's light for each project with an annual target."""
    if projects is None:
        projects = Project.objects.filter(annual_plans__year=year).distinct()
    results = []
    with transaction.atomic():
        for project in projects:
            before = MonthlyLight.objects.filter(
                project=project, year=year if month > 1 else year - 1,
                month=month - 1 if month > 1 else 12,
            ).values_list("light", flat=True).first()  # fmt: skip
            result = project_pace(project=project, year=year, month=month, previous=before)
            if result is None:
                continue
            MonthlyLight.objects.update_or_create(
                project=project,
                year=year,
                month=month,
                defaults={
                    "annual_target": result.annual_target,
                    "ytd_completed": result.ytd_completed,
                    "expected_share": result.expected_share,
                    "actual_share": result.actual_share,
                    "gap_points": result.gap_points,
                    "light": result.light,
                },
            )
            results.append(result)
    return results


def project_figures_update(*, project: Project, year: int) -> None:
    """Carry accepted reports into the ledger: the year's figures and the current light."""
    last = (
        MonthlyReport.objects.filter(project=project, year=year, status=ReportStatus.ACCEPTED)
        .order_by("-month")
        .first()
    )
    if last is None:
        return
    ytd, since_start, _found = accepted_totals(project, year, last.month)
    # A project that reports investment in a year is in that year's programme: keep its
    # figures on the year's plan, made with no target where it has none yet.
    plan = AnnualPlan.objects.filter(project=project, year=year).first() or AnnualPlan(
        project=project, year=year, investment_target=ZERO
    )
    plan.ytd_completed = ytd
    plan.month_completed = last.investment
    plan.since_start_completed = since_start
    plan.figures_as_of = dt.date(year, last.month, calendar.monthrange(year, last.month)[1])
    plan.save()
    results = lights_compute(year=year, month=last.month, projects=[project])
    fresh = Project.objects.get(pk=project.pk)
    if last.progress_percent is not None:
        fresh.progress_percent = last.progress_percent
    if last.progress_text:
        fresh.progress_text = last.progress_text
    if results:
        fresh.light = results[0].light
    fresh.save()


def report_due_date(year: int, month: int) -> dt.date:
    """The day the report for (year, month) is due: a set day of the following month."""
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    day = min(settings.KEYPROJECTS_REPORT_DUE_DAY, calendar.monthrange(next_year, next_month)[1])
    return dt.date(next_year, next_month, day)


def photo_add(*, report: MonthlyReport, data: bytes, caption: str = "") -> Any:
    """Attach a re-encoded photo, marked for the reviewer when its camera time falls outside
    the reported month or its camera position is far from the project's site."""
    from django.core.files.base import ContentFile

    from .models import ReportPhoto
    from .photos import distance_km, process

    if report.status == ReportStatus.ACCEPTED:
        raise ValidationError(_("The report was accepted; photos can no longer be added."))
    processed = process(data)
    photo = ReportPhoto(report=report, caption=caption.strip()[:200])
    if processed.taken_at is not None:
        photo.taken_at = timezone.make_aware(processed.taken_at)
        taken = processed.taken_at
        photo.outside_month = (taken.year, taken.month) != (report.year, report.month)
    project = report.project
    if processed.latitude is not None and processed.longitude is not None:
        photo.latitude, photo.longitude = processed.latitude, processed.longitude
        if project.latitude is not None and project.longitude is not None:
            photo.distance_km = round(
                distance_km(
                    processed.latitude, processed.longitude, project.latitude, project.longitude
                ),
                2,
            )
            photo.far_from_site = photo.distance_km > settings.KEYPROJECTS_PHOTO_MAX_KM
    stem = f"r{report.pk}-{uuid.uuid4().hex}"
    photo.image.save(f"{stem}.jpg", ContentFile(processed.image), save=False)
    photo.thumbnail.save(f"{stem}.jpg", ContentFile(processed.thumbnail), save=False)
    photo.save()
    return photo


@dataclass(frozen=True)
class GridRow:
    project: Project
    values: dict[str, Any]


def reports_save_grid(
    *, year: int, month: int, rows: list[GridRow], submit: bool = False
) -> dict[int, dict[str, list[str]]]:
    """Save a month's reports for many projects at once: every row, or none when any row has
    an error. Returns the errors by project id (empty when saved).

    The same rules as `report_save` and `report_submit`, applied in bulk: a handful of
    queries for the whole grid rather than a dozen per project."""
    from keyprojects.audit.choices import Action
    from keyprojects.audit.services import Change, record_changes, snapshot

    projects = {row.project.pk: row.project for row in rows}
    errors: dict[int, dict[str, list[str]]] = {}
    with transaction.atomic():
        existing = {
            r.project_id: r
            for r in MonthlyReport.objects.select_for_update().filter(
                project_id__in=projects, year=year, month=month
            )
        }
        others = dict(
            MonthlyReport.objects.filter(project_id__in=projects)
            .exclude(year=year, month=month)
            .exclude(status=ReportStatus.RETURNED)
            .values_list("project_id")
            .annotate(total=Sum("investment"))
        )
        now = timezone.now()
        created: list[MonthlyReport] = []
        updated: list[MonthlyReport] = []
        changes: list[Change] = []
        befores: dict[int, dict[str, Any]] = {}
        for row in rows:
            report = existing.get(row.project.pk)
            if report is not None and report.status in (ReportStatus.SUBMITTED,
                                                        ReportStatus.ACCEPTED):  # fmt: skip
                errors[row.project.pk] = {"": [_("This report was submitted already.")]}
                continue
            if report is None:
                report = MonthlyReport(project=row.project, year=year, month=month)
            else:
                befores[report.pk] = snapshot(report)
                report.version += 1
            for name, value in row.values.items():
                setattr(report, name, value)
            problems = _grid_problems(report, others.get(row.project.pk, ZERO))
            if problems:
                errors[row.project.pk] = problems
                continue
            if submit:
                report.status, report.submitted_at = ReportStatus.SUBMITTED, now
            (updated if report.pk else created).append(report)
        if errors:
            transaction.set_rollback(True)
            return errors
        MonthlyReport.objects.bulk_create(created, batch_size=500)
        fields = [*REPORT_FIELDS, "status", "submitted_at", "version"]
        MonthlyReport.objects.bulk_update(updated, fields, batch_size=500)
        for report in created:
            changes.append(Change(Action.CREATE, report, None, snapshot(report)))
        for report in updated:
            changes.append(Change(Action.UPDATE, report, befores[report.pk], snapshot(report)))
        record_changes(changes)
        send_projects_changed(reports_save_grid, (r.project_id for r in [*created, *updated]),
                              ("report",))  # fmt: skip
        if submit:
            counts: dict[int, int] = dict(
                ReportRevision.objects.filter(report__in=updated)
                .values_list("report_id")
                .annotate(n=Count("id"))
            )
            actor = _actor()
            ReportRevision.objects.bulk_create(
                [
                    ReportRevision(
                        report=r,
                        number=counts.get(r.pk, 0) + 1,
                        event=ReportEvent.SUBMITTED,
                        at=now,
                        actor=actor,
                        values=_revision_values(r),
                    )
                    for r in [*created, *updated]
                ],
                batch_size=500,
            )
    return errors


def _grid_problems(report: MonthlyReport, others: Decimal) -> dict[str, list[str]]:
    """The checks of `full_clean` and `_check_amount`, for one grid row, without queries."""
    problems: dict[str, list[str]] = {}
    percent = report.progress_percent
    if percent is not None and not ZERO <= percent <= 100:
        problems["progress_percent"] = [_("Enter a percentage from 0 to 100.")]
    if report.managers < 0 or report.workers < 0:
        problems["workers"] = [_("People on site cannot be fewer than none.")]
    if abs(report.investment) >= Decimal(10) ** 16:
        problems["investment"] = [_("This amount is too large.")]
    elif not report.unusual_reason.strip():
        if report.investment < 0:
            problems["investment"] = [_("A negative amount needs a reason (a correction, say).")]
        elif others + report.investment > report.project.total_investment:
            problems["investment"] = [
                _(
                    "With this amount the project's reported investment passes its total "
                    "investment; give the reason."
                )
            ]
    return problems


def _revision_values(report: MonthlyReport) -> dict[str, Any]:
    values = {name: getattr(report, name) for name in REPORT_FIELDS}
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}


def start_overdue(projects: Any, year: int, month: int) -> Any:
    """The start-of-works light: projects whose planned start month has passed by the end of
    (year, month) without 开工."""
    from keyprojects.projects.choices import Stage

    month_end = dt.date(year, month, calendar.monthrange(year, month)[1])
    first_of_month = month_end.replace(day=1)
    return (
        projects.filter(
            stage__in=[Stage.RESERVE, Stage.PRELIMINARY],
            actual_start__isnull=True,
            planned_start__lt=first_of_month,
        )
        .select_related("owner_unit", "responsible_unit")
        .order_by("planned_start")
    )


def ledger_report_values(
    *, year: int, as_of: dt.date, figures: dict[int, Decimal]
) -> list[dict[str, Any]]:
    """The accepted reports an imported ledger's 本年累计完成 figures become: one for the month
    the ledger is dated, worth the figure less what was accepted earlier in the year, for
    each project the unit has not reported that month itself. Two queries for all."""
    if not figures:
        return []
    month = as_of.month if as_of.year == year else 12
    taken = set(
        MonthlyReport.objects.filter(project_id__in=figures, year=year, month=month).values_list(
            "project_id", flat=True
        )
    )
    earlier = dict(
        MonthlyReport.objects.filter(
            project_id__in=figures, year=year, month__lt=month, status=ReportStatus.ACCEPTED
        )
        .values_list("project_id")
        .annotate(total=Sum("investment"))
    )
    now = timezone.now()
    common = {
        "year": year,
        "month": month,
        "status": ReportStatus.ACCEPTED,
        "submitted_at": now,
        "reviewed_at": now,
        "review_comment": _("From the ledger dated %(date)s") % {"date": as_of.isoformat()},
        "unusual_reason": _("Imported ledger figure"),
    }
    return [
        {**common, "project_id": pid, "investment": ytd - earlier.get(pid, ZERO)}
        for pid, ytd in figures.items()
        if pid not in taken
    ]


def ledger_figures_to_reports(
    *, year: int, as_of: dt.date, figures: dict[int, Decimal]
) -> list[MonthlyReport]:
    """Record an imported ledger's figures as accepted reported investment (see
    `ledger_report_values`), so that lights work straight from it; with the audit trail.
    The audit trail records where these came from; a report's own history of revisions
    begins when its unit first submits it."""
    from keyprojects.audit.choices import Action
    from keyprojects.audit.services import Change, record_changes, snapshot

    values = ledger_report_values(year=year, as_of=as_of, figures=figures)
    # Loaded once, so that the audit trail names each report and finds its jurisdiction
    # without a query.
    projects = Project.objects.only("id", "name", "jurisdiction_id").in_bulk(
        [v["project_id"] for v in values]
    )
    reports = [
        MonthlyReport(project=projects[pid], **{k: x for k, x in v.items() if k != "project_id"})
        for v in values
        if (pid := v["project_id"]) in projects
    ]
    with transaction.atomic():
        created = MonthlyReport.objects.bulk_create(reports, batch_size=2000)
        record_changes([Change(Action.CREATE, r, None, snapshot(r)) for r in created])
    return created


def plan_figures_rebuild(*, year: int) -> int:
    """Recompute every annual plan's reported figures for `year` from the accepted reports, in
    a few set-wise statements: the nightly repair, and the reference the benchmark checks."""
    reports = MonthlyReport.objects.filter(status=ReportStatus.ACCEPTED)
    latest = dict(
        reports.filter(year=year).values_list("project_id").annotate(m=models.Max("month"))
    )
    if not latest:
        return 0
    in_year = dict(
        reports.filter(year=year).values_list("project_id").annotate(s=Sum("investment"))
    )
    since = dict(
        reports.filter(year__lte=year).values_list("project_id").annotate(s=Sum("investment"))
    )
    last_month = {
        (pid, m): amount
        for pid, m, amount in reports.filter(year=year).values_list(
            "project_id", "month", "investment"
        )
        if latest.get(pid) == m
    }
    from keyprojects.audit.choices import Action
    from keyprojects.audit.services import Change, record_changes, snapshot

    have = set(AnnualPlan.objects.filter(year=year).values_list("project_id", flat=True))
    missing = [
        AnnualPlan(project_id=pid, year=year, investment_target=ZERO)
        for pid in latest
        if pid not in have
    ]
    with transaction.atomic():
        created = AnnualPlan.objects.bulk_create(missing, batch_size=2000)
        record_changes([Change(Action.CREATE, p, None, snapshot(p)) for p in created])
    fields = ["ytd_completed", "since_start_completed", "month_completed", "figures_as_of"]
    changed, changes = [], []
    for plan in AnnualPlan.objects.filter(year=year, project_id__in=latest):
        before = snapshot(plan)
        month = latest[plan.project_id]
        plan.ytd_completed = in_year.get(plan.project_id, ZERO)
        plan.since_start_completed = since.get(plan.project_id, ZERO)
        plan.month_completed = last_month.get((plan.project_id, month), ZERO)
        plan.figures_as_of = dt.date(year, month, calendar.monthrange(year, month)[1])
        after = snapshot(plan)
        if after != before:  # only what the repair really changes, and it is logged
            changed.append(plan)
            changes.append(Change(Action.UPDATE, plan, before, after))
    with transaction.atomic():
        AnnualPlan.objects.bulk_update(changed, fields, batch_size=2000)
        record_changes(changes)
    return len(changed)


def lights_of_month(*, year: int, month: int, projects: Any = None) -> list[MonthlyLight]:
    """Every project's light for a month (of `projects`, else all), worked out set-wise and
    not saved: the same rule as `project_pace`, with three queries for all projects instead
    of three each."""
    plans = AnnualPlan.objects.filter(year=year, investment_target__gt=0)
    if projects is not None:
        plans = plans.filter(project__in=projects)
    plans_list = list(plans.values_list("project_id", "investment_target", "monthly_curve",
                                        "ytd_completed", "figures_as_of"))  # fmt: skip
    ids = [p[0] for p in plans_list]
    reported = dict(
        MonthlyReport.objects.filter(
            project_id__in=ids, status=ReportStatus.ACCEPTED, year=year, month__lte=month
        )
        .values_list("project_id")
        .annotate(s=Sum("investment"))
    )
    previous = dict(
        MonthlyLight.objects.filter(
            project_id__in=ids,
            year=year if month > 1 else year - 1,
            month=month - 1 if month > 1 else 12,
        ).values_list("project_id", "light")
    )
    yellow = Decimal(settings.KEYPROJECTS_LIGHT_YELLOW_POINTS)
    red = Decimal(settings.KEYPROJECTS_LIGHT_RED_POINTS)
    rows = []
    for pid, target, curve, plan_ytd, as_of in plans_list:
        ytd = reported.get(pid)
        if ytd is None:
            ytd = ZERO
            if plan_ytd is not None and as_of and (as_of.year, as_of.month) <= (year, month):
                ytd = plan_ytd
        expected = pace.expected_share(month, curve)
        actual = pace.actual_share(ytd, target)
        gap = (actual - expected).quantize(pace.CENT)
        light = pace.light_for(gap, yellow=yellow, red=red, previous=previous.get(pid))
        rows.append(
            MonthlyLight(
                project_id=pid,
                year=year,
                month=month,
                annual_target=target,
                ytd_completed=ytd,
                expected_share=expected,
                actual_share=actual,
                gap_points=gap,
                light=light,
            )
        )
    return rows


def lights_rebuild(*, year: int, month: int, projects: Any = None) -> int:
    """Keep every project's light for a month (the nightly job, `keyprojects lights`); the
    projects whose light changed are announced to what follows them (alerts)."""
    rows = lights_of_month(year=year, month=month, projects=projects)
    kept = MonthlyLight.objects.filter(year=year, month=month)
    if projects is not None:
        kept = kept.filter(project__in=projects)
    was = dict(kept.values_list("project_id", "light"))
    with transaction.atomic():
        MonthlyLight.objects.bulk_create(
            rows,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["project", "year", "month"],
            update_fields=[
                "annual_target",
                "ytd_completed",
                "expected_share",
                "actual_share",
                "gap_points",
                "light",
            ],
        )
        changed = (row.project_id for row in rows if was.get(row.project_id) != row.light)
        send_projects_changed(lights_rebuild, changed, ("light",))
    return len(rows)


@dataclass(frozen=True)
class Rollup:
    projects: int
    total_investment: Decimal
    annual_target: Decimal
    ytd_completed: Decimal
    since_start_completed: Decimal
    lights: dict[str, int]

    @property
    def plan_share(self) -> Decimal | None:
        return (
            pace.actual_share(self.ytd_completed, self.annual_target)
            if self.annual_target
            else None
        )


def ledger_rollup(projects: Any, *, year: int, month: int) -> Rollup:
    """Year-to-date and since-start figures and the month's lights for any filter of the
    ledger, from the kept figures: a fixed handful of queries whatever the filter."""
    ids = projects.order_by().values("pk")
    plans = AnnualPlan.objects.filter(year=year, project_id__in=ids).aggregate(
        target=Sum("investment_target"),
        ytd=Sum("ytd_completed"),
        since=Sum("since_start_completed"),
    )
    counts = dict(
        MonthlyLight.objects.filter(project_id__in=ids, year=year, month=month)
        .values_list("light")
        .annotate(n=Count("id"))
    )
    totals = projects.order_by().aggregate(n=Count("pk"), total=Sum("total_investment"))
    return Rollup(
        projects=totals["n"],
        total_investment=totals["total"] or ZERO,
        annual_target=plans["target"] or ZERO,
        ytd_completed=plans["ytd"] or ZERO,
        since_start_completed=plans["since"] or ZERO,
        lights={str(k): v for k, v in counts.items()},
    )


def ledger_rollup_from_scratch(projects: Any, *, year: int, month: int) -> Rollup:
    """The same figures recomputed from every accepted report: the reference for checks."""
    ids = projects.order_by().values("pk")
    accepted = MonthlyReport.objects.filter(project_id__in=ids, status=ReportStatus.ACCEPTED)
    ytd = accepted.filter(year=year, month__lte=month).aggregate(s=Sum("investment"))["s"]
    since = accepted.filter(Q(year__lt=year) | Q(year=year, month__lte=month)).aggregate(
        s=Sum("investment")
    )["s"]
    kept = ledger_rollup(projects, year=year, month=month)
    target = AnnualPlan.objects.filter(year=year, project_id__in=ids).aggregate(
        s=Sum("investment_target")
    )["s"]
    return Rollup(kept.projects, kept.total_investment, target or ZERO, ytd or ZERO,
                  since or ZERO, kept.lights)  # fmt: skip
