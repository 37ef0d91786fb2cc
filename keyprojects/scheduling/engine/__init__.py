"""A pure-Python scheduling engine: CPM matching Primavera P6, P6 XER and MS Project XML.

Nothing here imports Django. The public API:

- `read_xer(path_or_bytes, *, encoding=None, project_id=None, max_bytes=...) -> Schedule`
- `read_mspdi(path_or_bytes, *, encoding=None, max_bytes=...) -> Schedule`
- `read_schedule_file(path) -> Schedule` (by extension or content)
- `write_xer(schedule, path)`, `write_xer_text(schedule) -> str`
- `write_mspdi(schedule, path)`, `write_mspdi_text(schedule) -> str`
- `schedule(model, options=None) -> ScheduleResult`
- `prc_calendar(*, days_per_week=5, years=None, ...) -> CalendarSpec`
- `compare_with_baseline(schedule, baseline, current) -> list[Slip]`
- `compare_with_reference(schedule, result) -> ConformanceReport`
- `start_by_text(activity_result) -> str`
- `cli.main(argv, stdout) -> int`
"""

from .baseline import Slip, compare_with_baseline
from .calendar import WorkCalendar
from .conformance import ConformanceReport, compare_with_reference
from .cpm import schedule
from .errors import (
    CalendarCoverageError,
    CalendarError,
    DependencyLoopError,
    ModelError,
    ScheduleFileError,
    SchedulingError,
)
from .files import read_schedule_file
from .model import (
    Activity,
    ActivityType,
    CalendarSpec,
    Constraint,
    ConstraintType,
    CriticalDefinition,
    FloatType,
    LagCalendar,
    ProgressMode,
    ReferenceResults,
    Relation,
    RelationType,
    Schedule,
    ScheduleOptions,
    WbsNode,
)
from .mspdi_read import read_mspdi
from .mspdi_write import write_mspdi, write_mspdi_text
from .prc import prc_calendar
from .result import ActivityResult, ScheduleResult, ScheduleWarning, WarningCode, start_by_text
from .xer_read import read_xer
from .xer_write import write_xer, write_xer_text

__all__ = [
    "Activity",
    "ActivityResult",
    "ActivityType",
    "CalendarCoverageError",
    "CalendarError",
    "CalendarSpec",
    "ConformanceReport",
    "Constraint",
    "ConstraintType",
    "CriticalDefinition",
    "DependencyLoopError",
    "FloatType",
    "LagCalendar",
    "ModelError",
    "ProgressMode",
    "ReferenceResults",
    "Relation",
    "RelationType",
    "Schedule",
    "ScheduleFileError",
    "ScheduleOptions",
    "ScheduleResult",
    "ScheduleWarning",
    "SchedulingError",
    "Slip",
    "WarningCode",
    "WbsNode",
    "WorkCalendar",
    "compare_with_baseline",
    "compare_with_reference",
    "prc_calendar",
    "read_mspdi",
    "read_schedule_file",
    "read_xer",
    "schedule",
    "start_by_text",
    "write_mspdi",
    "write_mspdi_text",
    "write_xer",
    "write_xer_text",
]
