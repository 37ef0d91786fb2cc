"""Between the engine's model (plain dataclasses) and the stored rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from . import engine as e
from .models import Activity, ProjectSchedule, Relation, ScheduleCalendar, stored, wall


def _hours(day: Any) -> list[list[int]]:
    return [[int(a), int(b)] for a, b in day]


def _day(value: list[list[int]]) -> tuple[tuple[int, int], ...]:
    return tuple((int(a), int(b)) for a, b in value)


def calendar_row(schedule: ProjectSchedule, spec: e.CalendarSpec) -> ScheduleCalendar:
    return ScheduleCalendar(
        schedule=schedule,
        key=spec.id,
        name=spec.name,
        week=[_hours(day) for day in spec.week],
        exceptions={day.isoformat(): _hours(h) for day, h in sorted(spec.exceptions.items())},
        hours_per_day=spec.hours_per_day,
        covered_years=list(spec.covered_years) if spec.covered_years else None,
    )


def calendar_spec(row: ScheduleCalendar, default_key: str) -> e.CalendarSpec:
    mon, tue, wed, thu, fri, sat, sun = (_day(d) for d in row.week)
    return e.CalendarSpec(
        id=row.key,
        name=row.name,
        week=(mon, tue, wed, thu, fri, sat, sun),
        exceptions={dt.date.fromisoformat(k): _day(v) for k, v in row.exceptions.items()},
        hours_per_day=row.hours_per_day,
        is_default=row.key == default_key,
        covered_years=tuple(row.covered_years) if row.covered_years else None,
    )


def _constraint(kind: str, when: dt.datetime | None) -> e.Constraint | None:
    return e.Constraint(e.ConstraintType(kind), wall(when)) if kind else None


def _reference_json(ref: e.ReferenceResults | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    out: dict[str, Any] = {}
    for f in dataclasses.fields(ref):
        value = getattr(ref, f.name)
        out[f.name] = value.isoformat() if isinstance(value, dt.datetime) else value
    return out


def _reference(data: dict[str, Any] | None) -> e.ReferenceResults | None:
    if not data:
        return None
    names = {f.name: f for f in dataclasses.fields(e.ReferenceResults)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in names:
            continue
        if isinstance(value, str) and key not in {"driving_path"}:
            value = dt.datetime.fromisoformat(value)
        values[key] = value
    return e.ReferenceResults(**values)


def activity_row(schedule: ProjectSchedule, act: e.Activity, position: int) -> Activity:
    return Activity(
        schedule=schedule,
        key=act.id,
        code=act.code,
        name=act.name,
        kind=act.type.value,
        calendar_key=act.calendar_id or "",
        wbs_key=act.wbs_id or "",
        original_minutes=act.original_duration,
        remaining_minutes=act.remaining_duration,
        actual_start=stored(act.actual_start),
        actual_finish=stored(act.actual_finish),
        constraint=act.constraint.type.value if act.constraint else "",
        constraint_date=stored(act.constraint.date) if act.constraint else None,
        secondary_constraint=(
            act.secondary_constraint.type.value if act.secondary_constraint else ""
        ),
        secondary_constraint_date=(
            stored(act.secondary_constraint.date) if act.secondary_constraint else None
        ),
        reference=_reference_json(act.reference),
        position=position,
    )


def options_json(options: e.ScheduleOptions) -> dict[str, Any]:
    return {
        f.name: getattr(options, f.name).value
        if hasattr(getattr(options, f.name), "value")
        else getattr(options, f.name)
        for f in dataclasses.fields(options)
    }


def options_of(data: dict[str, Any]) -> e.ScheduleOptions:
    defaults = e.ScheduleOptions()
    values: dict[str, Any] = {}
    for f in dataclasses.fields(defaults):
        if f.name not in data:
            continue
        current = getattr(defaults, f.name)
        values[f.name] = type(current)(data[f.name])
    return dataclasses.replace(defaults, **values)


def to_engine(schedule: ProjectSchedule) -> e.Schedule:
    """The stored schedule as the engine's model, ready to schedule or write to a file."""
    activities = list(schedule.activities.order_by("position"))
    by_pk = {a.pk: a.key for a in activities}
    return e.Schedule(
        id=str(schedule.pk),
        name=schedule.name,
        data_date=wall(schedule.data_date),
        start=wall(schedule.start),
        deadline=wall(schedule.deadline),
        default_calendar_id=schedule.default_calendar or None,
        calendars={
            c.key: calendar_spec(c, schedule.default_calendar) for c in schedule.calendars.all()
        },
        activities=[
            e.Activity(
                id=a.key,
                code=a.code,
                name=a.name,
                type=e.ActivityType(a.kind),
                calendar_id=a.calendar_key or None,
                original_duration=a.original_minutes,
                remaining_duration=a.remaining_minutes,
                actual_start=wall(a.actual_start),
                actual_finish=wall(a.actual_finish),
                constraint=_constraint(a.constraint, a.constraint_date),
                secondary_constraint=_constraint(
                    a.secondary_constraint, a.secondary_constraint_date
                ),
                wbs_id=a.wbs_key or None,
                reference=_reference(a.reference),
            )
            for a in activities
        ],
        relations=[
            e.Relation(
                by_pk[r.predecessor_id],
                by_pk[r.successor_id],
                e.RelationType(r.kind),
                r.lag_minutes,
            )
            for r in schedule.relations.order_by("pk")
        ],
        wbs=[e.WbsNode(**node) for node in schedule.wbs],
        options=options_of(schedule.options),
    )


def relation_rows(
    schedule: ProjectSchedule, model: e.Schedule, rows: dict[str, Activity]
) -> list[Relation]:
    return [
        Relation(
            schedule=schedule,
            predecessor=rows[r.predecessor_id],
            successor=rows[r.successor_id],
            kind=r.type.value,
            lag_minutes=r.lag,
        )
        for r in model.relations
    ]


def wbs_json(model: e.Schedule) -> list[dict[str, Any]]:
    return [dataclasses.asdict(node) for node in model.wbs]
