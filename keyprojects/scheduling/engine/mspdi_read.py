"""Read a Microsoft Project XML (MSPDI) file into a `Schedule`.

Only the standard library parses the XML; documents with a DTD or entity declarations are
refused outright, which rules out entity-expansion attacks.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from pathlib import Path

from .encoding import decode_text
from .errors import ScheduleFileError
from .model import (
    Activity,
    ActivityType,
    CalendarSpec,
    Constraint,
    ConstraintType,
    DayHours,
    Interval,
    ReferenceResults,
    Relation,
    Schedule,
    ScheduleOptions,
    WbsNode,
)
from .mspdi_codes import (
    CONSTRAINT_TYPES,
    NS,
    RELATION_TYPES,
    TEXT1_FIELD_ID,
    TEXT2_FIELD_ID,
    parse_duration,
)
from .xer_read import DEFAULT_MAX_BYTES

_MAX_EXCEPTION_DAYS = 366 * 30
_STANDARD: DayHours = ((480, 720), (780, 1020))


class _El:
    """Namespace-agnostic access to an element, with errors naming where."""

    def __init__(self, element: ET.Element, table: str, row: int) -> None:
        self.element = element
        self.table = table
        self.row = row

    def error(
        self, message: str, name: str | None = None, value: str | None = None
    ) -> ScheduleFileError:
        return ScheduleFileError(message, table=self.table, row=self.row, field=name, value=value)

    def find(self, name: str) -> ET.Element | None:
        found = self.element.find(NS + name)
        return found if found is not None else self.element.find(name)

    def findall(self, name: str) -> list[ET.Element]:
        return self.element.findall(NS + name) or self.element.findall(name)

    def text(self, name: str) -> str:
        found = self.find(name)
        return (found.text or "").strip() if found is not None else ""

    def integer(self, name: str) -> int | None:
        value = self.text(name)
        if not value:
            return None
        try:
            return int(float(value))
        except ValueError as exc:
            raise self.error("A number is not valid", name, value) from exc

    def date(self, name: str) -> datetime | None:
        value = self.text(name)
        if not value or value.startswith("1984-01-01"):  # MS Project's "NA"
            return None
        try:
            return datetime.fromisoformat(value).replace(second=0, microsecond=0, tzinfo=None)
        except ValueError as exc:
            raise self.error("A date is not valid", name, value) from exc

    def duration(self, name: str, minutes_per_day: int) -> int | None:
        value = self.text(name)
        if not value:
            return None
        minutes = parse_duration(value, minutes_per_day)
        if minutes is None:
            raise self.error("A duration is not valid", name, value)
        return minutes


def _minutes_of(value: str) -> int:
    hours, minutes, *_ = [*(value or "00:00:00").split(":"), "0"]
    return int(hours) * 60 + int(minutes)


def _working_times(node: _El) -> DayHours:
    times = node.find("WorkingTimes")
    intervals: list[Interval] = []
    if times is None:
        return ()
    for item in list(times):
        el = _El(item, node.table, node.row)
        start, finish = _minutes_of(el.text("FromTime")), _minutes_of(el.text("ToTime"))
        if finish <= start:
            finish += 24 * 60
        intervals.append((start, min(finish, 24 * 60)))
    return tuple(sorted(intervals))


def _exception_days(node: _El) -> list[date]:
    period = node.find("TimePeriod")
    if period is None:
        return []
    el = _El(period, node.table, node.row)
    first, last = el.date("FromDate"), el.date("ToDate")
    if first is None or last is None:
        raise node.error("An exception has no dates", "TimePeriod")
    days = (last.date() - first.date()).days
    if days < 0 or days > _MAX_EXCEPTION_DAYS:
        raise node.error("An exception spans too many days", "TimePeriod")
    return [first.date() + timedelta(days=n) for n in range(days + 1)]


def _calendar(node: _El, hours_per_day: float) -> CalendarSpec:
    uid = node.text("UID")
    if not uid:
        raise node.error("A required value is missing", "UID")
    # MSPDI numbers days 1 (Sunday) to 7 (Saturday); the model is Monday first.
    week: list[DayHours] = [_STANDARD] * 5 + [(), ()]
    exceptions: dict[date, DayHours] = {}
    days = node.find("WeekDays")
    for item in list(days) if days is not None else []:
        day = _El(item, node.table, node.row)
        day_type = day.integer("DayType")
        hours = _working_times(day) if day.text("DayWorking") == "1" else ()
        if day_type is None:
            raise day.error("A required value is missing", "DayType")
        if day_type == 0:
            for when in _exception_days(day):
                exceptions[when] = hours
        elif 1 <= day_type <= 7:
            week[(day_type + 5) % 7] = hours
    found = node.find("Exceptions")
    for item in list(found) if found is not None else []:
        exc = _El(item, node.table, node.row)
        hours = _working_times(exc) if exc.text("DayWorking") == "1" else ()
        for when in _exception_days(exc):
            exceptions[when] = hours
    return CalendarSpec(
        id=uid,
        name=node.text("Name"),
        week=(week[0], week[1], week[2], week[3], week[4], week[5], week[6]),
        exceptions=exceptions,
        hours_per_day=hours_per_day,
    )


def _extended(task: _El) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in task.findall("ExtendedAttribute"):
        el = _El(item, task.table, task.row)
        values[el.text("FieldID")] = el.text("Value")
    return values


def read_mspdi_text(text: str) -> Schedule:
    head = text[:4096].upper()
    if "<!DOCTYPE" in head or "<!ENTITY" in text.upper():
        raise ScheduleFileError("The XML file declares a DTD or entities, which are refused")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ScheduleFileError("The XML is not well formed", row=exc.position[0]) from exc
    if root.tag not in (NS + "Project", "Project"):
        raise ScheduleFileError("The file is not an MS Project XML file", table=root.tag)
    project = _El(root, "Project", 1)
    minutes_per_day = project.integer("MinutesPerDay") or 480
    data_date = (
        project.date("StatusDate") or project.date("CurrentDate") or project.date("StartDate")
    )
    if data_date is None:
        raise project.error("The project has no status or start date", "StatusDate")
    deadline = project.date("FinishDate") if project.text("ScheduleFromStart") == "0" else None

    calendars: dict[str, CalendarSpec] = {}
    cal_root = project.find("Calendars")
    for n, item in enumerate(list(cal_root) if cal_root is not None else [], start=1):
        spec = _calendar(_El(item, "Calendar", n), minutes_per_day / 60)
        if spec.id in calendars:
            raise ScheduleFileError("Duplicate calendar id", table="Calendar", row=n, value=spec.id)
        calendars[spec.id] = spec
    default_cal = project.text("CalendarUID") or None
    if default_cal is not None and default_cal not in calendars:
        raise project.error("The project names an unknown calendar", "CalendarUID", default_cal)
    if default_cal is not None:
        calendars[default_cal].is_default = True

    activities: list[Activity] = []
    wbs: list[WbsNode] = []
    links: list[tuple[_El, str, ET.Element]] = []
    summary_stack: list[tuple[int, str]] = []
    seen: set[str] = set()
    task_root = project.find("Tasks")
    for n, item in enumerate(list(task_root) if task_root is not None else [], start=1):
        task = _El(item, "Task", n)
        uid = task.text("UID")
        if not uid:
            raise task.error("A required value is missing", "UID")
        if uid in seen:
            raise task.error("Duplicate activity id", "UID", uid)
        seen.add(uid)
        if uid == "0" or task.text("IsNull") == "1":
            continue
        level = task.integer("OutlineLevel") or 1
        while summary_stack and summary_stack[-1][0] >= level:
            summary_stack.pop()
        parent = summary_stack[-1][1] if summary_stack else None
        if task.text("Summary") == "1":
            wbs.append(WbsNode(uid, task.text("WBS"), task.text("Name"), parent))
            summary_stack.append((level, uid))
            continue
        extended = _extended(task)
        kind_text = extended.get(TEXT1_FIELD_ID, "")
        if kind_text in ActivityType.__members__.values():
            kind = ActivityType(kind_text)
        elif task.text("Milestone") == "1":
            kind = ActivityType.FINISH_MILESTONE
        else:
            kind = ActivityType.TASK
        cal_text = task.text("CalendarUID")
        cal = default_cal if cal_text in ("", "-1") else cal_text
        if cal is None or cal not in calendars:
            raise task.error("The activity names an unknown calendar", "CalendarUID", cal)
        constraint = None
        code = task.integer("ConstraintType") or 0
        if code:
            if code not in CONSTRAINT_TYPES:
                raise task.error("Unknown constraint type", "ConstraintType", str(code))
            ctype = CONSTRAINT_TYPES[code]
            exact = extended.get(TEXT2_FIELD_ID, "")
            if exact in ConstraintType.__members__.values():
                ctype = ConstraintType(exact)
            when = task.date("ConstraintDate")
            constraint = Constraint(
                ctype, None if ctype is ConstraintType.AS_LATE_AS_POSSIBLE else when
            )
        deadline_task = task.date("Deadline")
        secondary = (
            Constraint(ConstraintType.FINISH_ON_OR_BEFORE, deadline_task) if deadline_task else None
        )
        original = task.duration("Duration", minutes_per_day) or 0
        remaining = task.duration("RemainingDuration", minutes_per_day)
        slack = task.integer("TotalSlack")
        free = task.integer("FreeSlack")
        reference = ReferenceResults(
            early_start=task.date("EarlyStart"),
            early_finish=task.date("EarlyFinish"),
            late_start=task.date("LateStart"),
            late_finish=task.date("LateFinish"),
            total_float_hours=None if slack is None else slack / 600,
            free_float_hours=None if free is None else free / 600,
            driving_path=None,
        )
        activities.append(
            Activity(
                id=uid,
                code=task.text("ID") or uid,
                name=task.text("Name"),
                type=kind,
                calendar_id=cal,
                original_duration=original,
                remaining_duration=remaining,
                actual_start=task.date("ActualStart"),
                actual_finish=task.date("ActualFinish"),
                constraint=constraint,
                secondary_constraint=secondary,
                wbs_id=parent,
                reference=None if reference == ReferenceResults() else reference,
            )
        )
        for link in task.findall("PredecessorLink"):
            links.append((task, uid, link))

    relations: list[Relation] = []
    for task, uid, link in links:
        el = _El(link, "PredecessorLink", task.row)
        pred = el.text("PredecessorUID")
        if pred not in seen:
            raise el.error("The relation names an unknown activity", "PredecessorUID", pred)
        type_code = el.integer("Type")
        relation_type = RELATION_TYPES.get(1 if type_code is None else type_code)
        if relation_type is None:
            raise el.error("Unknown relation type", "Type", str(type_code))
        lag_tenths = el.integer("LinkLag") or 0
        relations.append(Relation(pred, uid, relation_type, round(lag_tenths / 10)))

    return Schedule(
        id=project.text("UID") or "1",
        name=project.text("Name") or project.text("Title"),
        data_date=data_date,
        start=project.date("StartDate"),
        deadline=deadline,
        default_calendar_id=default_cal,
        calendars=calendars,
        activities=activities,
        relations=relations,
        wbs=wbs,
        options=ScheduleOptions(),
    )


def read_mspdi(
    source: str | os.PathLike[str] | bytes,
    *,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Schedule:
    """Read an MSPDI file (a path, or the file's bytes)."""
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise ScheduleFileError("The file cannot be opened", value=path.name) from exc
        if size > max_bytes:
            raise ScheduleFileError("The file is larger than the size limit", value=str(size))
        data = path.read_bytes()
    if len(data) > max_bytes:
        raise ScheduleFileError("The file is larger than the size limit", value=str(len(data)))
    text = decode_text(data, encoding)
    if text.startswith("<?xml"):
        text = text[text.index("?>") + 2 :]  # the declared encoding no longer applies
    return read_mspdi_text(text)
