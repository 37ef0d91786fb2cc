from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "keyprojects.meetings"
    label = "meetings"
    verbose_name = _("dispatch meetings and site visits")

    def ready(self) -> None:
        from keyprojects.notifications.kinds import register_kind

        register_kind("meeting_invited", _("Invited to a dispatch meeting"))
        register_kind("meeting_changed", _("A dispatch meeting is moved"))
        register_kind("meeting_cancelled", _("A dispatch meeting is cancelled"))
