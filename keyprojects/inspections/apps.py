from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "keyprojects.inspections"
    label = "inspections"
    verbose_name = _("inspections")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from keyprojects.notifications.choices import KindGroup
        from keyprojects.notifications.kinds import register_kind
        from keyprojects.supervision.models import Task
        from keyprojects.supervision.services import task_status_changed

        register_kind("incident_recorded", _("An incident is recorded"), KindGroup.INSPECTIONS)

        from keyprojects.supervision.sources import register_checker

        from .models import Hazard

        register_checker(Hazard, _inspecting_unit)
        task_status_changed.connect(_task_status_changed, dispatch_uid="inspections-hazard-status")
        post_save.connect(_task_saved, sender=Task, dispatch_uid="inspections-hazard-task")


def _inspecting_unit(hazard: Any) -> list[int]:
    """The unit that found a hazard checks its rectification, as the office does."""
    unit_id = hazard.inspection.inspecting_unit_id
    return [unit_id] if unit_id else []


def _task_status_changed(sender: Any, task: Any, old: str, new: str, **kw: Any) -> None:
    from .services import hazard_follow_status

    hazard_follow_status(task=task, old=old, new=new)


def _task_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kw: Any) -> None:
    if raw or created:
        return
    from .services import hazard_follow_task

    hazard_follow_task(instance)
