from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    LAND = "land", _("Land")
    DEMOLITION = "demolition", _("Land acquisition and demolition")
    FUNDING = "funding", _("Funding")
    APPROVALS = "approvals", _("Approvals and procedures")
    PLANNING = "planning", _("Planning")
    UTILITIES = "utilities", _("Utilities and pipelines")
    LABOUR = "labour", _("Labour")
    MATERIALS = "materials", _("Materials")
    EPIDEMIC = "epidemic", _("Epidemic control")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    """How much the problem holds the project up; it sets the deadline at triage."""

    GENERAL = "general", _("General")
    IMPORTANT = "important", _("Important")
    URGENT = "urgent", _("Urgent")


class ProblemStatus(models.TextChoices):
    RAISED = "raised", _("Awaiting assignment")
    ASSIGNED = "assigned", _("In progress")
    RESOLVED = "resolved", _("Awaiting confirmation")
    CLOSED = "closed", _("Closed (销号)")
    MERGED = "merged", _("Merged into another")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Still on someone's desk: waiting for the office, the units, or the raiser.
OPEN_STATUSES = (ProblemStatus.RAISED, ProblemStatus.ASSIGNED, ProblemStatus.RESOLVED)
ENDED_STATUSES = (ProblemStatus.CLOSED, ProblemStatus.MERGED, ProblemStatus.WITHDRAWN)


class EventKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    ASSIGNED = "assigned", _("Assigned")
    UNIT_REPORTED = "unit_reported", _("Unit reported its part done")
    UNIT_ACCEPTED = "unit_accepted", _("Unit's part accepted")
    UNIT_RETURNED = "unit_returned", _("Unit's part returned")
    UNIT_CANCELLED = "unit_cancelled", _("Assignment cancelled")
    UNIT_REOPENED = "unit_reopened", _("Assignment reopened")
    RESOLVED = "resolved", _("Resolved, awaiting confirmation")
    BACK_TO_WORK = "back_to_work", _("Back in progress")
    BACK_TO_TRIAGE = "back_to_triage", _("Back to the office for assignment")
    CLOSED = "closed", _("Confirmed and closed (销号)")
    REOPENED = "reopened", _("Reopened")
    MERGED = "merged", _("Merged as a duplicate")
    ABSORBED = "absorbed", _("Duplicate merged in")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DEADLINE = "deadline", _("Deadline changed")
    ESCALATED = "escalated", _("Escalated")
