"""Each constraint type, hand-worked on a five-day week (Monday 2024-03-04 08:00 start)."""

from __future__ import annotations

from keyprojects.scheduling.engine import Constraint, ConstraintType, schedule

from .builders import at, build, link, task


def chain(constraint: Constraint, on: str = "B"):  # type: ignore[no-untyped-def]
    acts = [task("A", 16), task("B", 8), task("C", 8)]
    for act in acts:
        if act.id == on:
            act.constraint = constraint
    return schedule(build(acts, [link("A", "B"), link("B", "C")]))


def test_start_on_or_after_delays_the_start() -> None:
    r = chain(Constraint(ConstraintType.START_ON_OR_AFTER, at("2024-03-08 00:00")))
    assert r.activities["B"].early_start == at("2024-03-08 08:00")
    assert r.activities["C"].early_start == at("2024-03-11 08:00")


def test_finish_on_or_after_delays_the_finish() -> None:
    r = chain(Constraint(ConstraintType.FINISH_ON_OR_AFTER, at("2024-03-08 17:00")))
    assert r.activities["B"].early_finish == at("2024-03-08 17:00")


def test_finish_on_or_before_gives_negative_float_when_missed() -> None:
    r = chain(Constraint(ConstraintType.FINISH_ON_OR_BEFORE, at("2024-03-05 17:00")))
    b = r.activities["B"]
    assert b.late_finish == at("2024-03-05 17:00")
    assert b.total_float_hours == -8.0
    assert r.activities["A"].total_float_hours == -8.0


def test_start_on_or_before_limits_the_late_start() -> None:
    acts = [task("A", 8), task("B", 8), task("C", 40)]
    acts[1].constraint = Constraint(ConstraintType.START_ON_OR_BEFORE, at("2024-03-06 08:00"))
    r = schedule(build(acts, [link("A", "B")]))
    b = r.activities["B"]
    assert b.late_start == at("2024-03-06 08:00")
    assert b.total_float_hours == 8.0


def test_start_on_fixes_both_ends_of_float() -> None:
    r = chain(Constraint(ConstraintType.START_ON, at("2024-03-07 08:00")))
    b = r.activities["B"]
    assert (b.early_start, b.late_start) == (at("2024-03-07 08:00"), at("2024-03-07 08:00"))
    assert b.total_float_hours == 0.0


def test_finish_on() -> None:
    r = chain(Constraint(ConstraintType.FINISH_ON, at("2024-03-07 17:00")))
    b = r.activities["B"]
    assert (b.early_finish, b.late_finish) == (at("2024-03-07 17:00"), at("2024-03-07 17:00"))


def test_mandatory_start_overrides_logic() -> None:
    r = chain(Constraint(ConstraintType.MANDATORY_START, at("2024-03-05 08:00")))
    b = r.activities["B"]
    assert b.early_start == at("2024-03-05 08:00")  # before A finishes: logic is broken
    assert r.activities["C"].early_start == at("2024-03-06 08:00")


def test_mandatory_finish_overrides_logic() -> None:
    r = chain(Constraint(ConstraintType.MANDATORY_FINISH, at("2024-03-11 17:00")))
    b = r.activities["B"]
    assert (b.early_finish, b.late_finish) == (at("2024-03-11 17:00"), at("2024-03-11 17:00"))


def test_as_late_as_possible_uses_up_free_float() -> None:
    acts = [task("A", 8), task("L", 8), task("C", 40), task("D", 8)]
    acts[1].constraint = Constraint(ConstraintType.AS_LATE_AS_POSSIBLE)
    r = schedule(build(acts, [link("A", "L"), link("L", "D"), link("C", "D")]))
    late = r.activities["L"]
    assert late.early_finish == at("2024-03-08 17:00")  # just before D starts
    assert late.free_float_hours == 0.0
    # Total float is measured from where the activity could have been (P6 does so).
    assert late.total_float_hours == 24.0


def test_external_dates_from_other_projects_bound_the_dates() -> None:
    acts = [task("A", 8), task("B", 8)]
    acts[0].external_early_start = at("2024-03-06 08:00")
    acts[1].external_late_finish = at("2024-03-07 12:00")
    r = schedule(build(acts, [link("A", "B")]))
    assert r.activities["A"].early_start == at("2024-03-06 08:00")
    assert r.activities["B"].late_finish == at("2024-03-07 12:00")
    assert r.activities["B"].total_float_hours == -4.0


def test_expected_finish_sets_the_remaining_duration_when_the_option_is_on() -> None:
    from keyprojects.scheduling.engine import ScheduleOptions

    acts = [task("A", 8), task("B", 8)]
    acts[0].expected_finish = at("2024-03-06 17:00")
    on = schedule(build(acts, [link("A", "B")], options=ScheduleOptions(use_expected_finish=True)))
    off = schedule(build(acts, [link("A", "B")]))
    assert on.activities["A"].early_finish == at("2024-03-06 17:00")
    assert off.activities["A"].early_finish == at("2024-03-04 17:00")
