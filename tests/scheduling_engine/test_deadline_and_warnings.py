"""Backward scheduling from a deadline (倒排工期), loops, open ends."""

from __future__ import annotations

import pytest

from keyprojects.scheduling.engine import (
    DependencyLoopError,
    WarningCode,
    schedule,
    start_by_text,
)

from .builders import at, build, link, task


def test_late_dates_are_worked_back_from_the_deadline() -> None:
    model = build([task("A", 16), task("B", 8)], [link("A", "B")], deadline=at("2024-03-15 17:00"))
    result = schedule(model)
    b, a = result.activities["B"], result.activities["A"]
    assert (b.late_start, b.late_finish) == (at("2024-03-15 08:00"), at("2024-03-15 17:00"))
    assert (a.late_start, a.late_finish) == (at("2024-03-13 08:00"), at("2024-03-14 17:00"))
    assert a.total_float_hours == 56.0
    assert start_by_text(a) == "Start A by 2024-03-13 08:00, finish by 2024-03-14 17:00"


def test_a_deadline_that_cannot_be_met_gives_negative_float_and_a_warning() -> None:
    model = build([task("A", 40), task("B", 8)], [link("A", "B")], deadline=at("2024-03-07 17:00"))
    result = schedule(model)
    assert result.activities["A"].total_float_hours == -16.0
    assert result.activities["B"].critical
    assert any(w.code is WarningCode.DEADLINE_MISSED for w in result.warnings)
    assert "already 16 working hours late" in start_by_text(result.activities["A"])


def test_a_loop_names_its_activities() -> None:
    model = build(
        [task("A", 8), task("B", 8), task("C", 8), task("D", 8)],
        [link("A", "B"), link("B", "C"), link("C", "D"), link("D", "B")],
    )
    with pytest.raises(DependencyLoopError) as caught:
        schedule(model)
    assert caught.value.activity_ids == ["B", "C", "D", "B"]
    assert "B -> C -> D -> B" in str(caught.value)


def test_open_ends_are_warnings_not_errors() -> None:
    result = schedule(build([task("A", 8), task("B", 8), task("C", 8)], [link("A", "B")]))
    found = {(w.code, w.activity_id) for w in result.warnings}
    assert (WarningCode.NO_PREDECESSOR, "A") in found
    assert (WarningCode.NO_PREDECESSOR, "C") in found
    assert (WarningCode.NO_SUCCESSOR, "B") in found
    assert (WarningCode.NO_SUCCESSOR, "A") not in found
