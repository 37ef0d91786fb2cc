"""Work out a year's cockpit figures for every jurisdiction at once, and keep them.

The cockpit then only sums a few kept rows per request, whatever the size of the ledger,
the reports and the tasks. The figures are read exactly as elsewhere: the annual batch from
`with_batch`, the 序时 share from `progress.pace` (the plan's own monthly curve where it has
one), the lights from the kept `MonthlyLight` rows, accepted reports for investment, with an
imported plan figure standing where a project has no accepted report (the lights' rule).

Kept figures are current while the audit trail's head has not moved since they were built,
they were built today (overdue counts are as of a day) and within the hour (lights worked
out by the `lights` command leave no trace in the audit trail). When they are out of date,
`ensure_current` rebuilds them at once if that is quick, as it is for any ledger of a few
thousand projects; for a large ledger it hands the rebuild to the task worker and the
cockpit shows the figures it has, with their time, until the new ones are in.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from decimal import Decimal
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, ExtractMonth, Round
from django.utils import timezone

from keyprojects.audit.models import AuditHead
from keyprojects.organisations.choices import Role
from keyprojects.progress import pace
from keyprojects.progress.choices import ReportStatus
from keyprojects.progress.models import MonthlyLight, MonthlyReport
from keyprojects.projects.choices import Light, Stage
from keyprojects.projects.models import AnnualPlan, Project
from keyprojects.supervision.choices import OPEN_STATUSES, TaskStatus
from keyprojects.supervision.models import Task

from .models import Snapshot, SnapshotMap, SnapshotState

ZERO = Decimal(0)
MONTHS = range(1, 13)
MAX_AGE = dt.timedelta(hours=1)
# A refresh handed to the worker that has not happened after this long, of figures older
# than MAX_AGE, is done at once: the worker is not running.
REFRESH_WAIT = dt.timedelta(minutes=2)
MAP_POINTS = 2000
LIGHT_RANK = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2, "": 3}


def map_points_limit() -> int:
    return int(getattr(settings, "KEYPROJECTS_COCKPIT_MAP_POINTS", MAP_POINTS))


def sync_seconds() -> float:
    """A rebuild that took at most this long is done again at once when out of date."""
    return float(getattr(settings, "KEYPROJECTS_COCKPIT_SYNC_SECONDS", 1.0))


def audit_head() -> int:
    return AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0


def problems_model() -> Any:
    """The problem ledger's model when that capability is installed, else None."""
    name = "keyprojects.problems.models"
    try:
        module = import_module(name)
    except ModuleNotFoundError as missing:
        if missing.name and name.startswith(missing.name):
            return None
        raise  # the module is there and failed to import: a bug, not an absence
    return getattr(module, "Problem", None)


def _money(value: Decimal | None) -> str:
    return f"{(value or ZERO):.2f}"


# --- building ------------------------------------------------------------------------------


def snapshot_build(year: int, *, today: dt.date | None = None) -> SnapshotState:
    """Work out and keep `year`'s figures for every jurisdiction."""
    today = today or timezone.localdate()
    started, head = time.perf_counter(), audit_head()
    data: dict[int, dict[str, Any]] = defaultdict(_empty)
    _projects(data, year)
    _plans(data, year)
    _reported(data, year)
    _lights(data, year)
    _tasks(data, today)
    _problems(data, today)
    maps = _map(year)
    snapshots = [Snapshot(year=year, jurisdiction_id=j, data=d) for j, d in data.items()]
    points = [
        SnapshotMap(year=year, month=m, jurisdiction_id=j, points=p) for (j, m), p in maps.items()
    ]
    with transaction.atomic():
        state = SnapshotState.objects.select_for_update().filter(year=year).first()
        Snapshot.objects.filter(year=year).delete()
        SnapshotMap.objects.filter(year=year).delete()
        Snapshot.objects.bulk_create(snapshots, batch_size=500)
        SnapshotMap.objects.bulk_create(points, batch_size=200)
        state = state or SnapshotState(year=year)
        state.source_seq, state.built_at, state.built_for = head, timezone.now(), today
        state.build_seconds = time.perf_counter() - started
        state.refresh_requested_at = None
        state.save()
    return state


def _empty() -> dict[str, Any]:
    return {
        "units": {},  # owner unit id -> name
        "counts": [],  # [owner unit id, batch or "", stage, projects, total investment]
        "placed": 0,
        "not_started": [0] * 12,
        "target": "0.00",
        "expected": ["0.00"] * 12,
        "carried": ["0.00"] * 12,
        "reported": ["0.00"] * 12,
        "lights": {},  # owner unit id -> {month arrays}
        "tasks": {"closed": 0, "open": 0, "overdue": 0, "dropped": 0, "overdue_by_unit": {}},
        "unit_tasks": {},  # unit id -> the tasks that unit's users see, as "tasks"
        "problems": None,
        "unit_problems": {},  # unit id -> the problems that unit's users see
    }


