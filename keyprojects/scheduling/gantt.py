"""Layout of the Gantt chart, drawn as SVG by the template: pure arithmetic, no HTML."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from .models import Activity, Baseline, ProjectSchedule, Relation, wall

ROW = 22
HEADER = 34
ZOOMS = {"week": 28.0, "month": 7.0, "quarter": 2.4}  # pixels per calendar day


@dataclass
class Bar:
    activity: Activity
    y: int
    x: float
    width: float
    done_width: float  # the part already worked (actual start to data date or finish)
    milestone: bool
    critical: bool
    longest: bool = False
    baseline_x: float | None = None
    baseline_width: float | None = None


@dataclass
class Tick:
    x: float
    label: str
    major: bool


@dataclass
class Arrow:
    points: str
    critical: bool


@dataclass
class WbsLine:
    """A WBS heading between the activities it groups."""

    label: str
    depth: int
    y: int = 0


@dataclass
class Chart:
    width: float
    height: float
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    groups: list[WbsLine] = field(default_factory=list)
    data_date_x: float | None = None
    deadline_x: float | None = None
    finish_x: float | None = None


def layout(
    schedule: ProjectSchedule,
    lines: list[Activity | WbsLine],
    relations: list[Relation],
    *,
    zoom: str = "month",
    baseline: Baseline | None = None,
) -> Chart:
    scale = ZOOMS.get(zoom, ZOOMS["month"])
    activities = [line for line in lines if isinstance(line, Activity)]
    moments: list[dt.datetime] = [wall(schedule.data_date)]
    for a in activities:
        for value in (a.actual_start, a.early_start, a.early_finish, a.late_finish):
            if value is not None:
                moments.append(wall(value))
    if schedule.deadline:
        moments.append(wall(schedule.deadline))
    base_dates = baseline.dates if baseline else {}
    for start, finish, *_rest in base_dates.values():
        moments += [dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(finish)]
    origin = min(moments).replace(hour=0, minute=0, day=1)
    end = max(moments) + dt.timedelta(days=14)

    def x(moment: dt.datetime | None) -> float:
        if moment is None:
            return 0.0
        return round((moment - origin).total_seconds() / 86400 * scale, 1)

    chart = Chart(width=x(end) + 20, height=HEADER + ROW * len(lines) + 10)
    chart.ticks = _ticks(origin, end, zoom, x)
    chart.data_date_x = x(wall(schedule.data_date))
    chart.deadline_x = x(wall(schedule.deadline)) if schedule.deadline else None
    chart.finish_x = x(wall(schedule.finish)) if schedule.finish else None
    data_date = wall(schedule.data_date)
    rows: dict[int, Bar] = {}
    for i, line in enumerate(lines):
        if isinstance(line, WbsLine):
            line.y = HEADER + i * ROW
            chart.groups.append(line)
            continue
        a = line
        start = wall(a.actual_start) or wall(a.early_start)
        finish = wall(a.actual_finish) or wall(a.early_finish)
        if start is None or finish is None:
            continue
        done_to = finish if a.actual_finish else (data_date if a.actual_start else None)
        bar = Bar(
            activity=a,
            y=HEADER + i * ROW,
            x=x(start),
            width=max(x(finish) - x(start), 2.0),
            done_width=max(0.0, x(min(done_to, finish)) - x(start)) if done_to else 0.0,
            milestone=a.is_milestone,
            critical=a.critical and not a.complete,
            longest=a.longest_path and not a.complete,
        )
        if a.key in base_dates:
            b_start, b_finish, *_rest = base_dates[a.key]
            bar.baseline_x = x(dt.datetime.fromisoformat(b_start))
            bar.baseline_width = max(x(dt.datetime.fromisoformat(b_finish)) - bar.baseline_x, 2.0)
        rows[a.pk] = bar
        chart.bars.append(bar)
    for rel in relations:
        pred, succ = rows.get(rel.predecessor_id), rows.get(rel.successor_id)
        if pred is None or succ is None:
            continue
        from_end = rel.kind in ("FS", "FF")
        to_start = rel.kind in ("FS", "SS")
        x1 = pred.x + (pred.width if from_end else 0)
        x2 = succ.x + (0 if to_start else succ.width)
        y1, y2 = pred.y + ROW / 2, succ.y + ROW / 2
        bend = x1 + 6 if from_end else x1 - 6
        points = f"{x1},{y1} {bend},{y1} {bend},{y2} {x2},{y2}"
        chart.arrows.append(Arrow(points, pred.critical and succ.critical))
    return chart


def _ticks(
    origin: dt.datetime, end: dt.datetime, zoom: str, x: Callable[[dt.datetime], float]
) -> list[Tick]:
    ticks = []
    day = origin.date()
    while day <= end.date():
        moment = dt.datetime.combine(day, dt.time())
        if zoom == "week":
            if day.weekday() == 0:
                ticks.append(Tick(x(moment), day.strftime("%m-%d"), day.day <= 7))
        elif day.day == 1 and (zoom == "month" or day.month % 3 == 1):
            label = (
                day.strftime("%Y-%m") if zoom == "month" else f"{day.year} Q{(day.month + 2) // 3}"
            )
            ticks.append(Tick(x(moment), label, day.month == 1))
        day += dt.timedelta(days=1)
    return ticks


def wbs_lines(activities: list[Activity], wbs: list[dict[str, str]]) -> list[Activity | WbsLine]:
    """The activities under their WBS headings, in the WBS tree's order."""
    nodes = {str(n["id"]): n for n in wbs}
    children: dict[str | None, list[str]] = {}
    for node in wbs:
        parent = node.get("parent_id")
        children.setdefault(str(parent) if parent in nodes else None, []).append(str(node["id"]))
    under: dict[str, list[Activity]] = {}
    loose: list[Activity] = []
    for activity in activities:
        if activity.wbs_key in nodes:
            under.setdefault(activity.wbs_key, []).append(activity)
        else:
            loose.append(activity)
    lines: list[Activity | WbsLine] = []

    def walk(key: str, depth: int) -> None:
        node = nodes[key]
        start = len(lines)
        lines.append(WbsLine(f"{node.get('code', '')} {node.get('name', '')}".strip(), depth))
        lines.extend(under.get(key, []))
        for child in children.get(key, []):
            walk(child, depth + 1)
        if len(lines) == start + 1:
            lines.pop()  # a heading with nothing under it

    for root in children.get(None, []):
        walk(root, 0)
    return lines + loose
