"""Draft a bulletin's figures and tables from what the system knows: the year's programme,
the month's 序时进度 lights, accepted reports and their photos, the unit ranking and the
open problems. Nothing is typed again; the result is a JSON snapshot, frozen until the office
refreshes it.

A fixed handful of queries whatever the number of projects.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from keyprojects.organisations.models import Jurisdiction
from keyprojects.progress import pace
from keyprojects.progress.choices import ReportStatus
from keyprojects.progress.models import MonthlyLight, MonthlyReport, ReportPhoto
from keyprojects.progress.services import ledger_rollup, lights_rebuild, start_overdue
from keyprojects.projects.choices import Batch, Light, Stage
from keyprojects.projects.models import AnnualPlan, Project

from . import providers

SCHEMA = 1
ZERO = Decimal(0)
BATCH_ORDER = [Batch.NEW_START, Batch.CONTINUING, Batch.COMPLETED, Batch.RESERVE]
PHOTOS_SHOWN = 6
REASON_CHARS = 120


@dataclass(frozen=True)
class Scope:
    jurisdiction: Jurisdiction
    year: int
    month: int

    @property
    def month_end(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def projects(self) -> Any:
        """The year's programme in the jurisdiction and those below it: every project with
        an annual batch (cancelled ones and those completed in earlier years are not in it)."""
        return (
            Project.objects.filter(jurisdiction_id__in=self.jurisdiction.subtree_ids())
            .with_batch(self.year)
            .filter(batch__isnull=False)
        )


def share(done: Decimal, target: Decimal) -> Decimal | None:
    return pace.actual_share(done, target) if target > 0 else None


def weighted_expected(rows: list[dict[str, Any]]) -> Decimal | None:
    """The expected share of a set of projects: each one's 序时 share weighted by its annual
    plan (m/12 when no plan has a curve of its own). Rows are projects with their light."""
    lit = [r for r in rows if r["light_row"] and r["annual_target"] > 0]
    target = sum((r["annual_target"] for r in lit), ZERO)
    if target <= 0:
        return None
    weighted = sum((r["annual_target"] * r["light_row"]["expected_share"] for r in lit), ZERO)
    return (weighted / target).quantize(pace.CENT)


def gap(actual: Decimal | None, expected: Decimal | None) -> Decimal | None:
    if actual is None or expected is None:
        return None
    return (actual - expected).quantize(pace.CENT)


def light_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(Light.values, 0)
    for row in rows:
        if row["light_row"]:
            counts[row["light_row"]["light"]] += 1
    return counts


def draft_content(
    jurisdiction: Jurisdiction, year: int, month: int, *, rebuild_lights: bool = True
) -> dict[str, Any]:
    """The figures and tables of the bulletin for (year, month).

    The month's lights are first brought up to date for the programme's projects, by the
    same set-wise rule as the nightly job, so that the figures and the lights agree."""
    scope = Scope(jurisdiction, year, month)
    projects = scope.projects()
    if rebuild_lights:
        lights_rebuild(year=year, month=month, projects=projects.order_by().values("pk"))
    rows = list(
        projects.order_by("-total_investment", "pk").values(
            "pk", "name", "batch", "stage", "total_investment", "leader_in_charge",
            "owner_unit_id", "owner_unit__name", "responsible_unit_id",
            "responsible_unit__name", "actual_start", "actual_completion",
            "planned_completion",
        )
    )  # fmt: skip
    ids = [r["pk"] for r in rows]
    lights = {
        light["project_id"]: light
        for light in MonthlyLight.objects.filter(
            project_id__in=ids, year=year, month=month
        ).values(
            "project_id", "annual_target", "ytd_completed", "expected_share", "actual_share",
            "gap_points", "light",
        )
    }  # fmt: skip
    targets = dict(
        AnnualPlan.objects.filter(project_id__in=ids, year=year).values_list(
            "project_id", "investment_target"
        )
    )
    other_ytd = _completed_without_target(scope, [pid for pid in ids if pid not in lights])
    for row in rows:
        light = lights.get(row["pk"])
        row["light_row"] = light
        row["annual_target"] = targets.get(row["pk"], ZERO)
        row["ytd"] = light["ytd_completed"] if light else other_ytd.get(row["pk"], ZERO)
    month_completed = MonthlyReport.objects.filter(
        project_id__in=ids, year=year, month=month, status=ReportStatus.ACCEPTED
    ).aggregate(s=Sum("investment"))["s"]
    rollup = ledger_rollup(projects, year=year, month=month)
    return {
        "schema": SCHEMA,
        "jurisdiction": jurisdiction.name,
        "year": year,
        "month": month,
        "taken_at": timezone.now().isoformat(),
        "overall": _overall(rows, rollup, month_completed or ZERO),
        "batches": _batches(scope, rows),
        "ranking": providers.ranking(scope, rows),
        "lagging": _lagging(scope, rows),
        "problems": providers.open_problems(scope),
        "photos": _photos(scope, ids),
    }


def _completed_without_target(scope: Scope, ids: list[int]) -> dict[int, Decimal]:
    """Year-to-date investment of projects that have no plan target, hence no light: the
    accepted reports up to the month, or an imported ledger's figure dated by then (the rule
    `project_pace` and `lights_rebuild` apply to the others)."""
    if not ids:
        return {}
    reported: dict[int, Decimal] = dict(
        MonthlyReport.objects.filter(
            project_id__in=ids,
            status=ReportStatus.ACCEPTED,
            year=scope.year,
            month__lte=scope.month,
        )
        .values_list("project_id")
        .annotate(s=Sum("investment"))
    )
    imported = AnnualPlan.objects.filter(
        project_id__in=ids,
        year=scope.year,
        ytd_completed__isnull=False,
        figures_as_of__lte=scope.month_end,
    ).values_list("project_id", "ytd_completed")
    for pid, ytd in imported:
        reported.setdefault(pid, ytd or ZERO)
    return reported


def _figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Plan, completion to the month and its share of the plan (as the ledger's roll-up
    computes it: all completed over all planned), against the 序时 share."""
    target = sum((r["annual_target"] for r in rows), ZERO)
    done = sum((r["ytd"] for r in rows), ZERO)
    actual = share(done, target)
    expected = weighted_expected(rows)
    return {
        "projects": len(rows),
        "total_investment": sum((r["total_investment"] for r in rows), ZERO),
        "annual_target": target,
        "ytd_completed": done,
        "share": actual,
        "expected_share": expected,
        "gap_points": gap(actual, expected),
        "with_target": sum(1 for r in rows if r["annual_target"] > 0),
        "lights": light_counts(rows),
    }


