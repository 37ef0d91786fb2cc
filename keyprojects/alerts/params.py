"""The settings of each kind of rule: what they are, their defaults, and the check that refuses
a set of settings the rule could not compute with.

Pure Python apart from reading the deployment's light thresholds for the defaults.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import RECORD_KINDS, AlertKind, Owner, Severity


@dataclass(frozen=True)
class Param:
    name: str
    label: str | Promise
    help: str | Promise
    whole: bool = True  # a whole number, else any number
    maximum: float = 3650


POINTS_MAX = 1000.0
PERCENT_MAX = 1000.0

SPECS: dict[str, tuple[Param, ...]] = {
    AlertKind.PACE_LAG: (
        Param("yellow_points", gettext_lazy("Yellow from (points behind)"),
              gettext_lazy("Yellow when this many percentage points or more behind the "
                           "time-proportional target."), whole=False, maximum=POINTS_MAX),
        Param("red_points", gettext_lazy("Red beyond (points behind)"),
              gettext_lazy("Red when more than this many points behind; a red light turns "
                           "back only when the project catches up into green."),
              whole=False, maximum=POINTS_MAX),
    ),
    AlertKind.START_OVERDUE: (
        Param("red_after_days", gettext_lazy("Red after (days)"),
              gettext_lazy("Yellow once the planned start month has passed without 开工; red "
                           "when more than this many days past the planned start.")),
    ),
    AlertKind.MILESTONE_SLIP: (
        Param("yellow_days", gettext_lazy("Yellow beyond (working days)"),
              gettext_lazy("A milestone not yet reached that is more than this many working "
                           "days later than in the latest baseline."), whole=False),
        Param("red_days", gettext_lazy("Red beyond (working days)"), "", whole=False),
    ),
    AlertKind.NEGATIVE_FLOAT: (
        Param("yellow_days", gettext_lazy("Yellow beyond (working days late)"),
              gettext_lazy("Unfinished activities whose total float is negative, that is "
                           "later than the deadline allows, by more than this many working "
                           "days (0: any negative float)."), whole=False),
        Param("red_days", gettext_lazy("Red beyond (working days late)"), "", whole=False),
    ),
    AlertKind.REPORT_LATE: (
        Param("grace_days", gettext_lazy("Grace (days after the due date)"),
              gettext_lazy("A project under construction whose monthly report is not "
                           "submitted this many days after it was due.")),
        Param("red_after_days", gettext_lazy("Red after (days late)"), ""),
    ),
    AlertKind.TASK_OVERDUE: (
        Param("grace_days", gettext_lazy("Grace (days after the deadline)"),
              gettext_lazy("An open task this many days past its deadline.")),
        Param("red_after_days", gettext_lazy("Red after (days overdue)"), ""),
    ),
    AlertKind.PROBLEM_OVERDUE: (
        Param("grace_days", gettext_lazy("Grace (days after the deadline)"),
              gettext_lazy("An assigned problem this many days past its deadline.")),
        Param("red_after_days", gettext_lazy("Red after (days overdue)"), ""),
    ),
    AlertKind.HAZARD_OVERDUE: (
        Param("grace_days", gettext_lazy("Grace (days after the deadline)"),
              gettext_lazy("A hazard not rectified this many days past its deadline.")),
        Param("red_after_days", gettext_lazy("Red after (days overdue)"),
              gettext_lazy("A major hazard (重大隐患) is red as soon as it is overdue.")),
    ),
    AlertKind.OVER_ESTIMATE: (
        # xgettext:no-python-format
        Param("yellow_percent", gettext_lazy("Yellow beyond (% over the estimate)"),
              gettext_lazy("Contracts (with variations), or payments, passing the approved "
                           "estimate (概算) by more than this share (0: any excess)."),
              whole=False, maximum=PERCENT_MAX),
        # xgettext:no-python-format
        Param("red_percent", gettext_lazy("Red beyond (% over the estimate)"), "",
              whole=False, maximum=PERCENT_MAX),
    ),
}  # fmt: skip

# (lower, upper): the yellow threshold must not pass the red one.
ORDERED: dict[str, tuple[str, str]] = {
    AlertKind.PACE_LAG: ("yellow_points", "red_points"),
    AlertKind.MILESTONE_SLIP: ("yellow_days", "red_days"),
    AlertKind.NEGATIVE_FLOAT: ("yellow_days", "red_days"),
    AlertKind.REPORT_LATE: ("grace_days", "red_after_days"),
    AlertKind.TASK_OVERDUE: ("grace_days", "red_after_days"),
    AlertKind.PROBLEM_OVERDUE: ("grace_days", "red_after_days"),
    AlertKind.HAZARD_OVERDUE: ("grace_days", "red_after_days"),
    AlertKind.OVER_ESTIMATE: ("yellow_percent", "red_percent"),
}

TASK_DEADLINE_MAX = 365


@dataclass(frozen=True)
class RuleDefaults:
    params: dict[str, Any]
    creates_task: bool
    owner: str
    enabled: bool = True
    task_severity: str = Severity.RED
    task_deadline_days: int = 15


def defaults() -> dict[str, RuleDefaults]:
    """Every kind's starting settings. Tasks are made for red alerts that need someone to act;
    the conditions already followed up elsewhere (reminders, tasks, problems, hazards) do not
    make another task by default."""
    return {
        AlertKind.PACE_LAG: RuleDefaults(
            {
                "yellow_points": settings.KEYPROJECTS_LIGHT_YELLOW_POINTS,
                "red_points": settings.KEYPROJECTS_LIGHT_RED_POINTS,
            },
            creates_task=True,
            owner=Owner.OWNER_UNIT,
        ),
        AlertKind.START_OVERDUE: RuleDefaults(
            {"red_after_days": 90}, creates_task=True, owner=Owner.RESPONSIBLE_UNIT
        ),
        AlertKind.MILESTONE_SLIP: RuleDefaults(
            {"yellow_days": 5, "red_days": 20}, creates_task=True, owner=Owner.OWNER_UNIT
        ),
        AlertKind.NEGATIVE_FLOAT: RuleDefaults(
            {"yellow_days": 0, "red_days": 10}, creates_task=True, owner=Owner.OWNER_UNIT
        ),
        AlertKind.REPORT_LATE: RuleDefaults(
            {"grace_days": 0, "red_after_days": 10}, creates_task=False, owner=Owner.OWNER_UNIT
        ),
        AlertKind.TASK_OVERDUE: RuleDefaults(
            {"grace_days": 0, "red_after_days": 14}, creates_task=False, owner=Owner.RECORD_UNIT
        ),
        AlertKind.PROBLEM_OVERDUE: RuleDefaults(
            {"grace_days": 0, "red_after_days": 14}, creates_task=False, owner=Owner.RECORD_UNIT
        ),
        AlertKind.HAZARD_OVERDUE: RuleDefaults(
            {"grace_days": 0, "red_after_days": 7}, creates_task=False, owner=Owner.RECORD_UNIT
        ),
        AlertKind.OVER_ESTIMATE: RuleDefaults(
            {"yellow_percent": 0, "red_percent": 5}, creates_task=True, owner=Owner.OWNER_UNIT
        ),
    }


def _number(value: Any, param: Param) -> tuple[float | None, str | None]:
    """The value as a number, or the reason it is not one this setting takes."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        if param.whole:
            return None, _("Enter a whole number.")
        return None, _("Enter a number.")
    if isinstance(value, float) and not math.isfinite(value):
        return None, _("Enter a number.")
    if param.whole and isinstance(value, float) and not value.is_integer():
        return None, _("Enter a whole number.")
    if value < 0:
        return None, _("This must not be negative.")
    if value > param.maximum:
        return None, _("This must not be more than %(max)s.") % {"max": f"{param.maximum:g}"}
    return float(value), None


