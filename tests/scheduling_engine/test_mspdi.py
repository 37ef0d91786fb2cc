"""MS Project XML (MSPDI): reading, writing, round trips and malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyprojects.scheduling.engine import (
    ActivityType,
    ConstraintType,
    RelationType,
    Schedule,
    ScheduleFileError,
    read_mspdi,
    read_xer,
    write_mspdi,
    write_mspdi_text,
)
from keyprojects.scheduling.engine.mspdi_codes import format_duration, parse_duration
from keyprojects.scheduling.engine.mspdi_read import read_mspdi_text

from .builders import schedules_folder

DOC = """<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="http://schemas.microsoft.com/project">
 <Name>Demo</Name><StartDate>2024-03-04T08:00:00</StartDate>
 <StatusDate>2024-03-04T08:00:00</StatusDate><CalendarUID>1</CalendarUID>
 <MinutesPerDay>480</MinutesPerDay>
 <Calendars><Calendar><UID>1</UID><Name>Standard</Name><WeekDays>
  <WeekDay><DayType>1</DayType><DayWorking>0</DayWorking></WeekDay>
  <WeekDay><DayType>2</DayType><DayWorking>1</DayWorking><WorkingTimes>
   <WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime></WorkingTime>
   <WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime></WorkingTime>
  </WorkingTimes></WeekDay>
  <WeekDay><DayType>0</DayType><DayWorking>0</DayWorking><TimePeriod>
   <FromDate>2024-03-05T00:00:00</FromDate><ToDate>2024-03-06T23:59:00</ToDate></TimePeriod>
  </WeekDay></WeekDays></Calendar></Calendars>
 <Tasks>
  <Task><UID>0</UID><Name>Project summary</Name><Summary>1</Summary>
   <OutlineLevel>0</OutlineLevel></Task>
  <Task><UID>1</UID><ID>1</ID><Name>Dig</Name><Duration>PT16H0M0S</Duration>
   <RemainingDuration>PT8H0M0S</RemainingDuration><ActualStart>2024-03-01T08:00:00</ActualStart>
   <ConstraintType>4</ConstraintType><ConstraintDate>2024-03-01T08:00:00</ConstraintDate></Task>
  <Task><UID>2</UID><ID>2</ID><Name>Pour</Name><Duration>PT8H0M0S</Duration>
   <Milestone>0</Milestone>
   <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>3</Type><LinkLag>2400</LinkLag></PredecessorLink>
  </Task>
 </Tasks>
</Project>"""


def test_reads_tasks_calendars_links_and_progress() -> None:
    model = read_mspdi(DOC.encode())
    dig, _pour = model.activities
    assert (dig.original_duration, dig.remaining_duration) == (960, 480)
    assert dig.actual_start is not None
    assert dig.constraint is not None
    assert dig.constraint.type is ConstraintType.START_ON_OR_AFTER
    rel = model.relations[0]
    assert (rel.predecessor_id, rel.successor_id, rel.type, rel.lag) == (
        "1",
        "2",
        RelationType.START_START,
        240,
    )
    cal = model.calendars["1"]
    assert cal.week[0] == ((480, 720), (780, 1020))
    assert sorted(d.isoformat() for d in cal.exceptions) == ["2024-03-05", "2024-03-06"]


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("PT16H0M0S", 960), ("PT0H30M0S", 30), ("P1DT2H0M0S", 600), ("-PT8H0M0S", -480)],
)
def test_iso_durations(text: str, minutes: int) -> None:
    assert parse_duration(text, 480) == minutes
    assert parse_duration(format_duration(minutes), 480) == minutes


def relevant(model: Schedule) -> object:
    """The fields that decide the schedule (MSPDI has no P6 options or hours per day)."""
    acts = sorted(
        (
            a.id,
            a.code,
            a.type,
            a.calendar_id,
            a.original_duration,
            a.remaining_duration,
            a.actual_start,
            a.actual_finish,
            a.constraint,
        )
        for a in model.activities
    )
    cals = {k: (c.week, c.exceptions) for k, c in model.calendars.items()}
    rels = sorted((r.predecessor_id, r.successor_id, r.type.value, r.lag) for r in model.relations)
    return (
        model.data_date,
        model.start,
        model.deadline,
        model.default_calendar_id,
        acts,
        cals,
        rels,
    )


@pytest.mark.parametrize(
    "name",
    ["takt_sample.xer", "wk2.xer", "MDL4D.xer", "BL-54069-B2-20250902.xer", "BFBPS13.xer"],
)
def test_xer_to_mspdi_keeps_the_schedule_and_mspdi_round_trips(name: str) -> None:
    model = read_xer(schedules_folder() / name)
    first = read_mspdi_text(write_mspdi_text(model))
    assert relevant(first) == relevant(model)
    assert read_mspdi_text(write_mspdi_text(first)) == first


def test_write_and_read_a_file(tmp_path: Path) -> None:
    model = read_mspdi(DOC.encode())
    model.activities[1].type = ActivityType.START_MILESTONE
    target = tmp_path / "out.xml"
    write_mspdi(model, target)
    assert read_mspdi(target) == model


@pytest.mark.parametrize(
    ("text", "table"),
    [
        (DOC.replace("<UID>2</UID>", "<UID>1</UID>"), "Task"),
        (DOC.replace("<PredecessorUID>1<", "<PredecessorUID>9<"), "PredecessorLink"),
        (DOC.replace("PT8H0M0S</Duration>", "eight hours</Duration>"), "Task"),
        (DOC.replace("<StatusDate>2024-03-04T08", "<StatusDate>2024-99-04T08"), "Project"),
        (DOC.replace("</Tasks>", ""), None),
        (DOC.replace("<Project ", '<!DOCTYPE p [<!ENTITY x "y">]><Project '), None),
    ],
    ids=["duplicate id", "unknown link", "bad duration", "bad date", "not well formed", "entities"],
)
def test_malformed_files_raise_one_error_class(text: str, table: str | None) -> None:
    with pytest.raises(ScheduleFileError) as caught:
        read_mspdi(text.encode())
    assert caught.value.table == table


def test_size_limit() -> None:
    with pytest.raises(ScheduleFileError, match="size limit"):
        read_mspdi(DOC.encode(), max_bytes=10)
