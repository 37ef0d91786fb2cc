"""Write a `Schedule` as Microsoft Project XML (MSPDI)."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from .errors import ScheduleFileError
from .model import Activity, ActivityType, ConstraintType, DayHours, Schedule, WbsNode
from .mspdi_codes import (
    CONSTRAINT_CODES,
    CONSTRAINT_TYPES,
    NAMESPACE,
    RELATION_CODES,
    TEXT1_ALIAS,
    TEXT1_FIELD_ID,
    TEXT2_ALIAS,
    TEXT2_FIELD_ID,
    format_duration,
)


def _date(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:00")


def _sub(parent: ET.Element, tag: str, text: str | int | None = None) -> ET.Element:
    child = ET.SubElement(parent, tag)
    if text is not None:
        child.text = str(text)
    return child


def _time(minutes: int) -> str:
    if minutes >= 24 * 60:
        minutes = 0
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def _working_times(parent: ET.Element, hours: DayHours) -> None:
    _sub(parent, "DayWorking", 1 if hours else 0)
    if hours:
        times = _sub(parent, "WorkingTimes")
        for start, finish in hours:
            item = _sub(times, "WorkingTime")
            _sub(item, "FromTime", _time(start))
            _sub(item, "ToTime", _time(finish))


def _calendars(root: ET.Element, schedule: Schedule) -> None:
    calendars = _sub(root, "Calendars")
    for spec in schedule.calendars.values():
        cal = _sub(calendars, "Calendar")
        _sub(cal, "UID", spec.id)
        _sub(cal, "Name", spec.name)
        _sub(cal, "IsBaseCalendar", 1)
        days = _sub(cal, "WeekDays")
        for day_type in range(1, 8):
            day = _sub(days, "WeekDay")
            _sub(day, "DayType", day_type)
            _working_times(day, spec.week[(day_type + 5) % 7])
        exceptions = _sub(cal, "Exceptions")
        for when, hours in sorted(spec.exceptions.items()):
            exc = _sub(exceptions, "Exception")
            _sub(exc, "EnteredByOccurrences", 0)
            period = _sub(exc, "TimePeriod")
            _sub(period, "FromDate", f"{when.isoformat()}T00:00:00")
            _sub(period, "ToDate", f"{when.isoformat()}T23:59:00")
            _sub(exc, "Occurrences", 1)
            _sub(exc, "Type", 1)
            _working_times(exc, hours)


def _uid_map(items: Iterable[str], start: int) -> dict[str, str]:
    ids = list(items)
    if all(i.isdigit() and int(i) > 0 for i in ids) and len(set(ids)) == len(ids):
        return {i: i for i in ids}
    return {i: str(start + n) for n, i in enumerate(ids)}


def write_mspdi_text(schedule: Schedule) -> str:
    root = ET.Element("Project", {"xmlns": NAMESPACE})
    _sub(root, "SaveVersion", 14)
    _sub(root, "Name", schedule.name)
    _sub(root, "ScheduleFromStart", 0 if schedule.deadline else 1)
    _sub(root, "StartDate", _date(schedule.start or schedule.data_date))
    if schedule.deadline:
        _sub(root, "FinishDate", _date(schedule.deadline))
    _sub(root, "CalendarUID", schedule.default_calendar_id or "")
    default = schedule.calendars.get(schedule.default_calendar_id or "")
    _sub(root, "MinutesPerDay", round((default.hours_per_day if default else 8) * 60))
    _sub(root, "StatusDate", _date(schedule.data_date))
    attrs = _sub(root, "ExtendedAttributes")
    for field_id, alias, name in (
        (TEXT1_FIELD_ID, TEXT1_ALIAS, "Text1"),
        (TEXT2_FIELD_ID, TEXT2_ALIAS, "Text2"),
    ):
        attr = _sub(attrs, "ExtendedAttribute")
        _sub(attr, "FieldID", field_id)
        _sub(attr, "FieldName", name)
        _sub(attr, "Alias", alias)
    _calendars(root, schedule)

    task_uids = _uid_map([a.id for a in schedule.activities], 1)
    first_free = max((int(u) for u in task_uids.values()), default=0) + 1
    wbs_uids = _uid_map([w.id for w in schedule.wbs], first_free)
    if set(wbs_uids.values()) & set(task_uids.values()):
        wbs_uids = {w.id: str(first_free + n) for n, w in enumerate(schedule.wbs)}
    preds: dict[str, list[tuple[str, int, int]]] = {}
    for rel in schedule.relations:
        preds.setdefault(rel.successor_id, []).append(
            (task_uids[rel.predecessor_id], RELATION_CODES[rel.type], rel.lag * 10)
        )
    tasks = _sub(root, "Tasks")
    children: dict[str | None, list[WbsNode]] = {}
    known_wbs = {w.id for w in schedule.wbs}
    for node in schedule.wbs:
        parent = node.parent_id if node.parent_id in known_wbs else None
        children.setdefault(parent, []).append(node)
    by_wbs: dict[str | None, list[Activity]] = {}
    for act in schedule.activities:
        key = act.wbs_id if act.wbs_id in known_wbs else None
        by_wbs.setdefault(key, []).append(act)

    def emit_task(act: Activity, level: int) -> None:
        task = _sub(tasks, "Task")
        _sub(task, "UID", task_uids[act.id])
        _sub(task, "ID", act.code)
        _sub(task, "Name", act.name)
        _sub(task, "OutlineLevel", level)
        _sub(task, "Milestone", 1 if act.type.is_milestone else 0)
        _sub(task, "Summary", 0)
        _sub(task, "Duration", format_duration(act.original_duration))
        if act.remaining_duration is not None:
            _sub(task, "RemainingDuration", format_duration(act.remaining_duration))
        if act.actual_start:
            _sub(task, "ActualStart", _date(act.actual_start))
        if act.actual_finish:
            _sub(task, "ActualFinish", _date(act.actual_finish))
        constraint = act.constraint
        if constraint is not None:
            _sub(task, "ConstraintType", CONSTRAINT_CODES[constraint.type])
            if constraint.date is not None:
                _sub(task, "ConstraintDate", _date(constraint.date))
        else:
            _sub(task, "ConstraintType", 0)
        second = act.secondary_constraint
        if second is not None and second.type is ConstraintType.FINISH_ON_OR_BEFORE and second.date:
            _sub(task, "Deadline", _date(second.date))
        _sub(task, "CalendarUID", act.calendar_id or -1)
        ref = act.reference
        if ref is not None:
            for tag, value in (
                ("EarlyStart", ref.early_start),
                ("EarlyFinish", ref.early_finish),
                ("LateStart", ref.late_start),
                ("LateFinish", ref.late_finish),
            ):
                if value is not None:
                    _sub(task, tag, _date(value))
            if ref.total_float_hours is not None:
                _sub(task, "TotalSlack", round(ref.total_float_hours * 600))
            if ref.free_float_hours is not None:
                _sub(task, "FreeSlack", round(ref.free_float_hours * 600))
        for pred_uid, type_code, lag_tenths in preds.get(act.id, []):
            link = _sub(task, "PredecessorLink")
            _sub(link, "PredecessorUID", pred_uid)
            _sub(link, "Type", type_code)
            _sub(link, "LinkLag", lag_tenths)
            _sub(link, "LagFormat", 5)  # hours
        if act.type not in (ActivityType.TASK, ActivityType.FINISH_MILESTONE):
            ext = _sub(task, "ExtendedAttribute")
            _sub(ext, "FieldID", TEXT1_FIELD_ID)
            _sub(ext, "Value", act.type.value)
        if (
            constraint is not None
            and CONSTRAINT_TYPES.get(CONSTRAINT_CODES[constraint.type]) is not constraint.type
        ):
            ext = _sub(task, "ExtendedAttribute")
            _sub(ext, "FieldID", TEXT2_FIELD_ID)
            _sub(ext, "Value", constraint.type.value)

    def emit_wbs(node: WbsNode, level: int) -> None:
        task = _sub(tasks, "Task")
        _sub(task, "UID", wbs_uids[node.id])
        _sub(task, "ID", node.id)
        _sub(task, "Name", node.name)
        _sub(task, "WBS", node.code)
        _sub(task, "OutlineLevel", level)
        _sub(task, "Summary", 1)
        for act in by_wbs.get(node.id, []):
            emit_task(act, level + 1)
        for child in children.get(node.id, []):
            emit_wbs(child, level + 1)

    for node in children.get(None, []):
        emit_wbs(node, 1)
    for act in by_wbs.get(None, []):
        emit_task(act, 1)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(
        root, encoding="unicode"
    )


def write_mspdi(schedule: Schedule, target: str | os.PathLike[str]) -> None:
    try:
        Path(target).write_text(write_mspdi_text(schedule), encoding="utf-8")
    except OSError as exc:
        raise ScheduleFileError("The file cannot be written", value=str(target)) from exc
