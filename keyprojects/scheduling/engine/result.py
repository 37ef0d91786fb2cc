"""What scheduling produces: dates, floats, paths and warnings per activity."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class WarningCode(StrEnum):
    NO_PREDECESSOR = "no_predecessor"
    NO_SUCCESSOR = "no_successor"
    DEADLINE_MISSED = "deadline_missed"
    CONSTRAINT_BROKEN = "constraint_broken"


@dataclass(frozen=True, slots=True)
class ScheduleWarning:
    code: WarningCode
    message: str
    activity_id: str | None = None


@dataclass(slots=True)
class ActivityResult:
    id: str
    code: str
    early_start: datetime
    early_finish: datetime
    late_start: datetime
    late_finish: datetime
    total_float_minutes: int
    free_float_minutes: int
    hours_per_day: float
    critical: bool = False
    longest_path: bool = False
    complete: bool = False
    in_progress: bool = False
    actual_start: datetime | None = None
    actual_finish: datetime | None = None

    @property
    def total_float_hours(self) -> float:
        return self.total_float_minutes / 60.0

    @property
    def free_float_hours(self) -> float:
        return self.free_float_minutes / 60.0

    @property
    def total_float_days(self) -> float:
        return self.total_float_minutes / (60.0 * self.hours_per_day)

    @property
    def start(self) -> datetime:
        return self.actual_start or self.early_start

    @property
    def finish(self) -> datetime:
        return self.actual_finish or self.early_finish


@dataclass(slots=True)
class ScheduleResult:
    schedule_id: str
    data_date: datetime
    project_finish: datetime
    deadline: datetime | None
    activities: dict[str, ActivityResult]
    order: list[str]
    driving_relations: set[tuple[str, str]] = field(default_factory=set)
    warnings: list[ScheduleWarning] = field(default_factory=list)

    def critical_path(self) -> list[str]:
        """Critical activity ids in schedule order."""
        return [i for i in self.order if self.activities[i].critical]

    def longest_path(self) -> list[str]:
        return [i for i in self.order if self.activities[i].longest_path]


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def start_by_text(result: ActivityResult, name: str | None = None) -> str:
    """Backward scheduling (倒排工期) in words: the latest start and finish that still
    meet the deadline, e.g. "Start 1010 by 2024-03-04 08:00, finish by 2024-03-08 17:00"."""
    label = name or result.code
    if result.complete:
        return f"{label} is complete"
    verb = "Continue" if result.in_progress else "Start"
    text = f"{verb} {label} by {_when(result.late_start)}, finish by {_when(result.late_finish)}"
    if result.total_float_minutes < 0:
        text += f" (already {-result.total_float_hours:g} working hours late)"
    return text
