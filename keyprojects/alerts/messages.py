"""An alert in words, made when it is read: the figures are kept, the sentence is the reader's
language's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import AlertKind

WAN = Decimal(10000)


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _days_since(value: Any, today: dt.date) -> int:
    day = _date(value)
    return (today - day).days if day else 0


def _wan(value: Any) -> str:
    try:
        return f"{Decimal(str(value)) / WAN:,.2f}"
    except InvalidOperation:
        return str(value)


def _number(value: Any) -> str:
    try:
        return f"{Decimal(str(value)).normalize():f}"
    except InvalidOperation:
        return str(value)


def _pace(p: Mapping[str, Any], label: str, today: dt.date) -> str:
    return _(
        "%(period)s: %(actual)s%% of the annual plan done against %(expected)s%% expected, "
        "%(gap)s points behind."
    ) % {
        "period": f"{p.get('year')}-{int(p.get('month', 0)):02d}",
        "actual": _number(p.get("actual")),
        "expected": _number(p.get("expected")),
        "gap": _number(-Decimal(str(p.get("gap", 0)))),
    }


def _start(p: Mapping[str, Any], label: str, today: dt.date) -> str:
    days = _days_since(p.get("planned_start"), today)
    return ngettext(
        "Planned to start on %(date)s; not started (开工) %(days)d day later.",
        "Planned to start on %(date)s; not started (开工) %(days)d days later.",
        days,
    ) % {"date": p.get("planned_start"), "days": days}


def _milestone(p: Mapping[str, Any], label: str, today: dt.date) -> str:
    return _(
        "Milestone %(name)s is %(slip)s working days later than in the baseline “%(baseline)s” "
        "(%(then)s → %(now)s)."
    ) % {
        "name": label,
        "slip": _number(p.get("slip_days")),
        "baseline": p.get("baseline", ""),
        "then": p.get("baseline_date", ""),
        "now": p.get("current_date", ""),
    }


def _float(p: Mapping[str, Any], label: str, today: dt.date) -> str:
    count = int(p.get("activities", 0))
    text = ngettext(
        "%(count)d unfinished activity has negative float: the worst is %(days)s working days "
        "later than the deadline allows.",
        "%(count)d unfinished activities have negative float: the worst is %(days)s working "
        "days later than the deadline allows.",
        count,
    ) % {"count": count, "days": _number(p.get("late_days"))}
    if p.get("deadline"):
        text += " " + _("Deadline %(deadline)s, finish forecast %(finish)s.") % {
            "deadline": p.get("deadline"),
            "finish": p.get("finish") or "—",
        }
    return text


def _report(p: Mapping[str, Any], label: str, today: dt.date) -> str:
    days = _days_since(p.get("due"), today)
    return ngettext(
        "The monthly report for %(period)s was due on %(due)s and is %(days)d day late.",
        "The monthly report for %(period)s was due on %(due)s and is %(days)d days late.",
        days,
    ) % {
        "period": f"{p.get('year')}-{int(p.get('month', 0)):02d}",
        "due": p.get("due"),
        "days": days,
    }


def _overdue(what: str) -> Callable[[Mapping[str, Any], str, dt.date], str]:
    def text(p: Mapping[str, Any], label: str, today: dt.date) -> str:
        days = _days_since(p.get("deadline"), today)
        values = {"label": label, "deadline": p.get("deadline"), "days": days}
        if what == "task":
            return (
                ngettext(
                    "Task “%(label)s” was due on %(deadline)s: %(days)d day overdue.",
                    "Task “%(label)s” was due on %(deadline)s: %(days)d days overdue.",
                    days,
                )
                % values
            )
        if what == "problem":
            return (
                ngettext(
                    "Problem “%(label)s” was to be solved by %(deadline)s: %(days)d day overdue.",
                    "Problem “%(label)s” was to be solved by %(deadline)s: %(days)d days overdue.",
                    days,
                )
                % values
            )
        text = (
            ngettext(
                "Hazard “%(label)s” was to be rectified by %(deadline)s: %(days)d day overdue.",
                "Hazard “%(label)s” was to be rectified by %(deadline)s: %(days)d days overdue.",
                days,
            )
            % values
        )
        if p.get("major"):
            text += " " + _("A major hazard (重大隐患).")
        return text

    return text


def _money(p: Mapping[str, Any], label: str, today: dt.date) -> str:
    values = {
        "amount": _wan(p.get("amount")),
        "estimate": _wan(p.get("estimate")),
        "percent": _number(p.get("percent")) if p.get("percent") is not None else "—",
    }
    if p.get("what") == "payments":
        return (
            _(
                "Payments total %(amount)s 万元 against an approved estimate (概算) of "
                "%(estimate)s 万元: %(percent)s%% over."
            )
            % values
        )
    return (
        _(
            "Contracts with their variations total %(amount)s 万元 against an approved estimate "
            "(概算) of %(estimate)s 万元: %(percent)s%% over."
        )
        % values
    )


TEXTS: dict[str, Callable[[Mapping[str, Any], str, dt.date], str]] = {
    AlertKind.PACE_LAG: _pace,
    AlertKind.START_OVERDUE: _start,
    AlertKind.MILESTONE_SLIP: _milestone,
    AlertKind.NEGATIVE_FLOAT: _float,
    AlertKind.REPORT_LATE: _report,
    AlertKind.TASK_OVERDUE: _overdue("task"),
    AlertKind.PROBLEM_OVERDUE: _overdue("problem"),
    AlertKind.HAZARD_OVERDUE: _overdue("hazard"),
    AlertKind.OVER_ESTIMATE: _money,
}


def describe(kind: str, params: Mapping[str, Any], label: str, today: dt.date) -> str:
    text = TEXTS.get(kind)
    if text is None:
        return label
    try:
        return text(params or {}, label, today)
    except (KeyError, TypeError, ValueError, InvalidOperation):
        # Figures kept by an older version of a rule: say what is known rather than fail.
        return label or str(kind)
