"""Read a Primavera P6 XER file into a `Schedule`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .clndr_data import ClndrDataError, parse_clndr_data
from .encoding import decode_text
from .errors import ScheduleFileError
from .model import (
    Activity,
    CalendarSpec,
    Constraint,
    LagCalendar,
    ProgressMode,
    ReferenceResults,
    Relation,
    Schedule,
    ScheduleOptions,
    WbsNode,
)
from .xer_codes import (
    ACTIVITY_TYPES,
    CONSTRAINT_TYPES,
    CRITICAL_TYPES,
    FLOAT_TYPES,
    LAG_CALENDARS,
    RELATION_TYPES,
)

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
_STANDARD_DAY = ((480, 720), (780, 1020))


@dataclass
class XerTable:
    name: str
    fields: list[str] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)


def parse_tables(text: str) -> dict[str, XerTable]:
    """Split XER text into tables of rows keyed by field name."""
    tables: dict[str, XerTable] = {}
    current: XerTable | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw:
            continue
        parts = raw.split("\t")
        tag = parts[0]
        if tag == "%T":
            name = parts[1].strip() if len(parts) > 1 else ""
            current = XerTable(name)
            tables[name] = current
        elif tag == "%F":
            if current is None:
                raise ScheduleFileError("Field list outside a table", row=number)
            current.fields = [f.strip() for f in parts[1:]]
        elif tag == "%R":
            if current is None or not current.fields:
                raise ScheduleFileError("Row outside a table", row=number)
            values = parts[1:]
            if len(values) > len(current.fields):
                raise ScheduleFileError(
                    "Row has more values than fields", table=current.name, row=len(current.rows) + 1
                )
            current.rows.append(dict(zip(current.fields, values, strict=False)))
        elif tag in ("%E", "ERMHDR"):
            continue
    return tables


class _Rows:
    """Typed access to one table's rows, with errors naming table and row."""

    def __init__(self, tables: dict[str, XerTable], name: str, *, required: bool = True) -> None:
        table = tables.get(name)
        if table is None:
            if required:
                raise ScheduleFileError("The file has no required table", table=name)
            table = XerTable(name)
        self.table = table

    def __iter__(self) -> Iterator[_Row]:
        for index, row in enumerate(self.table.rows, start=1):
            yield _Row(self.table.name, index, row)


class _Row:
    __slots__ = ("row_number", "table", "values")

    def __init__(self, table: str, number: int, values: dict[str, str]) -> None:
        self.table = table
        self.row_number = number
        self.values = values

    def error(
        self, message: str, name: str | None = None, reason: str | None = None
    ) -> ScheduleFileError:
        value = self.values.get(name) if name else None
        return ScheduleFileError(
            message, table=self.table, row=self.row_number, field=name, value=value, reason=reason
        )

    def text(self, name: str, default: str = "") -> str:
        return self.values.get(name, default).strip()

    def required(self, name: str) -> str:
        value = self.text(name)
        if not value:
            raise self.error("A required value is missing", name)
        return value

    def date(self, name: str) -> datetime | None:
        value = self.text(name)
        if not value:
            return None
        try:
            return datetime.fromisoformat(value).replace(second=0, microsecond=0)
        except ValueError as exc:
            raise self.error("A date is not valid", name) from exc

    def number(self, name: str) -> float | None:
        value = self.text(name)
        if not value:
            return None
        try:
            return float(value)
        except ValueError as exc:
            raise self.error("A number is not valid", name) from exc

    def minutes(self, name: str) -> int | None:
        hours = self.number(name)
        return None if hours is None else round(hours * 60)

    def flag(self, name: str) -> bool | None:
        value = self.text(name)
        return None if not value else value == "Y"


def _calendar(row: _Row) -> CalendarSpec:
    cal_id = row.required("clndr_id")
    try:
        week, exceptions = parse_clndr_data(row.text("clndr_data"))
    except ClndrDataError as exc:
        raise row.error("Calendar data is not valid", "clndr_data", str(exc)) from exc
    if week is None:
        week = (_STANDARD_DAY,) * 5 + ((), ())
    return CalendarSpec(
        id=cal_id,
        name=row.text("clndr_name"),
        week=week,
        exceptions=exceptions,
        hours_per_day=row.number("day_hr_cnt") or 8.0,
        is_default=row.flag("default_flag") or False,
    )


