import datetime as dt
from typing import Any

from django import template
from django.utils.dateformat import format as date_format

from keyprojects.scheduling.models import wall as to_wall

register = template.Library()


@register.filter
def wall(value: Any, fmt: str = "Y-m-d H:i") -> str:
    """A schedule time as the file wrote it (site wall-clock), not shifted to a time zone."""
    if not isinstance(value, dt.datetime):
        return ""
    return date_format(to_wall(value), fmt)