def _overall(rows: list[dict[str, Any]], rollup: Any, month_completed: Decimal) -> dict[str, Any]:
    """The programme as a whole. Counts, total investment, plan and lights are the ledger's
    own roll-up; completion is taken to the end of the month."""
    figures = _figures(rows)
    counts = dict.fromkeys(Batch.values, 0)
    for row in rows:
        counts[row["batch"]] += 1
    actual = share(figures["ytd_completed"], rollup.annual_target)
    return {
        **figures,
        "projects": rollup.projects,
        "total_investment": rollup.total_investment,
        "annual_target": rollup.annual_target,
        "share": actual,
        "gap_points": gap(actual, figures["expected_share"]),
        "lights": {**dict.fromkeys(Light.values, 0), **rollup.lights},
        "month_completed": month_completed,
        "batches": counts,
    }


def _batches(scope: Scope, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_batch: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_batch[row["batch"]].append(row)
    late_start = [
        {
            "project": p.name,
            "owner_unit": p.owner_unit.name,
            "responsible_unit": p.responsible_unit.name,
            "planned": p.planned_start,
        }
        for p in start_overdue(scope.projects(), scope.year, scope.month)
    ]
    built = (Stage.COMPLETED, Stage.OPERATING)
    out = []
    for batch in BATCH_ORDER:
        members = by_batch.get(batch, [])
        entry: dict[str, Any] = {"batch": str(batch), **_figures(members)}
        stages: dict[str, int] = defaultdict(int)
        for row in members:
            stages[row["stage"]] += 1
        entry["stages"] = dict(stages)
        if batch == Batch.NEW_START:
            entry["started"] = sum(
                1 for r in members if r["actual_start"] or r["stage"] not in ("reserve",
                                                                              "preliminary")
            )  # fmt: skip
            entry["late_start"] = late_start
        if batch == Batch.COMPLETED:
            entry["finished"] = sum(1 for r in members if r["stage"] in built)
            entry["late_completion"] = [
                {
                    "project": r["name"],
                    "owner_unit": r["owner_unit__name"],
                    "responsible_unit": r["responsible_unit__name"],
                    "planned": r["planned_completion"],
                }
                for r in members
                if r["stage"] not in built
                and r["planned_completion"] is not None
                and r["planned_completion"] <= scope.month_end
            ]
        out.append(entry)
    return out


def _lagging(scope: Scope, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The red and yellow projects, red first, furthest behind first, with the problem their
    own report for the month gives."""
    behind = [r for r in rows if r["light_row"] and r["light_row"]["light"] != Light.GREEN]
    reasons = dict(
        MonthlyReport.objects.filter(
            project_id__in=[r["pk"] for r in behind],
            year=scope.year,
            month=scope.month,
            status=ReportStatus.ACCEPTED,
        )
        .exclude(problems="")
        .values_list("project_id", "problems")
    )
    severity = {Light.RED: 0, Light.YELLOW: 1}
    behind.sort(key=lambda r: (severity[r["light_row"]["light"]], r["light_row"]["gap_points"],
                               r["name"]))  # fmt: skip
    out = []
    for row in behind:
        light = row["light_row"]
        reason = " ".join(reasons.get(row["pk"], "").split())
        if len(reason) > REASON_CHARS:
            reason = reason[: REASON_CHARS - 1] + "…"
        out.append(
            {
                "project_id": row["pk"],
                "project": row["name"],
                "batch": row["batch"],
                "owner_unit": row["owner_unit__name"],
                "responsible_unit": row["responsible_unit__name"],
                "leader": row["leader_in_charge"],
                "annual_target": light["annual_target"],
                "ytd_completed": light["ytd_completed"],
                "expected_share": light["expected_share"],
                "actual_share": light["actual_share"],
                "gap_points": light["gap_points"],
                "light": light["light"],
                "reason": reason,
            }
        )
    return out


def _photos(scope: Scope, ids: list[int]) -> list[dict[str, Any]]:
    """A few photos from the month's accepted reports, one per project, largest projects
    first; photos marked as taken in another month or away from the site are left out."""
    photos = (
        ReportPhoto.objects.filter(
            report__project_id__in=ids,
            report__year=scope.year,
            report__month=scope.month,
            report__status=ReportStatus.ACCEPTED,
            outside_month=False,
            far_from_site=False,
        )
        .filter(~Q(image=""))
        .select_related("report__project")
        .order_by("-report__project__total_investment", "report__project_id", "uploaded_at")
    )
    chosen: list[dict[str, Any]] = []
    seen: set[int] = set()
    for photo in photos[: PHOTOS_SHOWN * 20]:
        project = photo.report.project
        if project.pk in seen:
            continue
        seen.add(project.pk)
        chosen.append(
            {
                "id": photo.pk,
                "project": project.name,
                "caption": photo.caption,
                "image": photo.image.name,
                "thumbnail": photo.thumbnail.name,
            }
        )
        if len(chosen) == PHOTOS_SHOWN:
            break
    return chosen