def _constraint(row: _Row, type_field: str, date_field: str) -> Constraint | None:
    code = row.text(type_field)
    if not code:
        return None
    kind = CONSTRAINT_TYPES.get(code)
    if kind is None:
        raise row.error("Unknown constraint type", type_field)
    return Constraint(kind, row.date(date_field))


def _options(tables: dict[str, XerTable], project_id: str) -> ScheduleOptions:
    options = ScheduleOptions()
    for row in _Rows(tables, "SCHEDOPTIONS", required=False):
        if row.text("proj_id") != project_id:
            continue
        if row.flag("sched_progress_override") or row.flag("sched_retained_logic") is False:
            options.progress = ProgressMode.PROGRESS_OVERRIDE
        options.lag_calendar = LAG_CALENDARS.get(
            row.text("sched_calendar_on_relationship_lag"), LagCalendar.PREDECESSOR
        )
        options.ss_lag_from_early_start = row.flag("sched_lag_early_start_flag") is not False
        options.use_expected_finish = row.flag("sched_use_expect_end_flag") is True
        options.float_type = FLOAT_TYPES.get(row.text("sched_float_type"), options.float_type)
    return options


def _choose_project(tables: dict[str, XerTable], project_id: str | None) -> _Row:
    projects = list(_Rows(tables, "PROJECT"))
    if project_id is not None:
        for row in projects:
            if row.text("proj_id") == project_id:
                return row
        raise ScheduleFileError("The project is not in the file", table="PROJECT", value=project_id)
    if not projects:
        raise ScheduleFileError("The file has no project", table="PROJECT")
    counts: dict[str, int] = {}
    for row in _Rows(tables, "TASK"):
        counts[row.text("proj_id")] = counts.get(row.text("proj_id"), 0) + 1
    return max(projects, key=lambda r: counts.get(r.text("proj_id"), 0))


def _reference(row: _Row) -> ReferenceResults | None:
    ref = ReferenceResults(
        early_start=row.date("early_start_date"),
        early_finish=row.date("early_end_date"),
        late_start=row.date("late_start_date"),
        late_finish=row.date("late_end_date"),
        total_float_hours=row.number("total_float_hr_cnt"),
        free_float_hours=row.number("free_float_hr_cnt"),
        driving_path=row.flag("driving_path_flag"),
        remaining_early_start=row.date("restart_date"),
        remaining_early_finish=row.date("reend_date"),
        remaining_late_start=row.date("rem_late_start_date"),
        remaining_late_finish=row.date("rem_late_end_date"),
    )
    return None if ref == ReferenceResults() else ref