def _projects(data: dict[int, dict[str, Any]], year: int) -> None:
    late = {
        f"late{m}": Count(
            "pk",
            filter=Q(
                stage__in=[Stage.RESERVE, Stage.PRELIMINARY],
                actual_start__isnull=True,
                planned_start__lt=dt.date(year, m, 1),
            ),
        )
        for m in MONTHS
    }
    rows = (
        Project.objects.with_batch(year)
        .order_by()
        .values("jurisdiction_id", "owner_unit_id", "owner_unit__name", "batch", "stage")
        .annotate(
            n=Count("pk"),
            total=Sum("total_investment"),
            placed=Count("pk", filter=Q(latitude__isnull=False, longitude__isnull=False)),
            **late,
        )
    )
    for row in rows:
        d = data[row["jurisdiction_id"]]
        d["units"][str(row["owner_unit_id"])] = row["owner_unit__name"]
        d["counts"].append(
            [row["owner_unit_id"], row["batch"] or "", row["stage"], row["n"], _money(row["total"])]
        )
        d["placed"] += row["placed"]
        for m in MONTHS:
            d["not_started"][m - 1] += row[f"late{m}"]


def _plans(data: dict[int, dict[str, Any]], year: int) -> None:
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=24, decimal_places=4)
    share_field: DecimalField[Decimal, Decimal] = DecimalField(max_digits=9, decimal_places=2)
    expected = {}
    for m in MONTHS:
        # The plan's own cumulative curve where it has one, else m/12: `pace.expected_share`.
        share = Coalesce(
            Round(Cast(KT(f"monthly_curve__{m - 1}"), share_field), 2),
            Value(pace.expected_share(m), output_field=share_field),
        )
        expected[f"e{m}"] = Sum(
            ExpressionWrapper(F("investment_target") * share, output_field=money)
        )
    plans = (
        AnnualPlan.objects.filter(year=year)
        .order_by()
        .values("project__jurisdiction_id")
        .annotate(target=Sum("investment_target"), **expected)
    )
    for row in plans:
        d = data[row["project__jurisdiction_id"]]
        d["target"] = _money(row["target"])
        d["expected"] = [_money((row[f"e{m}"] or ZERO) / 100) for m in MONTHS]
    # A project with no accepted report this year keeps the figure its plan carries (an
    # imported ledger's), from the month it is dated.
    carried = (
        AnnualPlan.objects.filter(
            year=year,
            ytd_completed__isnull=False,
            figures_as_of__isnull=False,
            figures_as_of__year__lte=year,
        )
        .exclude(
            Exists(
                MonthlyReport.objects.filter(
                    project_id=OuterRef("project_id"), year=year, status=ReportStatus.ACCEPTED
                )
            )
        )
        .annotate(
            as_of=Case(
                When(figures_as_of__year__lt=year, then=Value(1)),
                default=ExtractMonth("figures_as_of"),
                output_field=IntegerField(),
            )
        )
        .order_by()
        .values_list("project__jurisdiction_id", "as_of")
        .annotate(s=Sum("ytd_completed"))
    )
    for jurisdiction_id, month, amount in carried:
        d = data[jurisdiction_id]
        d["carried"][month - 1] = _money(Decimal(d["carried"][month - 1]) + (amount or ZERO))


def _reported(data: dict[int, dict[str, Any]], year: int) -> None:
    rows = (
        MonthlyReport.objects.filter(year=year, status=ReportStatus.ACCEPTED)
        .order_by()
        .values_list("project__jurisdiction_id", "month")
        .annotate(s=Sum("investment"))
    )
    for jurisdiction_id, month, amount in rows:
        if 1 <= month <= 12:
            data[jurisdiction_id]["reported"][month - 1] = _money(amount)


