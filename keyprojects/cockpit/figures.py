"""The cockpit's figures for one person, year and month: the kept figures of the
jurisdictions they may see, summed (see `snapshots.py`), and for a unit user, the tasks and
problems they may see, counted live. A few small queries whatever the size of the data.
Numbers only here; `present.py` adds labels and the lists they click through to."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from keyprojects.organisations.choices import Role
from keyprojects.progress import pace
from keyprojects.projects.choices import Light

from .models import Snapshot, SnapshotMap
from .snapshots import (
    LIGHT_RANK,
    ensure_current,
    map_points_limit,
    problems_model,
    sync_seconds,
)

ZERO = Decimal(0)
# Roles that read every task and problem of their jurisdictions (as `visible_to` has it).
WHOLE_JURISDICTION = {Role.PROGRAMME_OFFICE, Role.LEADER, Role.AUDITOR}


@dataclass
class UnitRow:
    """One owner unit's line of the ranking, for the month."""

    unit_id: int
    name: str
    projects: int = 0
    paced_projects: int = 0  # with a light this month (an annual target)
    annual_target: Decimal = ZERO
    completed: Decimal = ZERO
    expected: Decimal = ZERO
    red: int = 0
    yellow: int = 0
    overdue_tasks: int = 0

    @property
    def share(self) -> Decimal | None:
        return pace.actual_share(self.completed, self.annual_target) if self.annual_target else None

    @property
    def expected_share(self) -> Decimal | None:
        if not self.annual_target:
            return None
        return pace.actual_share(self.expected, self.annual_target)

    @property
    def gap_points(self) -> Decimal | None:
        share, expected = self.share, self.expected_share
        return None if share is None or expected is None else share - expected


@dataclass
class Closure:
    """Closed against still open: supervised tasks, or problems (销号)."""

    closed: int = 0
    open: int = 0
    overdue: int = 0
    dropped: int = 0  # cancelled tasks; problems merged or withdrawn

    @property
    def rate(self) -> Decimal | None:
        whole = self.closed + self.open
        return pace.actual_share(Decimal(self.closed), Decimal(whole)) if whole else None

    def add(self, counts: dict[str, int]) -> None:
        self.closed += counts["closed"]
        self.open += counts["open"]
        self.overdue += counts["overdue"]
        self.dropped += counts["dropped"]


@dataclass
class Figures:
    year: int
    month: int
    today: dt.date
    as_of: dt.datetime | None = None  # when the kept figures were worked out
    current: bool = True  # False while newer figures are being worked out
    quick: bool = True  # the figures take little time to work out (a small ledger)
    projects: int = 0
    total_investment: Decimal = ZERO
    by_batch: dict[str, int] = field(default_factory=dict)
    by_stage: dict[str, int] = field(default_factory=dict)
    not_started: int = 0  # planned start passed without 开工 (the start-of-works light)
    with_coordinates: int = 0
    annual_target: Decimal = ZERO
    # Month by month, January first: cumulative accepted investment, and the 序时 amount
    # (target × expected share) summed over the plans.
    completed: list[Decimal] = field(default_factory=lambda: [ZERO] * 12)
    expected: list[Decimal] = field(default_factory=lambda: [ZERO] * 12)
    lights: dict[str, list[int]] = field(
        default_factory=lambda: {light: [0] * 12 for light in Light.values}
    )
    units: list[UnitRow] = field(default_factory=list)
    tasks: Closure = field(default_factory=Closure)
    problems: Closure | None = None
    points: list[tuple[int, str, float, float, str]] = field(default_factory=list)

    @property
    def completed_now(self) -> Decimal:
        return self.completed[self.month - 1]

    @property
    def expected_now(self) -> Decimal:
        return self.expected[self.month - 1]

    @property
    def share(self) -> Decimal | None:
        if not self.annual_target:
            return None
        return pace.actual_share(self.completed_now, self.annual_target)

    @property
    def expected_share(self) -> Decimal | None:
        if not self.annual_target:
            return None
        return pace.actual_share(self.expected_now, self.annual_target)

    @property
    def gap_points(self) -> Decimal | None:
        share, expected = self.share, self.expected_share
        return None if share is None or expected is None else share - expected

    def lights_in(self, month: int) -> dict[str, int]:
        return {light: counts[month - 1] for light, counts in self.lights.items()}


