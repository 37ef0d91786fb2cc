"""The schedule model: plain, typed data with no behaviour beyond validation.

Times are naive `datetime` values in the project's local wall-clock time, as in P6 and
MS Project files; durations and lags are whole working minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from .errors import ModelError

MINUTES_PER_DAY = 24 * 60

# A working interval within one day: minutes from midnight, start < end <= 1440.
Interval = tuple[int, int]
DayHours = tuple[Interval, ...]


class ActivityType(StrEnum):
    TASK = "task"
    START_MILESTONE = "start_milestone"
    FINISH_MILESTONE = "finish_milestone"
    LEVEL_OF_EFFORT = "level_of_effort"
    RESOURCE_DEPENDENT = "resource_dependent"
    WBS_SUMMARY = "wbs_summary"

    @property
    def is_milestone(self) -> bool:
        return self in (ActivityType.START_MILESTONE, ActivityType.FINISH_MILESTONE)


class ConstraintType(StrEnum):
    START_ON_OR_AFTER = "start_on_or_after"
    START_ON_OR_BEFORE = "start_on_or_before"
    FINISH_ON_OR_AFTER = "finish_on_or_after"
    FINISH_ON_OR_BEFORE = "finish_on_or_before"
    START_ON = "start_on"
    FINISH_ON = "finish_on"
    MANDATORY_START = "mandatory_start"
    MANDATORY_FINISH = "mandatory_finish"
    AS_LATE_AS_POSSIBLE = "as_late_as_possible"


class RelationType(StrEnum):
    FINISH_START = "FS"
    START_START = "SS"
    FINISH_FINISH = "FF"
    START_FINISH = "SF"


class LagCalendar(StrEnum):
    """Which calendar measures a relation's lag (P6 `sched_calendar_on_relationship_lag`)."""

    PREDECESSOR = "predecessor"
    SUCCESSOR = "successor"
    TWENTY_FOUR_HOUR = "24_hour"
    PROJECT_DEFAULT = "project_default"


class ProgressMode(StrEnum):
    RETAINED_LOGIC = "retained_logic"
    PROGRESS_OVERRIDE = "progress_override"


class FloatType(StrEnum):
    """How total float is computed (P6 `sched_float_type`)."""

    FINISH = "finish"  # late finish - early finish
    START = "start"  # late start - early start
    SMALLEST = "smallest"


class CriticalDefinition(StrEnum):
    TOTAL_FLOAT = "total_float"
    LONGEST_PATH = "longest_path"


@dataclass(frozen=True, slots=True)
class Constraint:
    type: ConstraintType
    date: datetime | None = None


@dataclass(slots=True)
class CalendarSpec:
    """A work week (Monday first) plus dated exceptions."""

    id: str
    name: str
    week: tuple[DayHours, DayHours, DayHours, DayHours, DayHours, DayHours, DayHours]
    exceptions: dict[date, DayHours] = field(default_factory=dict)
    hours_per_day: float = 8.0
    is_default: bool = False
    # First and last year the exceptions are known to be complete (statutory holiday
    # data); working-time arithmetic outside them raises `CalendarCoverageError`.
    covered_years: tuple[int, int] | None = None

    def hours_on(self, day: date) -> DayHours:
        found = self.exceptions.get(day)
        return found if found is not None else self.week[day.weekday()]


@dataclass(slots=True)
class ReferenceResults:
    """Dates and floats another scheduler (P6) stored in the file, for comparison."""

    early_start: datetime | None = None
    early_finish: datetime | None = None
    late_start: datetime | None = None
    late_finish: datetime | None = None
    total_float_hours: float | None = None
    free_float_hours: float | None = None
    driving_path: bool | None = None
    remaining_early_start: datetime | None = None
    remaining_early_finish: datetime | None = None
    remaining_late_start: datetime | None = None
    remaining_late_finish: datetime | None = None


@dataclass(slots=True)
class Activity:
    id: str
    code: str
    name: str = ""
    type: ActivityType = ActivityType.TASK
    calendar_id: str | None = None
    original_duration: int = 0
    remaining_duration: int | None = None
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    constraint: Constraint | None = None
    secondary_constraint: Constraint | None = None
    wbs_id: str | None = None
    reference: ReferenceResults | None = None
    # Dates P6 keeps for relations to other projects, and a promised finish that, with
    # `ScheduleOptions.use_expected_finish`, sets the remaining duration.
    external_early_start: datetime | None = None
    external_late_finish: datetime | None = None
    expected_finish: datetime | None = None

    @property
    def is_complete(self) -> bool:
        return self.actual_finish is not None

    @property
    def is_in_progress(self) -> bool:
        return self.actual_start is not None and self.actual_finish is None

    @property
    def work_left(self) -> int:
        """Remaining working minutes (original duration when not started)."""
        if self.is_complete:
            return 0
        if self.remaining_duration is None:
            return self.original_duration
        return self.remaining_duration


@dataclass(frozen=True, slots=True)
class Relation:
    predecessor_id: str
    successor_id: str
    type: RelationType = RelationType.FINISH_START
    lag: int = 0


@dataclass(slots=True)
class WbsNode:
    id: str
    code: str
    name: str = ""
    parent_id: str | None = None


@dataclass(slots=True)
class ScheduleOptions:
    progress: ProgressMode = ProgressMode.RETAINED_LOGIC
    lag_calendar: LagCalendar = LagCalendar.PREDECESSOR
    float_type: FloatType = FloatType.FINISH
    critical: CriticalDefinition = CriticalDefinition.TOTAL_FLOAT
    critical_float_hours: float = 0.0
    # P6 `sched_lag_early_start_flag`: a start-to-start lag from a started predecessor
    # runs from its remaining early start rather than its actual start.
    ss_lag_from_early_start: bool = True
    # P6 `sched_use_expect_end_flag`
    use_expected_finish: bool = False


@dataclass(slots=True)
class Schedule:
    """One project: calendars, activities, relations and the scheduling options."""

    id: str
    name: str
    data_date: datetime
    start: datetime | None = None
    deadline: datetime | None = None
    default_calendar_id: str | None = None
    calendars: dict[str, CalendarSpec] = field(default_factory=dict)
    activities: list[Activity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    wbs: list[WbsNode] = field(default_factory=list)
    options: ScheduleOptions = field(default_factory=ScheduleOptions)

    def activity_map(self) -> dict[str, Activity]:
        return {a.id: a for a in self.activities}

    def validate(self) -> None:
        """Raise `ModelError` on duplicate or unknown ids."""
        seen: set[str] = set()
        for activity in self.activities:
            if activity.id in seen:
                raise ModelError("Duplicate activity id", activity_id=activity.id)
            seen.add(activity.id)
            cal = activity.calendar_id or self.default_calendar_id
            if cal is None or cal not in self.calendars:
                raise ModelError("Activity has an unknown calendar", activity_id=activity.id)
            if activity.original_duration < 0 or (activity.remaining_duration or 0) < 0:
                raise ModelError("Negative duration", activity_id=activity.id)
        for relation in self.relations:
            for end in (relation.predecessor_id, relation.successor_id):
                if end not in seen:
                    raise ModelError("Relation names an unknown activity", activity_id=end)
            if relation.predecessor_id == relation.successor_id:
                raise ModelError("Activity is related to itself", activity_id=end)
