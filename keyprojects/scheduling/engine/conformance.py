"""Compare a schedule result with the results P6 stored in the file.

Only activities that are not complete are scored. Each mismatch gets a cause, so that
the remaining differences can be reported honestly rather than hidden.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .model import ActivityType, ConstraintType, Schedule
from .result import ActivityResult, ScheduleResult

FLOAT_TOLERANCE_HOURS = 0.01
FIELDS = ("early_start", "early_finish", "late_start", "late_finish", "total_float")


@dataclass(slots=True)
class Mismatch:
    activity_id: str
    code: str
    fields: dict[str, tuple[str, str]]  # field -> (ours, P6's)
    cause: str


@dataclass(slots=True)
class ConformanceReport:
    activities: int
    scored: int
    matched: int
    mismatches: list[Mismatch] = field(default_factory=list)

    def causes(self) -> Counter[str]:
        return Counter(m.cause for m in self.mismatches)

    def summary(self) -> str:
        text = f"{self.matched}/{self.scored} activities match P6"
        if self.mismatches:
            detail = ", ".join(f"{cause}: {n}" for cause, n in self.causes().most_common())
            text += f" (differences: {detail})"
        return text


def _fmt(value: datetime | float | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return f"{value:.2f}"


def _same_moment_other_form(ours: datetime, theirs: datetime) -> bool:
    """True when the two differ only as end of one workday against start of the next."""
    gap = abs(ours - theirs)
    return timedelta(0) < gap <= timedelta(days=4) and ours.date() != theirs.date()


def _classify(
    schedule: Schedule, activity_id: str, ours: ActivityResult, diffs: dict[str, tuple[str, str]]
) -> str:
    act = schedule.activity_map()[activity_id]
    keys = set(diffs)
    if diffs.get("total_float", ("", ""))[1] == "-":
        if keys == {"total_float"}:
            return "P6 stored no total float (the four dates match)"
        return "P6 stored no total float"
    if act.constraint is not None and act.constraint.type is ConstraintType.AS_LATE_AS_POSSIBLE:
        return "as-late-as-possible activity"
    if act.type is ActivityType.LEVEL_OF_EFFORT:
        return "level-of-effort activity (treated as a task)"
    if act.type is ActivityType.WBS_SUMMARY:
        return "WBS summary activity (treated as a task)"
    if act.is_in_progress and keys <= {"late_start", "late_finish", "total_float"}:
        return "late dates of an in-progress activity"
    if keys <= {"early_start", "early_finish"} and act.type.is_milestone:
        return "milestone position at a work-period boundary"
    if keys == {"total_float"}:
        return "total float only"
    if keys <= {"late_start", "late_finish", "total_float"}:
        return "late dates (backward pass)"
    return "early dates (forward pass)"


def compare_with_reference(
    schedule: Schedule, result: ScheduleResult, *, levelled: bool = False
) -> ConformanceReport:
    """Score `result` against the P6 values stored on each activity."""
    scored = matched = 0
    mismatches: list[Mismatch] = []
    for act in schedule.activities:
        ref = act.reference
        if act.is_complete or ref is None:
            continue
        ours = result.activities[act.id]
        scored += 1
        diffs: dict[str, tuple[str, str]] = {}
        pairs: list[tuple[str, datetime, datetime | None]] = [
            ("early_start", ours.early_start, ref.early_start),
            ("early_finish", ours.early_finish, ref.early_finish),
            ("late_start", ours.late_start, ref.late_start),
            ("late_finish", ours.late_finish, ref.late_finish),
        ]
        for name, mine, theirs in pairs:
            if theirs is None or mine != theirs:
                diffs[name] = (_fmt(mine), _fmt(theirs))
        theirs_float = ref.total_float_hours
        if (
            theirs_float is None
            or abs(ours.total_float_hours - theirs_float) > FLOAT_TOLERANCE_HOURS
        ):
            diffs["total_float"] = (_fmt(ours.total_float_hours), _fmt(theirs_float))
        if not diffs:
            matched += 1
            continue
        cause = "resource levelling by P6" if levelled else _classify(schedule, act.id, ours, diffs)
        mismatches.append(Mismatch(act.id, act.code, diffs, cause))
    return ConformanceReport(len(schedule.activities), scored, matched, mismatches)
