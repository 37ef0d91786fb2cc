"""Small builders for hand-worked schedules (a five-day, 08-12 13-17 week)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from keyprojects.scheduling.engine import (
    Activity,
    ActivityType,
    CalendarSpec,
    Constraint,
    Relation,
    RelationType,
    Schedule,
    ScheduleOptions,
)

DAY = ((8 * 60, 12 * 60), (13 * 60, 17 * 60))
H = 60  # minutes in an hour
MONDAY = datetime(2024, 3, 4, 8, 0)  # 2024-03-04 is a Monday


def five_day(calendar_id: str = "5d") -> CalendarSpec:
    return CalendarSpec(id=calendar_id, name="5-day", week=(DAY,) * 5 + ((), ()))


def seven_day(calendar_id: str = "7d") -> CalendarSpec:
    return CalendarSpec(id=calendar_id, name="7-day", week=(DAY,) * 7)


def task(
    activity_id: str,
    hours: float,
    *,
    kind: ActivityType = ActivityType.TASK,
    remaining: float | None = None,
    actual_start: datetime | None = None,
    actual_finish: datetime | None = None,
    constraint: Constraint | None = None,
    calendar_id: str | None = None,
) -> Activity:
    return Activity(
        id=activity_id,
        code=activity_id,
        type=kind,
        calendar_id=calendar_id,
        original_duration=round(hours * H),
        remaining_duration=None if remaining is None else round(remaining * H),
        actual_start=actual_start,
        actual_finish=actual_finish,
        constraint=constraint,
    )


def link(pred: str, succ: str, kind: str = "FS", lag_hours: float = 0) -> Relation:
    return Relation(pred, succ, RelationType(kind), round(lag_hours * H))


def build(
    activities: list[Activity],
    relations: list[Relation] | None = None,
    *,
    data_date: datetime = MONDAY,
    deadline: datetime | None = None,
    options: ScheduleOptions | None = None,
    calendars: list[CalendarSpec] | None = None,
) -> Schedule:
    cals = calendars or [five_day()]
    return Schedule(
        id="p",
        name="test",
        data_date=data_date,
        start=data_date,
        deadline=deadline,
        default_calendar_id=cals[0].id,
        calendars={c.id: c for c in cals},
        activities=activities,
        relations=relations or [],
        options=options or ScheduleOptions(),
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def schedules_folder() -> Path:
    """The P6 sample files, kept outside the repository (their licences are unclear)."""
    folder = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "schedules"
    if not folder.is_dir():
        pytest.skip(
            "folder absent: ../shared/data/schedules "
            "(P6 sample files are not part of the repository)"
        )
    return folder