def figures_for(user: Any, *, year: int, month: int, today: dt.date) -> Figures:
    """The figures as `user` may see them."""
    state, current = ensure_current(year, today=today)
    figures = Figures(
        year=year, month=month, today=today, as_of=state.built_at, current=current,
        quick=state.build_seconds <= sync_seconds(),
    )  # fmt: skip
    ids = user.visible_jurisdiction_ids() if getattr(user, "is_authenticated", False) else []
    snapshots = Snapshot.objects.filter(year=year)
    maps = SnapshotMap.objects.filter(year=year, month=month)
    if ids is not None:
        snapshots = snapshots.filter(jurisdiction_id__in=ids)
        maps = maps.filter(jurisdiction_id__in=ids)
    units: dict[int, UnitRow] = {}
    reported, carried = [ZERO] * 12, [ZERO] * 12
    whole = user.is_superuser or user.role in WHOLE_JURISDICTION
    problem = problems_model()
    if problem is not None:
        figures.problems = Closure()
    # A unit user reads the tasks of their unit and of its projects (`Task.visible_to`).
    scope = None if whole else str(user.unit_id) if user.role == Role.UNIT_USER else ""
    for data in snapshots.values_list("data", flat=True):
        _add(figures, units, data, reported, carried, task_scope=scope)
    running = ZERO
    for m in range(12):
        running += reported[m] + carried[m]
        figures.completed[m] = running
    figures.units = sorted((u for u in units.values() if u.name), key=_rank_key)
    figures.points = _points(maps)
    return figures


def _add(
    figures: Figures,
    units: dict[int, UnitRow],
    data: dict[str, Any],
    reported: list[Decimal],
    carried: list[Decimal],
    *,
    task_scope: str | None,
) -> None:
    """Add one jurisdiction's kept figures."""
    month = figures.month
    names = data["units"]

    def unit(key: str) -> UnitRow:
        uid = int(key)
        row = units.get(uid)
        if row is None:
            row = units[uid] = UnitRow(uid, names.get(key, ""))
        elif not row.name:
            row.name = names.get(key, "")
        return row

    for unit_id, batch, stage, n, total in data["counts"]:
        figures.projects += n
        figures.total_investment += Decimal(total)
        if batch:
            figures.by_batch[batch] = figures.by_batch.get(batch, 0) + n
        figures.by_stage[stage] = figures.by_stage.get(stage, 0) + n
        unit(str(unit_id)).projects += n
    figures.with_coordinates += data["placed"]
    figures.not_started += data["not_started"][month - 1]
    figures.annual_target += Decimal(data["target"])
    for m in range(12):
        figures.expected[m] += Decimal(data["expected"][m])
        reported[m] += Decimal(data["reported"][m])
        carried[m] += Decimal(data["carried"][m])
    for key, lights in data["lights"].items():
        for light in Light.values:
            counts = figures.lights[light]
            for m in range(12):
                counts[m] += lights[light][m]
        row, i = unit(key), month - 1
        row.paced_projects += lights["n"][i]
        row.annual_target += Decimal(lights["target"][i])
        row.completed += Decimal(lights["done"][i])
        row.expected += Decimal(lights["expected"][i])
        row.red += lights["red"][i]
        row.yellow += lights["yellow"][i]
    tasks = data["tasks"] if task_scope is None else data["unit_tasks"].get(task_scope)
    if tasks:
        figures.tasks.add(tasks)
        for key, n in tasks["overdue_by_unit"].items():
            unit(key).overdue_tasks += n
    if figures.problems is not None:
        problems = data["problems"] if task_scope is None else data["unit_problems"].get(task_scope)
        if problems:
            figures.problems.add(problems)


def _rank_key(row: UnitRow) -> tuple[Any, ...]:
    """Furthest ahead of 序时 first; units without a paced project last, by name."""
    gap = row.gap_points
    return (gap is None, -(gap or ZERO), -row.projects, row.name)


def _points(maps: Any) -> list[tuple[int, str, float, float, str]]:
    """The map's points of every jurisdiction seen: red first, then the largest."""
    rows = [p for points in maps.values_list("points", flat=True) for p in points]
    rows.sort(key=lambda p: (LIGHT_RANK.get(p[4], 3), -Decimal(p[5]), p[0]))
    return [(pk, name, lon, lat, light) for pk, name, lon, lat, light, _t in rows][
        : map_points_limit()
    ]


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])
