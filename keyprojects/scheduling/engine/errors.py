"""Errors raised by the scheduling engine.

Messages are plain English sentences without embedded values, so that they can be
translated; the details live in attributes.
"""

from __future__ import annotations


class SchedulingError(Exception):
    """Base class of every error the engine raises."""


class ScheduleFileError(SchedulingError):
    """A schedule file (XER or MSPDI) cannot be read or written.

    `table` and `row` name where the problem is (row numbers start at 1 within a table;
    for XML files `table` is the element name and `row` its position).
    """

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        row: int | None = None,
        field: str | None = None,
        value: str | None = None,
        reason: str | None = None,
    ) -> None:
        self.message = message
        self.table = table
        self.row = row
        self.field = field
        self.value = value
        self.reason = reason  # technical detail (not translated), e.g. a parser's complaint
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.table is not None:
            where.append(f"table {self.table}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field {self.field}")
        if self.value is not None:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            where.append(f"value {shown!r}")
        if self.reason is not None:
            where.append(self.reason)
        return f"{self.message} ({', '.join(where)})" if where else self.message


class CalendarError(SchedulingError):
    """A calendar is unusable, for example it has no working time at all."""

    def __init__(self, message: str, *, calendar_id: str | None = None) -> None:
        self.message = message
        self.calendar_id = calendar_id
        suffix = f" (calendar {calendar_id})" if calendar_id is not None else ""
        super().__init__(message + suffix)


class CalendarCoverageError(CalendarError):
    """The statutory holiday data does not cover a requested year."""

    def __init__(self, message: str, *, year: int) -> None:
        self.year = year
        super().__init__(f"{message}: {year}")


class DependencyLoopError(SchedulingError):
    """The relations form a loop, so no schedule exists."""

    def __init__(self, message: str, *, activity_ids: list[str]) -> None:
        self.message = message
        self.activity_ids = activity_ids
        super().__init__(f"{message}: {' -> '.join(activity_ids)}")


class ModelError(SchedulingError):
    """The schedule model is inconsistent (unknown ids, duplicates, bad values)."""

    def __init__(self, message: str, *, activity_id: str | None = None) -> None:
        self.message = message
        self.activity_id = activity_id
        suffix = f" (activity {activity_id})" if activity_id is not None else ""
        super().__init__(message + suffix)
