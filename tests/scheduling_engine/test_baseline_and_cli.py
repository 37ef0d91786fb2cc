"""Baseline comparison and the `schedule` command."""

from __future__ import annotations

import io
import json
from pathlib import Path

from keyprojects.scheduling.engine import (
    ActivityType,
    compare_with_baseline,
    schedule,
    write_mspdi,
    write_xer,
)
from keyprojects.scheduling.engine.cli import main

from .builders import at, build, link, task


def test_slip_in_working_days_for_starts_finishes_and_milestones() -> None:
    plan = build(
        [task("A", 16), task("B", 8), task("M", 0, kind=ActivityType.FINISH_MILESTONE)],
        [link("A", "B"), link("B", "M")],
    )
    baseline = schedule(plan)
    plan.activities[0].original_duration = 40 * 60  # A takes a week, not two days
    plan.activities.append(task("N", 8))
    current = schedule(plan)
    slips = {s.activity_id: s for s in compare_with_baseline(plan, baseline, current)}
    assert slips["A"].start_slip_days == 0.0
    assert slips["A"].finish_slip_days == 3.0
    assert slips["B"].start_slip_days == 3.0
    assert slips["M"].milestone and slips["M"].finish_slip_days == 3.0
    assert slips["N"].status == "added"


def sample(tmp_path: Path, suffix: str) -> Path:
    model = build([task("A", 16), task("B", 8)], [link("A", "B")])
    target = tmp_path / f"plan{suffix}"
    (write_xer if suffix == ".xer" else write_mspdi)(model, target)
    return target


def test_json_output(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["schedule", str(sample(tmp_path, ".xer")), "--json"], out, err) == 0
    rows = json.loads(out.getvalue())
    assert rows[1] == {
        "task_code": "B",
        "early_start": "2024-03-06T08:00",
        "early_finish": "2024-03-06T17:00",
        "late_start": "2024-03-06T08:00",
        "late_finish": "2024-03-06T17:00",
        "total_float_hours": 0.0,
    }


def test_table_output_for_ms_project_xml(tmp_path: Path) -> None:
    out = io.StringIO()
    assert main([str(sample(tmp_path, ".xml"))], out) == 0
    text = out.getvalue()
    assert "2024-03-06T08:00" in text
    assert "project finish 2024-03-06T17:00" in text
    assert at("2024-03-06 17:00")  # keeps the helper import honest


def test_errors_are_reported_with_status_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xer"
    bad.write_text("ERMHDR\t8.0\n%T\tPROJECT\n")
    err = io.StringIO()
    assert main([str(bad)], io.StringIO(), err) == 1
    assert err.getvalue().startswith("error: ")


def test_usage_errors_return_2() -> None:
    assert main([], io.StringIO(), io.StringIO()) == 2