def _lights(data: dict[int, dict[str, Any]], year: int) -> None:
    """Each owner unit's lights month by month, and the figures they were worked out from."""
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=24, decimal_places=4)
    rows = (
        MonthlyLight.objects.filter(year=year)
        .order_by()
        .values("project__jurisdiction_id", "project__owner_unit_id", "month")
        .annotate(
            n=Count("pk"),
            target=Sum("annual_target"),
            done=Sum("ytd_completed"),
            expected=Sum(
                ExpressionWrapper(F("annual_target") * F("expected_share"), output_field=money)
            ),
            green=Count("pk", filter=Q(light=Light.GREEN)),
            yellow=Count("pk", filter=Q(light=Light.YELLOW)),
            red=Count("pk", filter=Q(light=Light.RED)),
        )
    )
    for row in rows:
        month = row["month"]
        if not 1 <= month <= 12:
            continue
        units = data[row["project__jurisdiction_id"]]["lights"]
        unit = units.setdefault(
            str(row["project__owner_unit_id"]),
            {
                "n": [0] * 12, "green": [0] * 12, "yellow": [0] * 12, "red": [0] * 12,
                "target": ["0.00"] * 12, "done": ["0.00"] * 12, "expected": ["0.00"] * 12,
            },
        )  # fmt: skip
        i = month - 1
        for key in ("n", "green", "yellow", "red"):
            unit[key][i] = row[key]
        unit["target"][i] = _money(row["target"])
        unit["done"][i] = _money(row["done"])
        unit["expected"][i] = _money((row["expected"] or ZERO) / 100)


def _tasks(data: dict[int, dict[str, Any]], today: dt.date) -> None:
    rows = (
        Task.objects.order_by()
        .values_list("jurisdiction_id", "status")
        .annotate(n=Count("*"), late=Count("deadline", filter=Q(deadline__lt=today)))
    )
    for jurisdiction_id, status, n, late in rows:
        closure = data[jurisdiction_id]["tasks"]
        if status == TaskStatus.DONE:
            closure["closed"] += n
        elif status == TaskStatus.CANCELLED:
            closure["dropped"] += n
        elif status in OPEN_STATUSES:
            closure["open"] += n
            closure["overdue"] += late
    overdue = list(
        Task.objects.overdue(today)
        .order_by()
        .values_list("jurisdiction_id", "owner_unit_id")
        .annotate(n=Count("*"))
    )
    _unit_tasks(data, today)
    names = unit_names({unit_id for _j, unit_id, _n in overdue})
    for jurisdiction_id, unit_id, n in overdue:
        d = data[jurisdiction_id]
        d["tasks"]["overdue_by_unit"][str(unit_id)] = n
        d["units"].setdefault(str(unit_id), names.get(unit_id, ""))


def _unit_tasks(data: dict[int, dict[str, Any]], today: dt.date) -> None:
    """What each unit's users see of the tasks (`Task.visible_to`): those their unit owns
    and those about projects it owns or answers for, each task once."""
    with_project = Task.objects.filter(project__isnull=False)
    ways = (
        ("owner_unit_id", Task.objects.all()),
        ("project__owner_unit_id", with_project.exclude(project__owner_unit_id=F("owner_unit_id"))),
        (
            "project__responsible_unit_id",
            with_project.exclude(project__responsible_unit_id=F("owner_unit_id")).exclude(
                project__responsible_unit_id=F("project__owner_unit_id")
            ),
        ),
    )
    for scope, tasks in ways:
        rows = (
            tasks.order_by()
            .values_list("jurisdiction_id", scope, "status", "owner_unit_id")
            .annotate(n=Count("*"), late=Count("deadline", filter=Q(deadline__lt=today)))
        )
        for jurisdiction_id, unit_id, status, owner_id, n, late in rows:
            closure = data[jurisdiction_id]["unit_tasks"].setdefault(
                str(unit_id),
                {"closed": 0, "open": 0, "overdue": 0, "dropped": 0, "overdue_by_unit": {}},
            )
            if status == TaskStatus.DONE:
                closure["closed"] += n
            elif status == TaskStatus.CANCELLED:
                closure["dropped"] += n
            elif status in OPEN_STATUSES:
                closure["open"] += n
                closure["overdue"] += late
                if late:
                    by_unit = closure["overdue_by_unit"]
                    by_unit[str(owner_id)] = by_unit.get(str(owner_id), 0) + late


def unit_names(ids: set[int]) -> dict[int, str]:
    from keyprojects.organisations.models import Unit

    return dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def _problems(data: dict[int, dict[str, Any]], today: dt.date) -> None:
    """Problems by jurisdiction; and what each unit's users see of them, counted through the
    problem ledger's own `visible_to` for a person of that unit (its rule has many parts)."""
    from keyprojects.organisations.models import Jurisdiction, User

    problem = problems_model()
    if problem is None:
        return
    for jurisdiction_id in data:
        data[jurisdiction_id]["problems"] = _closure()
    for jurisdiction_id, counts in problem_counts_by_jurisdiction(problem.objects, today).items():
        data[jurisdiction_id]["problems"] = counts
    roots = {j.pk: j for j in Jurisdiction.objects.filter(parent__isnull=True)}
    readers = (
        User.objects.filter(role=Role.UNIT_USER, is_active=True, unit__isnull=False)
        .order_by()
        .values_list("unit_id", flat=True)
        .distinct()
    )
    for unit_id in readers:
        for root in roots.values():
            # One of the unit's people who could see every jurisdiction of the tree.
            reader = User(role=Role.UNIT_USER, unit_id=unit_id, jurisdiction=root)
            visible = problem.objects.visible_to(reader)
            for jurisdiction_id, counts in problem_counts_by_jurisdiction(visible, today).items():
                data[jurisdiction_id]["unit_problems"][str(unit_id)] = counts


