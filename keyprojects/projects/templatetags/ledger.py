from decimal import Decimal
from typing import Any

from django import template

register = template.Library()
WAN = Decimal(10000)


@register.filter
def wan(value: Any) -> str:
    """Yuan shown in 万元, two decimals, grouped."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value) / WAN:,.2f}"


@register.filter
def pct(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):.1f}%"


@register.simple_tag
def share(part: Any, whole: Any) -> str:
    if not part or not whole:
        return "—"
    return pct(Decimal(part) * 100 / Decimal(whole))


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if mapping else None
