"""The kinds of notice: a code each caller of `notify()` chooses, with a label and a group.

A kind no one registered still works everywhere: its label is its code and its group comes
from the code's first word (`problem_raised` belongs to problems). A capability may register
its own kinds with `register_kind()` to give them a label in the user's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import KindGroup

TEST_KIND = "webhook_test"


@dataclass(frozen=True)
class Kind:
    code: str
    label: str | Promise
    group: str

    @property
    def group_label(self) -> str | Promise:
        return KindGroup(self.group).label


_REGISTRY: dict[str, Kind] = {}

# The first word of a code names its group, for kinds no one registered.
_PREFIX_GROUPS = {
    "task": KindGroup.TASKS,
    "problem": KindGroup.PROBLEMS,
    "demand": KindGroup.PROBLEMS,
    "report": KindGroup.REPORTS,
    "meeting": KindGroup.MEETINGS,
    "visit": KindGroup.MEETINGS,
    "decision": KindGroup.MEETINGS,
    "instruction": KindGroup.MEETINGS,
    "inspection": KindGroup.INSPECTIONS,
    "hazard": KindGroup.INSPECTIONS,
    "incident": KindGroup.INSPECTIONS,
    "alert": KindGroup.ALERTS,
    "alerts": KindGroup.ALERTS,
    "assessment": KindGroup.ASSESSMENT,
    "bulletin": KindGroup.ASSESSMENT,
}


def register_kind(code: str, label: str | Promise, group: str | None = None) -> Kind:
    kind = Kind(code, label, group or _group_of(code))
    _REGISTRY[code] = kind
    return kind


def _group_of(code: str) -> str:
    return _PREFIX_GROUPS.get(code.split("_", 1)[0], KindGroup.OTHER)


def kind_of(code: str) -> Kind:
    return _REGISTRY.get(code) or Kind(code, code, _group_of(code))


def registered() -> list[Kind]:
    return list(_REGISTRY.values())


def grouped(codes: Iterable[str] = ()) -> list[tuple[str | Promise, list[Kind]]]:
    """Every registered kind, and the `codes` given (kinds seen in an inbox), by group in the
    groups' order; the test notice of a webhook is not a kind anyone mutes."""
    kinds = {k.code: k for k in _REGISTRY.values()}
    for code in codes:
        kinds.setdefault(code, kind_of(code))
    kinds.pop(TEST_KIND, None)
    order = list(KindGroup.values)
    result: list[tuple[str | Promise, list[Kind]]] = []
    for group in order:
        members = [k for k in kinds.values() if k.group == group]
        if members:
            result.append((KindGroup(group).label, members))
    return result


# The kinds the capabilities send today. A new one works before it is added here.
for _code, _label in [
    ("task_assigned", _("A task is assigned to you")),
    ("task_due", _("A task's deadline is near")),
    ("task_overdue", _("A task is overdue")),
    ("task_escalated", _("A task is escalated")),
    ("task_submitted", _("A task is reported done")),
    ("task_accepted", _("A task is accepted (销号)")),
    ("task_returned", _("A task is returned")),
    ("task_cancelled", _("A task is cancelled")),
    ("task_reopened", _("A task is reopened")),
    ("task_extended", _("A task's deadline is changed")),
    ("task_source_removed", _("The record behind a task is deleted")),
    ("report_due", _("A monthly report is due")),
    ("report_late", _("A monthly report is late")),
    ("problem_raised", _("A problem or demand is raised")),
    ("problem_untriaged", _("A problem waits to be assigned")),
    ("problem_assigned", _("A problem is assigned")),
    ("problem_unassigned", _("A problem has no unit assigned any more")),
    ("problem_responded", _("A problem gets a response")),
    ("problem_overdue", _("A problem is overdue")),
    ("problem_resolved", _("A problem is resolved, to confirm and rate")),
    ("problem_closed", _("A problem is closed (销号)")),
    ("problem_reopened", _("A problem is reopened")),
    ("problem_withdrawn", _("A problem is withdrawn")),
    ("problem_merged", _("A problem is merged into another")),
    ("hazard_found", _("A hazard is found")),
    ("hazard_overdue", _("A hazard's rectification is overdue")),
    ("incident_recorded", _("A safety incident is recorded")),
    ("alert_opened", _("A new alert")),
    ("alert_raised", _("An alert turns more serious")),
    ("alerts_summary", _("A summary of new alerts")),
    ("assessment_final", _("An assessment is final")),
    ("bulletin_published", _("A bulletin is published")),
    (TEST_KIND, _("Webhook test")),
]:
    register_kind(_code, _label)
