"""Values and helpers shared by the MS Project XML (MSPDI) reader and writer."""

from __future__ import annotations

import re

from .model import ConstraintType, RelationType

NAMESPACE = "http://schemas.microsoft.com/project"
NS = "{" + NAMESPACE + "}"

# PredecessorLink/Type
RELATION_TYPES: dict[int, RelationType] = {
    0: RelationType.FINISH_FINISH,
    1: RelationType.FINISH_START,
    2: RelationType.START_FINISH,
    3: RelationType.START_START,
}
RELATION_CODES = {v: k for k, v in RELATION_TYPES.items()}

# Task/ConstraintType (0 is "as soon as possible": no constraint)
CONSTRAINT_TYPES: dict[int, ConstraintType] = {
    1: ConstraintType.AS_LATE_AS_POSSIBLE,
    2: ConstraintType.START_ON,
    3: ConstraintType.FINISH_ON,
    4: ConstraintType.START_ON_OR_AFTER,
    5: ConstraintType.START_ON_OR_BEFORE,
    6: ConstraintType.FINISH_ON_OR_AFTER,
    7: ConstraintType.FINISH_ON_OR_BEFORE,
}
CONSTRAINT_CODES: dict[ConstraintType, int] = {v: k for k, v in CONSTRAINT_TYPES.items()}
CONSTRAINT_CODES[ConstraintType.MANDATORY_START] = 2
CONSTRAINT_CODES[ConstraintType.MANDATORY_FINISH] = 3

# Extended attributes that carry what MSPDI has no element for (activity type, a P6
# constraint kind that MS Project cannot express).
TEXT1_FIELD_ID = "188743731"
TEXT2_FIELD_ID = "188743734"
TEXT1_ALIAS = "Activity type"
TEXT2_ALIAS = "Constraint type"

_DURATION = re.compile(
    r"^(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str, minutes_per_day: int) -> int | None:
    """Minutes in an ISO 8601 duration such as PT16H0M0S (days count as working days)."""
    match = _DURATION.match(text.strip())
    if match is None:
        return None
    sign, years, months, days, hours, minutes, seconds = match.groups()
    if (years and float(years)) or (months and float(months)):
        return None
    total = (
        float(days or 0) * minutes_per_day
        + float(hours or 0) * 60
        + float(minutes or 0)
        + float(seconds or 0) / 60
    )
    value = round(total)
    return -value if sign else value


def format_duration(minutes: int) -> str:
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}PT{hours}H{rest}M0S"
