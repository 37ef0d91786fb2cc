from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TaskStatus(models.TextChoices):
    OPEN = "open", _("To do")
    SUBMITTED = "submitted", _("Awaiting acceptance")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", pgettext_lazy("task", "Cancelled")


OPEN_STATUSES = (TaskStatus.OPEN, TaskStatus.SUBMITTED)


class SourceKind(models.TextChoices):
    """What made the task. The link to the record itself is `Task.source`."""

    PROBLEM = "problem", _("Problem or demand")
    MEETING = "meeting", _("Dispatch meeting decision")
    VISIT = "visit", _("Site visit instruction")
    INSPECTION = "inspection", _("Inspection finding")
    ALERT = "alert", _("Alert")
    INSTRUCTION = "instruction", _("Instruction")


class UpdateKind(models.TextChoices):
    CREATED = "created", _("Assigned")
    COMMENT = "comment", _("Progress")
    EVIDENCE = "evidence", _("Evidence")
    SUBMITTED = "submitted", _("Reported done")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    EXTENDED = "extended", _("Deadline changed")
    REASSIGNED = "reassigned", _("Reassigned")
    ESCALATED = "escalated", _("Escalated")
    CANCELLED = "cancelled", pgettext_lazy("task", "Cancelled")
    REOPENED = "reopened", _("Reopened")
    SOURCE_REMOVED = "source_removed", _("Source removed")