def check_params(kind: str, params: Any) -> dict[str, list[str]]:
    """Why `params` cannot drive a rule of `kind`, by setting name ("" for the whole set);
    empty when they can."""
    specs = SPECS.get(kind)
    if specs is None:
        return {"": [_("“%(kind)s” is not a kind of alert rule.") % {"kind": kind}]}
    if not isinstance(params, Mapping):
        return {"": [_("The settings must be a set of named values.")]}
    errors: dict[str, list[str]] = {}
    known = {p.name for p in specs}
    for name in sorted(set(params) - known):
        errors.setdefault(str(name), []).append(_("This rule has no such setting."))
    values: dict[str, float] = {}
    for param in specs:
        if param.name not in params or params[param.name] is None:
            errors.setdefault(param.name, []).append(_("This setting is required."))
            continue
        number, problem = _number(params[param.name], param)
        if problem:
            errors.setdefault(param.name, []).append(problem)
        elif number is not None:
            values[param.name] = number
    low, high = ORDERED.get(kind, ("", ""))
    if low in values and high in values and values[high] < values[low]:
        labels = {p.name: str(p.label) for p in specs}
        errors.setdefault(high, []).append(
            _("This must not be less than “%(other)s”.") % {"other": labels[low]}
        )
    return errors


def check_rule(
    *, kind: str, creates_task: bool, owner: str, task_severity: str, task_deadline_days: Any
) -> dict[str, list[str]]:
    """Why a rule's task and owner settings cannot work, by field name."""
    errors: dict[str, list[str]] = {}
    if kind == AlertKind.TASK_OVERDUE and creates_task:
        errors["creates_task"] = [
            _("An overdue task is already a supervised task; this rule cannot make another.")
        ]
    if owner == Owner.RECORD_UNIT and kind not in RECORD_KINDS:
        errors["owner"] = [
            _(
                "This rule is about a project, not an assigned record: choose the owner or the "
                "responsible unit."
            )
        ]
    if owner not in Owner.values:
        errors["owner"] = [_("Choose who answers for the alerts.")]
    if task_severity not in Severity.values:
        errors["task_severity"] = [_("Choose yellow or red.")]
    if (
        isinstance(task_deadline_days, bool)
        or not isinstance(task_deadline_days, int)
        or not 1 <= task_deadline_days <= TASK_DEADLINE_MAX
    ):
        errors["task_deadline_days"] = [
            _("Give a whole number of days from 1 to %(max)d.") % {"max": TASK_DEADLINE_MAX}
        ]
    return errors


def plain(kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Checked settings in a stable form: whole numbers as int, the others as float."""
    out: dict[str, Any] = {}
    for param in SPECS[kind]:
        value = params[param.name]
        out[param.name] = int(value) if param.whole else float(value)
    return out
