from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "keyprojects.supervision"
    label = "supervision"
    verbose_name = _("supervised tasks")

    def ready(self) -> None:
        from . import sources  # noqa: F401  (connects the source-deletion guard)
