"""Compare a schedule result with a baseline: how far each activity has slipped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .calendar import WorkCalendar
from .model import Schedule
from .result import ScheduleResult


@dataclass(frozen=True, slots=True)
class Slip:
    """Slip in working days of the activity's calendar; positive means later."""

    activity_id: str
    code: str
    baseline_start: datetime | None
    current_start: datetime | None
    baseline_finish: datetime | None
    current_finish: datetime | None
    start_slip_days: float | None
    finish_slip_days: float | None
    milestone: bool
    status: str  # "compared", "added" (not in baseline) or "removed" (not in current)


def compare_with_baseline(
    schedule: Schedule, baseline: ScheduleResult, current: ScheduleResult
) -> list[Slip]:
    """One `Slip` per activity in either result, in the current schedule's order.

    Start and finish are the actual dates where there are any, else the early dates.
    `schedule` supplies the calendars (the current model).
    """
    calendars: dict[str, WorkCalendar] = {}
    acts = schedule.activity_map()

    def calendar_of(activity_id: str) -> WorkCalendar | None:
        act = acts.get(activity_id)
        cal_id = (act.calendar_id if act else None) or schedule.default_calendar_id
        if cal_id is None or cal_id not in schedule.calendars:
            return None
        if cal_id not in calendars:
            calendars[cal_id] = WorkCalendar(schedule.calendars[cal_id], schedule.data_date.date())
        return calendars[cal_id]

    def days(cal: WorkCalendar | None, before: datetime, after: datetime) -> float:
        if cal is None:
            return (after - before).total_seconds() / 86400
        return round(cal.minutes_to_days(cal.working_minutes(before, after)), 4)

    slips: list[Slip] = []
    ids = list(current.order) + [i for i in baseline.order if i not in current.activities]
    for activity_id in ids:
        now = current.activities.get(activity_id)
        then = baseline.activities.get(activity_id)
        act = acts.get(activity_id)
        milestone = act.type.is_milestone if act else False
        code = now.code if now else then.code if then else activity_id
        if now is None or then is None:
            slips.append(
                Slip(
                    activity_id,
                    code,
                    then.start if then else None,
                    now.start if now else None,
                    then.finish if then else None,
                    now.finish if now else None,
                    None,
                    None,
                    milestone,
                    "added" if then is None else "removed",
                )
            )
            continue
        cal = calendar_of(activity_id)
        slips.append(
            Slip(
                activity_id,
                code,
                then.start,
                now.start,
                then.finish,
                now.finish,
                days(cal, then.start, now.start),
                days(cal, then.finish, now.finish),
                milestone,
                "compared",
            )
        )
    return slips
