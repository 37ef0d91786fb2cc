"""Write a `Schedule` as a P6 XER file that `read_xer` reads back unchanged."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from .clndr_data import format_clndr_data
from .model import Constraint, ProgressMode, Schedule
from .xer_codes import (
    ACTIVITY_TYPES,
    CONSTRAINT_TYPES,
    CRITICAL_TYPES,
    FLOAT_TYPES,
    LAG_CALENDARS,
    RELATION_TYPES,
    reverse,
)

_ACTIVITY_CODES = reverse(ACTIVITY_TYPES)
_CONSTRAINT_CODES = reverse(CONSTRAINT_TYPES)
_RELATION_CODES = reverse(RELATION_TYPES)
_LAG_CODES = reverse(LAG_CALENDARS)
_FLOAT_CODES = reverse(FLOAT_TYPES)
_CRITICAL_CODES = reverse(CRITICAL_TYPES)


def _date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def _hours(minutes: int | None) -> str:
    if minutes is None:
        return ""
    return f"{minutes / 60:.4f}".rstrip("0").rstrip(".")


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _flag(value: bool | None) -> str:
    return "" if value is None else ("Y" if value else "N")


def _clean(text: str) -> str:
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def _constraint(value: Constraint | None) -> tuple[str, str]:
    if value is None:
        return "", ""
    return _CONSTRAINT_CODES[value.type], _date(value.date)


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def table(self, name: str, fields: list[str], rows: list[list[str]]) -> None:
        self.lines.append(f"%T\t{name}")
        self.lines.append("%F\t" + "\t".join(fields))
        for row in rows:
            self.lines.append("%R\t" + "\t".join(_clean(v) for v in row))


def write_xer_text(schedule: Schedule) -> str:
    out = _Writer()
    today = datetime.now().strftime("%Y-%m-%d")
    out.lines.append(
        f"ERMHDR\t8.0\t{today}\tProject\tadmin\tadmin\tkeyprojects\tProject Management\tUSD"
    )
    proj = schedule.id
    opts = schedule.options
    out.table(
        "PROJECT",
        [
            "proj_id",
            "proj_short_name",
            "clndr_id",
            "last_recalc_date",
            "plan_start_date",
            "plan_end_date",
            "critical_path_type",
            "critical_drtn_hr_cnt",
        ],
        [
            [
                proj,
                schedule.name,
                schedule.default_calendar_id or "",
                _date(schedule.data_date),
                _date(schedule.start),
                _date(schedule.deadline),
                _CRITICAL_CODES[opts.critical],
                _number(opts.critical_float_hours),
            ]
        ],
    )
    out.table(
        "CALENDAR",
        [
            "clndr_id",
            "default_flag",
            "clndr_name",
            "proj_id",
            "clndr_type",
            "day_hr_cnt",
            "clndr_data",
        ],
        [
            [
                cal.id,
                _flag(cal.is_default),
                cal.name,
                proj,
                "CA_Project",
                _number(cal.hours_per_day),
                format_clndr_data(cal.week, cal.exceptions),
            ]
            for cal in schedule.calendars.values()
        ],
    )
    override = opts.progress is ProgressMode.PROGRESS_OVERRIDE
    out.table(
        "SCHEDOPTIONS",
        [
            "schedoptions_id",
            "proj_id",
            "sched_lag_early_start_flag",
            "sched_retained_logic",
            "sched_float_type",
            "sched_calendar_on_relationship_lag",
            "sched_progress_override",
            "sched_use_expect_end_flag",
        ],
        [
            [
                "1",
                proj,
                _flag(opts.ss_lag_from_early_start),
                _flag(not override),
                _FLOAT_CODES[opts.float_type],
                _LAG_CODES[opts.lag_calendar],
                _flag(override),
                _flag(opts.use_expected_finish),
            ]
        ],
    )
    out.table(
        "PROJWBS",
        ["wbs_id", "proj_id", "parent_wbs_id", "wbs_short_name", "wbs_name"],
        [[w.id, proj, w.parent_id or "", w.code, w.name] for w in schedule.wbs],
    )
    task_fields = [
        "task_id", "proj_id", "wbs_id", "clndr_id", "task_type", "status_code", "task_code",
        "task_name", "target_drtn_hr_cnt", "remain_drtn_hr_cnt", "act_start_date",
        "act_end_date", "cstr_type", "cstr_date", "cstr_type2", "cstr_date2",
        "early_start_date", "early_end_date", "late_start_date", "late_end_date",
        "total_float_hr_cnt", "free_float_hr_cnt", "driving_path_flag", "restart_date",
        "reend_date", "rem_late_start_date", "rem_late_end_date", "external_early_start_date",
        "external_late_end_date", "expect_end_date",
    ]  # fmt: skip
    rows = []
    for act in schedule.activities:
        ref = act.reference
        status = (
            "TK_Complete" if act.is_complete else "TK_Active" if act.actual_start else "TK_NotStart"
        )
        c1, d1 = _constraint(act.constraint)
        c2, d2 = _constraint(act.secondary_constraint)
        rows.append(
            [
                act.id,
                proj,
                act.wbs_id or "",
                act.calendar_id or "",
                _ACTIVITY_CODES[act.type],
                status,
                act.code,
                act.name,
                _hours(act.original_duration),
                _hours(act.remaining_duration),
                _date(act.actual_start),
                _date(act.actual_finish),
                c1,
                d1,
                c2,
                d2,
                _date(ref.early_start if ref else None),
                _date(ref.early_finish if ref else None),
                _date(ref.late_start if ref else None),
                _date(ref.late_finish if ref else None),
                _number(ref.total_float_hours if ref else None),
                _number(ref.free_float_hours if ref else None),
                _flag(ref.driving_path if ref else None),
                _date(ref.remaining_early_start if ref else None),
                _date(ref.remaining_early_finish if ref else None),
                _date(ref.remaining_late_start if ref else None),
                _date(ref.remaining_late_finish if ref else None),
                _date(act.external_early_start),
                _date(act.external_late_finish),
                _date(act.expected_finish),
            ]
        )
    out.table("TASK", task_fields, rows)
    out.table(
        "TASKPRED",
        [
            "task_pred_id",
            "task_id",
            "pred_task_id",
            "proj_id",
            "pred_proj_id",
            "pred_type",
            "lag_hr_cnt",
        ],
        [
            [
                str(n),
                r.successor_id,
                r.predecessor_id,
                proj,
                proj,
                _RELATION_CODES[r.type],
                _hours(r.lag),
            ]
            for n, r in enumerate(schedule.relations, start=1)
        ],
    )
    out.lines.append("%E")
    return "\r\n".join(out.lines) + "\r\n"


def write_xer(
    schedule: Schedule, target: str | os.PathLike[str], *, encoding: str = "utf-8"
) -> None:
    """Write an XER file; P6 itself expects cp1252 (or GBK for Chinese installations)."""
    Path(target).write_bytes(write_xer_text(schedule).encode(encoding, errors="strict"))
