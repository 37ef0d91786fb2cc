"""Conformance with Primavera P6 on real schedules (P6's own results are in each file).

Each floor pins the current count of activities matching P6 on all five values (early
and late start and finish to the minute, total float within 0.01 h); it may only go up.
"""

from __future__ import annotations

import io

import pytest

from keyprojects.scheduling.engine import compare_with_reference, read_xer, schedule
from keyprojects.scheduling.engine.cli import main

from .builders import schedules_folder

# file, activities, scored (not complete), matched floor, MPXJ 16.10.0's matches
FLOORS = [
    ("takt_sample.xer", 25, 25, 25, 25),
    ("wk2.xer", 198, 198, 197, 191),
    ("MDL4D.xer", 62, 62, 62, 62),
    ("MDL4RA.xer", 62, 62, 62, 62),
    ("BL-54069-B2-20250902.xer", 47, 25, 25, 25),
    ("BFBPS13.xer", 1582, 1220, 1220, 1219),
]


@pytest.mark.parametrize(("name", "activities", "scored", "floor", "mpxj"), FLOORS)
def test_matches_p6(name: str, activities: int, scored: int, floor: int, mpxj: int) -> None:
    model = read_xer(schedules_folder() / name)
    report = compare_with_reference(model, schedule(model))
    assert (report.activities, report.scored) == (activities, scored)
    assert report.matched >= floor, report.summary()
    assert report.matched >= mpxj


def test_remaining_differences_are_classified() -> None:
    folder = schedules_folder()
    causes: dict[str, dict[str, int]] = {}
    for name, *_ in FLOORS:
        model = read_xer(folder / name)
        report = compare_with_reference(model, schedule(model))
        causes[name] = dict(report.causes())
    assert causes["wk2.xer"] == {"P6 stored no total float (the four dates match)": 1}
    assert causes["BFBPS13.xer"] == {}


def test_cli_reports_the_p6_match_in_table_mode() -> None:
    out = io.StringIO()
    assert main(["schedule", str(schedules_folder() / "takt_sample.xer")], out) == 0
    assert "25/25 activities match P6" in out.getvalue()
