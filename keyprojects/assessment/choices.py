from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorKind(models.TextChoices):
    """What an indicator measures. Each kind has its own arithmetic (`scoring.py`) and its own
    parameters (`rules.py`)."""

    INVESTMENT_COMPLETION = "investment_completion", _("Investment completion")
    MILESTONES = "milestones", _("Milestones on time")
    REPORTING_ON_TIME = "reporting_on_time", _("Monthly reports on time")
    PROBLEM_CLOSURE = "problem_closure", _("Problem closure (销号)")
    SAFETY = "safety", _("Work safety")
    TASK_CLOSURE = "task_closure", _("Supervised tasks closed")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open (provisional)")
    CLOSED = "closed", _("Closed (final)")


class SubjectKind(models.TextChoices):
    UNIT = "unit", _("Unit")
    PROJECT = "project", _("Project")


class UnitBasis(models.TextChoices):
    """Which unit answers for a project in the unit scores."""

    BY_KIND = (
        "by_kind",
        _("Departments for the projects they answer for, companies for those they own"),
    )
    RESPONSIBLE = "responsible", _("The responsible unit (责任单位) only")
    OWNER = "owner", _("The owner unit (业主单位) only")
    BOTH = "both", _("Both the responsible and the owner unit")


class NoData(models.TextChoices):
    """What an indicator gives a subject it has nothing to measure on."""

    EXCLUDE = "exclude", _("Left out; the total is scaled to 100")
    FULL = "full", _("Full marks")
    ZERO = "zero", _("No points")


class Board(models.TextChoices):
    RED = "red", _("Red list (红榜)")
    BLACK = "black", _("Black list (黑榜)")


class EventKind(models.TextChoices):
    CREATED = "created", _("Opened")
    CLOSED = "closed", _("Closed; results frozen")
    REOPENED = "reopened", _("Reopened")