def _closure() -> dict[str, int]:
    return {"closed": 0, "open": 0, "overdue": 0, "dropped": 0}


def problem_counts_by_jurisdiction(problems: Any, today: dt.date) -> dict[int, dict[str, int]]:
    """Problems closed (销号), open, overdue today, and merged or withdrawn, by jurisdiction."""
    choices = import_module("keyprojects.problems.choices")
    closed, assigned = choices.ProblemStatus.CLOSED, choices.ProblemStatus.ASSIGNED
    overdue = Q(status=assigned, deadline__lt=today)
    rows = (
        problems.order_by()
        .values_list("jurisdiction_id", "status")
        .annotate(n=Count("*"), late=Count("deadline", filter=overdue))
    )
    found: dict[int, dict[str, int]] = {}
    for jurisdiction_id, status, n, late in rows:
        closure = found.setdefault(jurisdiction_id, _closure())
        if status == closed:
            closure["closed"] += n
        elif status in choices.OPEN_STATUSES:
            closure["open"] += n
            closure["overdue"] += late
        elif status in choices.ENDED_STATUSES:
            closure["dropped"] += n
    return found


def _map(year: int) -> dict[tuple[int, int], list[list[Any]]]:
    """For each jurisdiction and month, its first projects by light and size."""
    placed = list(
        Project.objects.filter(latitude__isnull=False, longitude__isnull=False)
        .order_by()
        .values_list("pk", "jurisdiction_id", "name", "longitude", "latitude", "total_investment")
    )
    if not placed:
        return {}
    lights: dict[int, dict[int, str]] = defaultdict(dict)
    for pk, month, light in (
        MonthlyLight.objects.filter(
            year=year, project__latitude__isnull=False, project__longitude__isnull=False
        )
        .order_by()
        .values_list("project_id", "month", "light")
    ):
        lights[month][pk] = light
    by_jurisdiction: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in placed:
        by_jurisdiction[row[1]].append(row)
    limit, maps = map_points_limit(), {}
    for jurisdiction_id, rows in by_jurisdiction.items():
        for month in MONTHS:
            month_lights = lights.get(month, {})
            ranked = sorted(
                rows,
                key=lambda r: (LIGHT_RANK.get(month_lights.get(r[0], ""), 3), -r[5], r[0]),
            )[:limit]
            maps[(jurisdiction_id, month)] = [
                [pk, name, float(lon), float(lat), month_lights.get(pk, ""), _money(total)]
                for pk, _j, name, lon, lat, total in ranked
            ]
    return maps


# --- keeping them current --------------------------------------------------------------------


def ensure_current(year: int, *, today: dt.date | None = None) -> tuple[SnapshotState, bool]:
    """The kept figures for `year`, rebuilt first where that is due and quick; and whether
    they are current (False while a rebuild is on its way)."""
    today = today or timezone.localdate()
    now = timezone.now()
    head = audit_head()
    state = SnapshotState.objects.filter(year=year).first()
    if state is None:
        return snapshot_build(year, today=today), True
    if state.source_seq == head and state.built_for == today and now - state.built_at < MAX_AGE:
        return state, True
    asked = state.refresh_requested_at
    # No worker took the refresh up, and the figures are old: work them out now, once.
    abandoned = asked is not None and now - asked > REFRESH_WAIT and now - state.built_at > MAX_AGE
    if state.build_seconds <= sync_seconds() or abandoned:
        return snapshot_build(year, today=today), True
    _request_refresh(year, now)
    return state, False


def _request_refresh(year: int, now: dt.datetime) -> None:
    """Hand one rebuild of `year` to the task worker, unless one is already on its way."""
    from .tasks import refresh_snapshot

    asked = SnapshotState.objects.filter(year=year, refresh_requested_at__isnull=True).update(
        refresh_requested_at=now
    )
    if asked:
        transaction.on_commit(lambda: refresh_snapshot.enqueue(year=year))


def cockpit_nightly(today: dt.date | None = None) -> list[int]:
    """The nightly step: rebuild this year's figures and every year already kept."""
    today = today or timezone.localdate()
    years = set(SnapshotState.objects.values_list("year", flat=True)) | {today.year}
    for year in sorted(years):
        snapshot_build(year, today=today)
    return sorted(years)
