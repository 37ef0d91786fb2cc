"""The arithmetic of each indicator, the weighted total, the ranking and the red and black
lists. Pure Python on plain numbers, so every step can be checked by hand.

Rounding, everywhere the same: ratios to four decimal places, points to two, half up. The
points are worked out from the rounded ratio, so the figures on the page multiply out.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .choices import Board, NoData
from .rules import INCIDENT_GRADES, TOTAL_WEIGHT, number

RATIO = Decimal("0.0001")
CENT = Decimal("0.01")
ZERO = Decimal(0)


def rounded(value: Decimal, places: Decimal = CENT) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Outcome:
    """The points an indicator gives one subject, and the figures that produced them.
    `points` is None when the indicator is left out for lack of anything to measure."""

    points: Decimal | None
    no_data: bool
    figures: dict[str, Any] = field(default_factory=dict)


def _param(params: Mapping[str, Any], name: str) -> Decimal:
    return number(params[name])


def _no_data(weight: Decimal, params: Mapping[str, Any], figures: dict[str, Any]) -> Outcome:
    mode = params.get("when_no_data", NoData.EXCLUDE)
    points = {NoData.FULL: weight, NoData.ZERO: ZERO}.get(mode)
    return Outcome(points, True, {**figures, "when_no_data": str(mode)})


def investment(
    weight: Decimal,
    params: Mapping[str, Any],
    *,
    completed: Decimal,
    expected: Decimal,
    planned: Decimal,
) -> Outcome:
    """Investment completed this year against what the pace (序时) expects by now:
    min(completed ÷ expected, cap) × weight; a negative total counts as none."""
    figures: dict[str, Any] = {"completed": completed, "expected": expected, "planned": planned}
    if expected <= 0:
        return _no_data(weight, params, figures)
    cap = _param(params, "cap")
    ratio = rounded(completed / expected, RATIO)
    used = min(max(ratio, ZERO), cap)
    points = rounded(used * weight)
    return Outcome(points, False, {**figures, "ratio": ratio, "used": used, "cap": cap})


def milestones(
    weight: Decimal, params: Mapping[str, Any], *, on_time: int, late: int, missed: int
) -> Outcome:
    """Milestones reached by their deadline, out of those due (and those reached early):
    (on time + late × late credit) ÷ assessed × weight."""
    assessed = on_time + late + missed
    figures: dict[str, Any] = {
        "on_time": on_time,
        "late": late,
        "missed": missed,
        "assessed": assessed,
    }
    if assessed == 0:
        return _no_data(weight, params, figures)
    credit_each = _param(params, "late_credit")
    credit = on_time + late * credit_each
    ratio = rounded(credit / assessed, RATIO)
    points = rounded(ratio * weight)
    return Outcome(
        points, False, {**figures, "late_credit": credit_each, "credit": credit, "ratio": ratio}
    )


def reporting(weight: Decimal, params: Mapping[str, Any], *, on_time: int, due: int) -> Outcome:
    """Monthly reports submitted by their due day (plus any grace), out of those due."""
    figures: dict[str, Any] = {"on_time": on_time, "due": due}
    if due == 0:
        return _no_data(weight, params, figures)
    ratio = rounded(Decimal(on_time) / due, RATIO)
    points = rounded(ratio * weight)
    return Outcome(points, False, {**figures, "ratio": ratio})


def closure(
    weight: Decimal, params: Mapping[str, Any], *, closed: int, considered: int, overdue: int
) -> Outcome:
    """Problems (or tasks) closed out of those on the desk in the period, less a deduction
    for each one past its deadline at the end: max(closed ÷ considered × weight − overdue ×
    deduction, 0)."""
    figures: dict[str, Any] = {"closed": closed, "considered": considered, "overdue": overdue}
    if considered == 0:
        return _no_data(weight, params, figures)
    each = _param(params, "overdue_deduction")
    ratio = rounded(Decimal(closed) / considered, RATIO)
    earned = rounded(ratio * weight)
    deduction = rounded(overdue * each)
    points = rounded(max(earned - deduction, ZERO))
    return Outcome(
        points,
        False,
        {
            **figures,
            "ratio": ratio,
            "earned": earned,
            "deduction_each": each,
            "deduction": deduction,
        },
    )


def safety(
    weight: Decimal,
    params: Mapping[str, Any],
    *,
    available: bool,
    overdue_hazards: int = 0,
    open_hazards: int = 0,
    incidents: Mapping[str, int] | None = None,
) -> Outcome:
    """Start from the weight and take points off for hazards past their rectification
    deadline, hazards still open, and accidents by grade; never below 0."""
    incidents = {grade: int((incidents or {}).get(grade, 0)) for grade in INCIDENT_GRADES}
    figures: dict[str, Any] = {
        "overdue_hazards": overdue_hazards,
        "open_hazards": open_hazards,
        "incidents": incidents,
    }
    if not available:
        return _no_data(weight, params, {**figures, "unavailable": True})
    parts = {
        "overdue_hazards": overdue_hazards * _param(params, "overdue_hazard"),
        "open_hazards": open_hazards * _param(params, "open_hazard"),
    }
    for grade in INCIDENT_GRADES:
        parts[f"incident_{grade}"] = incidents[grade] * _param(params, f"incident_{grade}")
    deductions = rounded(sum(parts.values(), ZERO))
    points = rounded(max(weight - deductions, ZERO))
    return Outcome(
        points,
        False,
        {**figures, "deductions": deductions, "parts": {k: rounded(v) for k, v in parts.items()}},
    )


@dataclass(frozen=True)
class Total:
    points_sum: Decimal
    weight_counted: Decimal
    total: Decimal | None  # None: every indicator was left out

    @property
    def scaled(self) -> bool:
        return self.total is not None and self.weight_counted != TOTAL_WEIGHT


def total(lines: Sequence[tuple[Decimal, Decimal | None]]) -> Total:
    """Sum the points of (weight, points) lines. When indicators were left out, the sum is
    scaled to 100: points ÷ weight of the indicators counted × 100."""
    counted = [(w, p) for w, p in lines if p is not None]
    points_sum = rounded(sum((p for _w, p in counted), ZERO))
    weight = rounded(sum((w for w, _p in counted), ZERO))
    if weight == 0:
        return Total(points_sum, weight, None)
    if weight == TOTAL_WEIGHT:
        return Total(points_sum, weight, rounded(points_sum))
    return Total(points_sum, weight, rounded(points_sum * TOTAL_WEIGHT / weight))


@dataclass(frozen=True)
class Rankable:
    key: Hashable
    name: str
    total: Decimal | None
    tie_break: tuple[Decimal | None, ...]  # points of the indicators, heaviest first


def _order(item: Rankable) -> tuple[Any, ...]:
    return (-(item.total or ZERO), *(-(p or ZERO) for p in item.tie_break), item.name)


def rank(items: Sequence[Rankable]) -> list[tuple[int | None, Rankable]]:
    """Highest total first. Equal totals are ordered by the points of the heaviest indicator,
    then the next, and so on, then by name; those equal on all of these share a rank (1, 2,
    2, 4). Subjects without a total are listed last, unranked."""
    scored = sorted((i for i in items if i.total is not None), key=_order)
    ranked: list[tuple[int | None, Rankable]] = []
    previous: tuple[Any, ...] | None = None
    current = 0
    for position, item in enumerate(scored, start=1):
        key = _order(item)[:-1]
        if key != previous:
            current, previous = position, key
        ranked.append((current, item))
    unscored = sorted((i for i in items if i.total is None), key=lambda i: i.name)
    ranked.extend((None, item) for item in unscored)
    return ranked


def boards(
    ranked: Sequence[tuple[int | None, Rankable]],
    *,
    red_size: int,
    black_size: int,
    black_below: Decimal | None,
) -> dict[Hashable, str]:
    """The red list (红榜): the top `red_size` ranks and any tied with the last of them. The
    black list (黑榜): the bottom `black_size` ranks with their ties, and anyone whose total
    is below `black_below`; never someone already on the red list."""
    scored = [(r, item) for r, item in ranked if r is not None]
    found: dict[Hashable, str] = {}
    if red_size > 0 and scored:
        cut = scored[min(red_size, len(scored)) - 1][0]
        for r, item in scored:
            if r is not None and cut is not None and r <= cut:
                found[item.key] = Board.RED
    if black_size > 0 and scored:
        cut = scored[max(len(scored) - black_size, 0)][0]
        for r, item in scored:
            if r is not None and cut is not None and r >= cut:
                found.setdefault(item.key, Board.BLACK)
    if black_below is not None:
        for _r, item in scored:
            if item.total is not None and item.total < black_below:
                found.setdefault(item.key, Board.BLACK)
    return found