def read_xer_text(text: str, *, project_id: str | None = None) -> Schedule:
    tables = parse_tables(text)
    project = _choose_project(tables, project_id)
    proj_id = project.required("proj_id")
    data_date = project.date("last_recalc_date") or project.date("plan_start_date")
    if data_date is None:
        raise project.error("The project has no data date", "last_recalc_date")

    calendars: dict[str, CalendarSpec] = {}
    for row in _Rows(tables, "CALENDAR"):
        spec = _calendar(row)
        if spec.id in calendars:
            raise row.error("Duplicate calendar id", "clndr_id")
        calendars[spec.id] = spec

    default_cal = project.text("clndr_id") or next(
        (c.id for c in calendars.values() if c.is_default), None
    )
    if default_cal is not None and default_cal not in calendars:
        raise project.error("The project names an unknown calendar", "clndr_id")

    wbs: list[WbsNode] = []
    for row in _Rows(tables, "PROJWBS", required=False):
        if row.text("proj_id") != proj_id:
            continue
        wbs.append(
            WbsNode(
                id=row.required("wbs_id"),
                code=row.text("wbs_short_name"),
                name=row.text("wbs_name"),
                parent_id=row.text("parent_wbs_id") or None,
            )
        )

    activities: list[Activity] = []
    seen: set[str] = set()
    for row in _Rows(tables, "TASK"):
        if row.text("proj_id") != proj_id:
            continue
        task_id = row.required("task_id")
        if task_id in seen:
            raise row.error("Duplicate activity id", "task_id")
        seen.add(task_id)
        kind = ACTIVITY_TYPES.get(row.text("task_type") or "TT_Task")
        if kind is None:
            raise row.error("Unknown activity type", "task_type")
        cal = row.text("clndr_id") or default_cal
        if cal is None or cal not in calendars:
            raise row.error("The activity names an unknown calendar", "clndr_id")
        original = row.minutes("target_drtn_hr_cnt") or 0
        remaining = row.minutes("remain_drtn_hr_cnt")
        if original < 0 or (remaining is not None and remaining < 0):
            raise row.error("A duration is negative", "target_drtn_hr_cnt")
        activities.append(
            Activity(
                id=task_id,
                code=row.text("task_code") or task_id,
                name=row.text("task_name"),
                type=kind,
                calendar_id=cal,
                original_duration=original,
                remaining_duration=remaining,
                actual_start=row.date("act_start_date"),
                actual_finish=row.date("act_end_date"),
                constraint=_constraint(row, "cstr_type", "cstr_date"),
                secondary_constraint=_constraint(row, "cstr_type2", "cstr_date2"),
                wbs_id=row.text("wbs_id") or None,
                reference=_reference(row),
                external_early_start=row.date("external_early_start_date"),
                external_late_finish=row.date("external_late_end_date"),
                expected_finish=row.date("expect_end_date"),
            )
        )

    relations: list[Relation] = []
    for row in _Rows(tables, "TASKPRED", required=False):
        succ, pred = row.required("task_id"), row.required("pred_task_id")
        in_project = row.text("proj_id", proj_id) == proj_id
        pred_in_project = row.text("pred_proj_id", proj_id) == proj_id
        if not in_project and not pred_in_project:
            continue
        if not (in_project and pred_in_project):
            continue  # a relation to another project: outside this schedule
        if succ not in seen:
            raise row.error("The relation names an unknown activity", "task_id")
        if pred not in seen:
            raise row.error("The relation names an unknown activity", "pred_task_id")
        kind_code = row.text("pred_type") or "PR_FS"
        relation_type = RELATION_TYPES.get(kind_code)
        if relation_type is None:
            raise row.error("Unknown relation type", "pred_type")
        relations.append(Relation(pred, succ, relation_type, row.minutes("lag_hr_cnt") or 0))

    options = _options(tables, proj_id)
    critical = CRITICAL_TYPES.get(project.text("critical_path_type"))
    if critical is not None:
        options.critical = critical
    options.critical_float_hours = project.number("critical_drtn_hr_cnt") or 0.0

    return Schedule(
        id=proj_id,
        name=project.text("proj_short_name"),
        data_date=data_date,
        start=project.date("plan_start_date"),
        deadline=project.date("plan_end_date"),
        default_calendar_id=default_cal,
        calendars=calendars,
        activities=activities,
        relations=relations,
        wbs=wbs,
        options=options,
    )


def read_xer(
    source: str | os.PathLike[str] | bytes,
    *,
    encoding: str | None = None,
    project_id: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Schedule:
    """Read an XER file (a path, or the file's bytes)."""
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise ScheduleFileError("The file cannot be opened", value=str(path.name)) from exc
        if size > max_bytes:
            raise ScheduleFileError("The file is larger than the size limit", value=str(size))
        data = path.read_bytes()
    if len(data) > max_bytes:
        raise ScheduleFileError("The file is larger than the size limit", value=str(len(data)))
    text = decode_text(data, encoding)
    if not text.startswith("ERMHDR") and "%T\t" not in text[:10000]:
        raise ScheduleFileError("The file is not an XER file")
    return read_xer_text(text, project_id=project_id)
