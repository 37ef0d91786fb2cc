from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingStatus(models.TextChoices):
    """planned → held (minutes recorded) → closed (minutes final, decisions issued as tasks);
    a planned meeting may be cancelled instead."""

    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", pgettext_lazy("meeting", "Cancelled")


# While a meeting is planned or held its agenda, attendance and decisions may still change.
OPEN_MEETING_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.HELD)


class AgendaKind(models.TextChoices):
    CARRIED_OVER = "carried_over", _("Carried over from an earlier meeting")
    ESCALATED_TASK = "escalated_task", _("Overdue or escalated task")
    OVERDUE_PROBLEM = "overdue_problem", _("Overdue or escalated problem")
    LAGGING_PROJECT = "lagging_project", _("Project behind schedule")
    OTHER = "other", _("Other")


class Presence(models.TextChoices):
    INVITED = "invited", _("Invited")
    PRESENT = "present", _("Present")
    DELEGATE = "delegate", _("Sent a delegate")
    ABSENT = "absent", _("Absent")


class DecisionOutcome(models.TextChoices):
    """What became of a decision or an instruction: its task's state, as the next meeting
    reads it."""

    NOT_ISSUED = "not_issued", _("Not issued yet")
    OPEN = "open", _("In progress")
    SUBMITTED = "submitted", _("Awaiting acceptance")
    OVERDUE = "overdue", _("Overdue")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", pgettext_lazy("task", "Cancelled")
