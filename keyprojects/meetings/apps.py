from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "keyprojects.meetings"
    label = "meetings"
    verbose_name = _("dispatch meetings and site visits")
