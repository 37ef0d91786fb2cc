"""Progress: actual dates, remaining durations, retained logic and progress override."""

from __future__ import annotations

from datetime import datetime

from keyprojects.scheduling.engine import (
    ProgressMode,
    ScheduleOptions,
    ScheduleResult,
    schedule,
)

from .builders import at, build, five_day, link, task

LAST_WEEK = datetime(2024, 2, 26, 8, 0)


def test_complete_activities_are_not_scheduled_and_release_successors_at_the_data_date() -> None:
    done = task("A", 16, actual_start=LAST_WEEK, actual_finish=datetime(2024, 2, 27, 17, 0))
    r = schedule(build([done, task("B", 8)], [link("A", "B")]))
    assert r.activities["A"].complete
    assert r.activities["B"].early_start == at("2024-03-04 08:00")


def test_in_progress_remaining_work_starts_at_the_data_date() -> None:
    started = task("A", 40, remaining=16, actual_start=LAST_WEEK)
    r = schedule(build([started, task("B", 8)], [link("A", "B")]))
    a = r.activities["A"]
    assert (a.early_start, a.early_finish) == (at("2024-03-04 08:00"), at("2024-03-05 17:00"))
    assert a.in_progress
    assert r.activities["B"].early_start == at("2024-03-06 08:00")


def out_of_sequence(mode: ProgressMode) -> ScheduleResult:
    # B started although its predecessor A has not finished.
    acts = [task("A", 16, remaining=16, actual_start=LAST_WEEK), task("B", 24, remaining=8)]
    acts[1].actual_start = LAST_WEEK
    return schedule(build(acts, [link("A", "B")], options=ScheduleOptions(progress=mode)))


def test_retained_logic_keeps_the_remaining_work_after_the_predecessor() -> None:
    b = out_of_sequence(ProgressMode.RETAINED_LOGIC).activities["B"]
    assert (b.early_start, b.early_finish) == (at("2024-03-06 08:00"), at("2024-03-06 17:00"))


def test_progress_override_lets_the_remaining_work_continue_now() -> None:
    r = out_of_sequence(ProgressMode.PROGRESS_OVERRIDE)
    b = r.activities["B"]
    assert (b.early_start, b.early_finish) == (at("2024-03-04 08:00"), at("2024-03-04 17:00"))
    # A no longer drives B; it finishes last (Tuesday 17:00), so it is critical.
    assert r.activities["A"].total_float_hours == 0.0


def test_lag_after_a_finished_predecessor_counts_time_already_passed() -> None:
    done = task("A", 8, actual_start=LAST_WEEK, actual_finish=datetime(2024, 2, 29, 17, 0))
    r = schedule(build([done, task("B", 8)], [link("A", "B", "FS", 16)]))
    # Thursday 17:00 + 16 working hours = Monday 17:00; work resumes Tuesday.
    assert r.activities["B"].early_start == at("2024-03-05 08:00")


def _finished_with_a_start_link(successor_calendar: str) -> ScheduleResult:
    # A finished last week. X sets the project finish at Friday 17:00. A's finish link to
    # B lets A's late dates run to Friday 08:00; its start link to C (which must finish by
    # Wednesday 17:00 to leave D two days) would pull them back to Wednesday 08:00.
    done = task("A", 8, actual_start=LAST_WEEK, actual_finish=datetime(2024, 2, 27, 17, 0))
    acts = [
        done,
        task("X", 40),
        task("B", 8),
        task("C", 8, calendar_id=successor_calendar),
        task("D", 16, calendar_id=successor_calendar),
    ]
    links = [link("A", "B"), link("A", "C", "SS"), link("C", "D")]
    return schedule(build(acts, links, calendars=[five_day(), five_day("5e")]))


def test_a_finished_activitys_start_link_binds_its_late_dates_on_the_same_calendar() -> None:
    a = _finished_with_a_start_link("5d").activities["A"]
    assert (a.late_start, a.late_finish) == (at("2024-03-06 08:00"), at("2024-03-06 08:00"))


def test_a_finished_activitys_start_link_to_another_calendar_does_not_bind() -> None:
    # As P6 does (BFBPS13.xer): the link to C, unstarted on another calendar, is left out.
    r = _finished_with_a_start_link("5e")
    a = r.activities["A"]
    assert (a.late_start, a.late_finish) == (at("2024-03-08 08:00"), at("2024-03-08 08:00"))
    # C's own dates are unchanged by that.
    assert r.activities["C"].late_start == at("2024-03-06 08:00")
