from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    name = "keyprojects.problems"
    label = "problems"
    verbose_name = _("problems and demands")

    def ready(self) -> None:
        from keyprojects.supervision.services import task_status_changed

        from .tracking import on_task_status_changed

        task_status_changed.connect(
            on_task_status_changed, dispatch_uid="problems-follow-task", weak=False
        )
