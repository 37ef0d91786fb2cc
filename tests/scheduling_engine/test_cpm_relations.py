"""Hand-worked examples for each relation type and lag, on a five-day week."""

from __future__ import annotations

import pytest

from keyprojects.scheduling.engine import schedule

from .builders import at, build, link, task


def dates(result, activity_id):  # type: ignore[no-untyped-def]
    r = result.activities[activity_id]
    return (r.early_start, r.early_finish, r.late_start, r.late_finish, r.total_float_hours)


def test_finish_to_start_starts_the_next_working_morning() -> None:
    result = schedule(build([task("A", 16), task("B", 8)], [link("A", "B")]))
    assert dates(result, "A") == (
        at("2024-03-04 08:00"), at("2024-03-05 17:00"),
        at("2024-03-04 08:00"), at("2024-03-05 17:00"), 0.0,
    )  # fmt: skip
    assert dates(result, "B") == (
        at("2024-03-06 08:00"), at("2024-03-06 17:00"),
        at("2024-03-06 08:00"), at("2024-03-06 17:00"), 0.0,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("lag", "start"),
    [(8, "2024-03-07 08:00"), (4, "2024-03-06 13:00"), (-8, "2024-03-05 08:00")],
)
def test_finish_to_start_lag_is_working_time(lag: float, start: str) -> None:
    result = schedule(build([task("A", 16), task("B", 8)], [link("A", "B", "FS", lag)]))
    assert result.activities["B"].early_start == at(start)


def test_start_to_start_with_a_half_day_lag_resumes_after_lunch() -> None:
    result = schedule(build([task("A", 16), task("B", 8)], [link("A", "B", "SS", 4)]))
    b = result.activities["B"]
    assert (b.early_start, b.early_finish) == (at("2024-03-04 13:00"), at("2024-03-05 12:00"))
    # A finishes last (Tuesday 17:00); B may slip the four working hours until then.
    assert b.total_float_hours == 4.0


def test_finish_to_finish_aligns_the_finishes() -> None:
    result = schedule(build([task("A", 16), task("B", 8)], [link("A", "B", "FF")]))
    b = result.activities["B"]
    assert (b.early_start, b.early_finish) == (at("2024-03-05 08:00"), at("2024-03-05 17:00"))
    assert b.total_float_hours == 0.0


def test_finish_to_finish_negative_lag() -> None:
    # Eight working hours before A's finish (Tuesday 17:00) is Tuesday 08:00, where P6,
    # taking time away, lands: the same working moment as Monday 17:00.
    result = schedule(build([task("A", 16), task("B", 4)], [link("A", "B", "FF", -8)]))
    b = result.activities["B"]
    assert (b.early_start, b.early_finish) == (at("2024-03-04 13:00"), at("2024-03-05 08:00"))


def test_start_to_finish_lag_sets_the_successor_finish() -> None:
    result = schedule(build([task("A", 8), task("B", 8)], [link("A", "B", "SF", 24)]))
    b = result.activities["B"]
    assert (b.early_start, b.early_finish) == (at("2024-03-06 08:00"), at("2024-03-06 17:00"))
    # Three working days from A's start to B's finish: both are critical.
    assert result.activities["A"].total_float_hours == 0.0
    assert b.total_float_hours == 0.0


def test_start_to_finish_without_lag_finishes_where_work_resumes() -> None:
    # P6 keeps the form of the anchor: B finishes at A's start, Tuesday 08:00.
    result = schedule(
        build([task("Z", 8), task("A", 8), task("B", 8)], [link("Z", "A"), link("A", "B", "SF")])
    )
    assert result.activities["B"].early_finish == at("2024-03-05 08:00")


def test_weekend_is_skipped() -> None:
    result = schedule(build([task("A", 40), task("B", 8)], [link("A", "B")]))
    assert result.activities["A"].early_finish == at("2024-03-08 17:00")
    assert result.activities["B"].early_start == at("2024-03-11 08:00")


def test_free_float_and_driving_relations() -> None:
    result = schedule(
        build(
            [task("A", 8), task("B", 24), task("C", 8)],
            [link("A", "C"), link("B", "C")],
        )
    )
    assert result.activities["A"].free_float_hours == 16.0
    assert result.activities["B"].free_float_hours == 0.0
    assert ("B", "C") in result.driving_relations
    assert ("A", "C") not in result.driving_relations
    assert result.longest_path() == ["B", "C"]


def test_milestones_sit_at_the_ends_of_work() -> None:
    from keyprojects.scheduling.engine import ActivityType

    result = schedule(
        build(
            [
                task("S", 0, kind=ActivityType.START_MILESTONE),
                task("A", 8),
                task("F", 0, kind=ActivityType.FINISH_MILESTONE),
            ],
            [link("S", "A"), link("A", "F")],
        )
    )
    assert result.activities["S"].early_start == at("2024-03-04 08:00")
    assert result.activities["F"].early_finish == at("2024-03-04 17:00")
    assert result.activities["F"].late_finish == at("2024-03-04 17:00")


def test_a_start_milestone_at_the_data_date_keeps_the_data_date() -> None:
    from keyprojects.scheduling.engine import ActivityType

    model = build(
        [task("S", 0, kind=ActivityType.START_MILESTONE), task("A", 8)],
        [link("S", "A")],
        data_date=at("2024-03-04 00:00"),
    )
    result = schedule(model)
    assert result.activities["S"].early_start == at("2024-03-04 00:00")  # as P6 shows it
    assert result.activities["S"].late_start == at("2024-03-04 08:00")
    assert result.activities["A"].early_start == at("2024-03-04 08:00")
