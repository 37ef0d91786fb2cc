"""XER reading, writing, round trips, encodings and malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyprojects.scheduling.engine import (
    ActivityType,
    ConstraintType,
    RelationType,
    ScheduleFileError,
    read_xer,
    write_xer,
    write_xer_text,
)
from keyprojects.scheduling.engine.xer_read import read_xer_text

from .builders import schedules_folder

SAMPLES = [
    "takt_sample.xer",
    "wk2.xer",
    "MDL4D.xer",
    "MDL4RA.xer",
    "BL-54069-B2-20250902.xer",
    "BFBPS13.xer",
]

MINIMAL = (
    "ERMHDR\t8.0\t2024-01-01\tProject\tadmin\n"
    "%T\tPROJECT\n%F\tproj_id\tproj_short_name\tclndr_id\tlast_recalc_date\tplan_start_date\n"
    "%R\t1\t{name}\t10\t2024-03-04 08:00\t2024-03-04 08:00\n"
    "%T\tCALENDAR\n%F\tclndr_id\tclndr_name\tday_hr_cnt\tclndr_data\n"
    "%R\t10\tStandard\t8\t{clndr}\n"
    "%T\tTASK\n%F\ttask_id\tproj_id\tclndr_id\ttask_code\ttask_name\ttask_type\t"
    "target_drtn_hr_cnt\tremain_drtn_hr_cnt\tcstr_type\tcstr_date\n"
    "%R\t100\t1\t10\tA1000\t{task}\tTT_Task\t16\t16\t\t\n"
    "%R\t101\t1\t{cal2}\tA1010\tFinish\tTT_FinMile\t0\t0\tCS_MEOB\t{when}\n"
    "%T\tTASKPRED\n%F\ttask_pred_id\ttask_id\tpred_task_id\tproj_id\tpred_proj_id\tpred_type\t"
    "lag_hr_cnt\n"
    "%R\t1\t{succ}\t100\t1\t1\tPR_SS\t-4\n"
    "%E\n"
)
CLNDR = (
    "(0||CalendarData()(\x7f\x7f(0||DaysOfWeek()((0||1()())(0||2()((0||0(s|08:00|f|12:00)())"
    "(0||1(s|13:00|f|17:00)())))(0||3()((0||0(s|08:00|f|16:00)())))(0||4()())(0||5()())"
    "(0||6()())(0||7()())))(0||Exceptions()((0||0(d|45355)())))))"
)


def minimal(**changes: str) -> str:
    values = {
        "name": "Demo",
        "clndr": CLNDR,
        "task": "Start",
        "cal2": "10",
        "when": "2024-03-08 17:00",
        "succ": "101",
    }
    values.update(changes)
    return MINIMAL.format(**values)


def test_reads_a_minimal_file() -> None:
    model = read_xer_text(minimal())
    assert model.data_date.isoformat() == "2024-03-04T08:00:00"
    a, b = model.activities
    assert (a.code, a.original_duration, b.type) == ("A1000", 960, ActivityType.FINISH_MILESTONE)
    assert b.constraint is not None and b.constraint.type is ConstraintType.FINISH_ON_OR_BEFORE
    rel = model.relations[0]
    assert (rel.type, rel.lag) == (RelationType.START_START, -240)
    cal = model.calendars["10"]
    assert cal.week[0] == ((480, 720), (780, 1020))  # Monday
    assert cal.week[1] == ((480, 960),)
    assert cal.exceptions  # serial 45355 = 2024-03-04
    assert next(iter(cal.exceptions)).isoformat() == "2024-03-04"


def test_serial_day_44557_is_2021_12_27() -> None:
    model = read_xer_text(minimal(clndr=CLNDR.replace("45355", "44557")))
    assert next(iter(model.calendars["10"].exceptions)).isoformat() == "2021-12-27"


@pytest.mark.parametrize("name", SAMPLES)
def test_round_trip_changes_nothing(name: str) -> None:
    model = read_xer(schedules_folder() / name)
    again = read_xer_text(write_xer_text(model))
    assert again == model


def test_write_and_read_a_file(tmp_path: Path) -> None:
    model = read_xer_text(minimal())
    target = tmp_path / "out.xer"
    write_xer(model, target, encoding="cp1252")
    assert read_xer(target) == model


@pytest.mark.parametrize(
    ("encoding", "name"), [("utf-8", "重点项目"), ("gbk", "解放碑地下停车库"), ("cp1252", "Café")]
)
def test_encodings_are_detected(encoding: str, name: str) -> None:
    data = minimal(name=name, task=f"{name} 开工" if encoding != "cp1252" else "Début")
    model = read_xer(data.encode(encoding))
    assert model.name == name


def test_an_explicit_wrong_encoding_is_reported() -> None:
    with pytest.raises(ScheduleFileError) as caught:
        read_xer(minimal(name="重点项目").encode("gbk"), encoding="ascii")
    assert caught.value.value == "ascii"


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "big.xer"
    target.write_text(minimal())
    with pytest.raises(ScheduleFileError, match="size limit"):
        read_xer(target, max_bytes=100)


@pytest.mark.parametrize(
    ("text", "table", "row", "field"),
    [
        (minimal().replace("%T\tTASK\n", "%T\tTASKX\n"), "TASK", None, None),
        (minimal(when="2024-13-45 17:00"), "TASK", 2, "cstr_date"),
        (minimal(cal2="99"), "TASK", 2, "clndr_id"),
        (minimal(succ="555"), "TASKPRED", 1, "task_id"),
        (minimal().replace("%R\t101\t1", "%R\t100\t1"), "TASK", 2, "task_id"),
        (minimal(clndr="(0||CalendarData()((0||DaysOfWeek()(("), "CALENDAR", 1, "clndr_data"),
        (minimal().replace("TT_FinMile", "TT_Bogus"), "TASK", 2, "task_type"),
        (minimal().replace("\t16\t16\t", "\tsixteen\t16\t"), "TASK", 1, "target_drtn_hr_cnt"),
    ],
    ids=[
        "missing table",
        "bad date",
        "unknown calendar",
        "unknown activity",
        "duplicate id",
        "bad calendar data",
        "unknown type",
        "bad number",
    ],
)
def test_malformed_files_name_table_and_row(
    text: str, table: str, row: int | None, field: str | None
) -> None:
    with pytest.raises(ScheduleFileError) as caught:
        read_xer_text(text)
    error = caught.value
    assert (error.table, error.row, error.field) == (table, row, field)
    assert error.message[0].isupper() and "{" not in error.message


def test_not_an_xer_file() -> None:
    with pytest.raises(ScheduleFileError):
        read_xer(b"<Project/>")
