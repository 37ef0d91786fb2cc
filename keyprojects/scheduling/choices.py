"""Choice values are the engine's own (keyprojects.scheduling.engine.model), labelled."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    TASK = "task", _("Task")
    START_MILESTONE = "start_milestone", _("Start milestone")
    FINISH_MILESTONE = "finish_milestone", _("Finish milestone")
    LEVEL_OF_EFFORT = "level_of_effort", _("Level of effort")
    RESOURCE_DEPENDENT = "resource_dependent", _("Resource dependent")
    WBS_SUMMARY = "wbs_summary", _("WBS summary")


class RelationKind(models.TextChoices):
    FS = "FS", _("Finish to start")
    SS = "SS", _("Start to start")
    FF = "FF", _("Finish to finish")
    SF = "SF", _("Start to finish")


class ConstraintKind(models.TextChoices):
    START_ON_OR_AFTER = "start_on_or_after", _("Start on or after")
    START_ON_OR_BEFORE = "start_on_or_before", _("Start on or before")
    FINISH_ON_OR_AFTER = "finish_on_or_after", _("Finish on or after")
    FINISH_ON_OR_BEFORE = "finish_on_or_before", _("Finish on or before")
    START_ON = "start_on", _("Start on")
    FINISH_ON = "finish_on", _("Finish on")
    MANDATORY_START = "mandatory_start", _("Must start on")
    MANDATORY_FINISH = "mandatory_finish", _("Must finish on")
    AS_LATE_AS_POSSIBLE = "as_late_as_possible", _("As late as possible")
