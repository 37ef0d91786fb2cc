"""序时进度: how far through its annual plan a project should be, and the light for the gap.

Pure arithmetic, no database. Shares and gaps are percentages / percentage points.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from itertools import pairwise

from django.utils.translation import gettext as _

from keyprojects.projects.choices import Light

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def expected_share(month: int, curve: Sequence[float | int | str] | None = None) -> Decimal:
    """Expected share of the annual plan done by the end of `month`: m/12, or the plan's own
    cumulative monthly curve (twelve percentages) where it has one."""
    if not 1 <= month <= 12:
        raise ValueError("month must be 1 to 12")
    if curve:
        return Decimal(str(curve[month - 1])).quantize(CENT)
    return (HUNDRED * month / 12).quantize(CENT)


def actual_share(done: Decimal, target: Decimal) -> Decimal:
    if target <= 0:
        return Decimal(0)
    return (done * HUNDRED / target).quantize(CENT)


def light_for(
    gap_points: Decimal, *, yellow: Decimal, red: Decimal, previous: str | None = None
) -> str:
    """Green when less than `yellow` points behind, red when more than `red` behind, yellow
    between. A red light does not step down to yellow: it turns back only when the project
    has caught up into the green band."""
    behind = -gap_points
    if behind > red:
        return Light.RED
    if behind < yellow:
        return Light.GREEN
    return Light.RED if previous == Light.RED else Light.YELLOW


def check_curve(curve: Sequence[float | int | str]) -> list[str]:
    """Problems with a monthly curve (twelve cumulative percentages, rising, ending at 100),
    in the user's language."""
    problems = []
    if len(curve) != 12:
        return [_("A monthly curve has twelve values, one for each month.")]
    try:
        values = [Decimal(str(v)) for v in curve]
    except ArithmeticError:
        return [_("Every value of the monthly curve must be a number.")]
    if any(v < 0 or v > HUNDRED for v in values):
        problems.append(_("Each value is a cumulative percentage from 0 to 100."))
    if any(b < a for a, b in pairwise(values)):
        problems.append(_("The curve must not go down from one month to the next."))
    if values[-1] != HUNDRED:
        problems.append(_("The curve must reach 100 in December."))
    return problems
