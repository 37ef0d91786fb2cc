"""Code values P6 uses in XER files, and the model values they map to."""

from __future__ import annotations

from typing import TypeVar

from .model import (
    ActivityType,
    ConstraintType,
    CriticalDefinition,
    FloatType,
    LagCalendar,
    RelationType,
)

ACTIVITY_TYPES: dict[str, ActivityType] = {
    "TT_Task": ActivityType.TASK,
    "TT_Mile": ActivityType.START_MILESTONE,
    "TT_FinMile": ActivityType.FINISH_MILESTONE,
    "TT_LOE": ActivityType.LEVEL_OF_EFFORT,
    "TT_Rsrc": ActivityType.RESOURCE_DEPENDENT,
    "TT_WBS": ActivityType.WBS_SUMMARY,
}

CONSTRAINT_TYPES: dict[str, ConstraintType] = {
    "CS_MSOA": ConstraintType.START_ON_OR_AFTER,
    "CS_MSOB": ConstraintType.START_ON_OR_BEFORE,
    "CS_MEOA": ConstraintType.FINISH_ON_OR_AFTER,
    "CS_MEOB": ConstraintType.FINISH_ON_OR_BEFORE,
    "CS_MSO": ConstraintType.START_ON,
    "CS_MEO": ConstraintType.FINISH_ON,
    "CS_MANDSTART": ConstraintType.MANDATORY_START,
    "CS_MANDFIN": ConstraintType.MANDATORY_FINISH,
    "CS_ALAP": ConstraintType.AS_LATE_AS_POSSIBLE,
}

RELATION_TYPES: dict[str, RelationType] = {
    "PR_FS": RelationType.FINISH_START,
    "PR_SS": RelationType.START_START,
    "PR_FF": RelationType.FINISH_FINISH,
    "PR_SF": RelationType.START_FINISH,
}

LAG_CALENDARS: dict[str, LagCalendar] = {
    "rcal_Predecessor": LagCalendar.PREDECESSOR,
    "rcal_Successor": LagCalendar.SUCCESSOR,
    "rcal_24Hour": LagCalendar.TWENTY_FOUR_HOUR,
    "rcal_ProjDefault": LagCalendar.PROJECT_DEFAULT,
}

FLOAT_TYPES: dict[str, FloatType] = {
    "FT_FF": FloatType.FINISH,
    "FT_SF": FloatType.START,
    "FT_SM": FloatType.SMALLEST,
}

CRITICAL_TYPES: dict[str, CriticalDefinition] = {
    "CT_TotFloat": CriticalDefinition.TOTAL_FLOAT,
    "CT_DrivPath": CriticalDefinition.LONGEST_PATH,
}


K = TypeVar("K")
V = TypeVar("V")


def reverse(mapping: dict[K, V]) -> dict[V, K]:
    return {v: k for k, v in mapping.items()}
