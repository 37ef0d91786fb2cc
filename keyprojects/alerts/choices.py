from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AlertKind(models.TextChoices):
    """One kind of condition an alert rule watches for."""

    PACE_LAG = "pace_lag", _("Behind the time-proportional target (序时进度)")
    START_OVERDUE = "start_overdue", _("Start of works missed")
    MILESTONE_SLIP = "milestone_slip", _("Milestone slipping against the baseline")
    NEGATIVE_FLOAT = "negative_float", _("Negative float against the deadline")
    REPORT_LATE = "report_late", _("Monthly report late or missing")
    TASK_OVERDUE = "task_overdue", _("Supervised task overdue")
    PROBLEM_OVERDUE = "problem_overdue", _("Problem overdue")
    HAZARD_OVERDUE = "hazard_overdue", _("Hazard rectification overdue")
    OVER_ESTIMATE = "over_estimate", _("Contracts or payments over the estimate")


# Conditions that are about a project as a whole, or about something within one.
PROJECT_KINDS = (
    AlertKind.PACE_LAG,
    AlertKind.START_OVERDUE,
    AlertKind.MILESTONE_SLIP,
    AlertKind.NEGATIVE_FLOAT,
    AlertKind.REPORT_LATE,
    AlertKind.OVER_ESTIMATE,
)
# Conditions about a record that is already assigned to a unit.
RECORD_KINDS = (AlertKind.TASK_OVERDUE, AlertKind.PROBLEM_OVERDUE, AlertKind.HAZARD_OVERDUE)


class Severity(models.TextChoices):
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


SEVERITY_RANK: dict[str, int] = {Severity.YELLOW: 1, Severity.RED: 2}


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("alert status", "Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


ACTIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class Owner(models.TextChoices):
    """Which unit answers for an alert (and owns the task it makes)."""

    OWNER_UNIT = "owner_unit", _("The project's owner unit")
    RESPONSIBLE_UNIT = "responsible_unit", _("The project's responsible unit")
    RECORD_UNIT = "record_unit", _("The unit the task, problem or hazard is assigned to")


class EventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    RAISED = "raised", _("Turned red")
    LOWERED = "lowered", _("Turned yellow")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved by the office")
    CLEARED = "cleared", _("Resolved by itself: the condition cleared")
    RULE_OFF = "rule_off", _("Resolved: the rule was switched off")
    TASK_MADE = "task_made", _("Task assigned")
    TASK_CANCELLED = "task_cancelled", _("Task cancelled")
