from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "keyprojects.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from keyprojects.audit.services import AUDIT_EXCLUDED_FIELDS

        # The audit trail is read by auditors too: a webhook's signing secret stays out of it
        # (its `secret_set_at` shows when it changed).
        AUDIT_EXCLUDED_FIELDS.add("signing_secret")
