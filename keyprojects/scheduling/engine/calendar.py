"""Working-time arithmetic on a compiled calendar.

A `WorkCalendar` flattens a `CalendarSpec` into sorted, merged working intervals over a
range of days, each with the cumulative working minutes before it. Every time is then an
integer minute (`to_minute`), and the count of working minutes before a time (its
*ordinal*) is one bisection away, as is the way back. The range grows on demand; ordinals
stay anchored to the first day compiled, so ordinals taken earlier remain valid.

Two instants can share an ordinal: Friday 17:00 and Monday 08:00 on a five-day week. The
*finish form* of an ordinal is the earliest such instant (where work ends), the *start
form* the latest (where work resumes). Finishes are shown in finish form, starts in start
form, as P6 does.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, datetime, timedelta

from .errors import CalendarCoverageError, CalendarError
from .model import MINUTES_PER_DAY, CalendarSpec, DayHours

_MIN_DAY = date(1900, 1, 1).toordinal()
_MAX_DAY = date(2400, 1, 1).toordinal()
_INITIAL_SPAN_DAYS = 3 * 366


def to_minute(moment: datetime) -> int:
    """The absolute minute number of a naive datetime (seconds are dropped)."""
    return moment.toordinal() * MINUTES_PER_DAY + moment.hour * 60 + moment.minute


def from_minute(minute: int) -> datetime:
    day, rest = divmod(minute, MINUTES_PER_DAY)
    return datetime.fromordinal(day) + timedelta(minutes=rest)


def twenty_four_hour_spec(calendar_id: str = "24h") -> CalendarSpec:
    full: DayHours = ((0, MINUTES_PER_DAY),)
    return CalendarSpec(id=calendar_id, name="24 hours", week=(full,) * 7, hours_per_day=24.0)


class WorkCalendar:
    """Fast working-time arithmetic for one calendar."""

    __slots__ = (
        "_anchor",
        "_cum_before",
        "_cum_end",
        "_ends",
        "_hi_day",
        "_hi_min",
        "_lo_day",
        "_lo_min",
        "_max_day",
        "_min_day",
        "_starts",
        "hours_per_day",
        "id",
        "spec",
    )

    def __init__(self, spec: CalendarSpec, around: date | None = None) -> None:
        self.spec = spec
        self.id = spec.id
        self.hours_per_day = spec.hours_per_day
        if not any(spec.week) and not any(spec.exceptions.values()):
            raise CalendarError("Calendar has no working time", calendar_id=spec.id)
        self._min_day, self._max_day = _MIN_DAY, _MAX_DAY
        if spec.covered_years is not None:
            first, last = spec.covered_years
            self._min_day = date(first, 1, 1).toordinal()
            self._max_day = date(last + 1, 1, 1).toordinal()
        centre = (around or date(2020, 1, 1)).toordinal()
        centre = min(max(centre, self._min_day), self._max_day - 1)
        self._lo_day = max(self._min_day, centre - _INITIAL_SPAN_DAYS)
        self._hi_day = min(self._max_day, centre + _INITIAL_SPAN_DAYS)
        self._anchor = self._lo_day * MINUTES_PER_DAY
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._cum_before: list[int] = []
        self._cum_end: list[int] = []
        self._compile()

    # -- compilation -------------------------------------------------------------------

    def _compile(self) -> None:
        starts: list[int] = []
        ends: list[int] = []
        exceptions = self.spec.exceptions
        week = self.spec.week
        for day in range(self._lo_day, self._hi_day):
            the_date = date.fromordinal(day)
            hours = exceptions.get(the_date)
            if hours is None:
                hours = week[the_date.weekday()]
            base = day * MINUTES_PER_DAY
            for start, end in hours:
                s, e = base + start, base + end
                if starts and ends[-1] == s:
                    ends[-1] = e
                else:
                    starts.append(s)
                    ends.append(e)
        cum_before: list[int] = []
        cum_end: list[int] = []
        total = 0
        for s, e in zip(starts, ends, strict=True):
            cum_before.append(total)
            total += e - s
            cum_end.append(total)
        self._starts, self._ends = starts, ends
        self._lo_min = self._lo_day * MINUTES_PER_DAY
        self._hi_min = self._hi_day * MINUTES_PER_DAY
        self._cum_before, self._cum_end = cum_before, cum_end
        offset = self._raw_ordinal(self._anchor) if starts else 0
        if offset:
            self._cum_before = [c - offset for c in cum_before]
            self._cum_end = [c - offset for c in cum_end]

    def _raw_ordinal(self, minute: int) -> int:
        i = bisect_right(self._starts, minute) - 1
        if i < 0:
            return self._cum_before[0] if self._cum_before else 0
        into = minute - self._starts[i]
        length = self._ends[i] - self._starts[i]
        return self._cum_before[i] + (into if into < length else length)

    def _grow(self, *, down: bool) -> None:
        span = max(self._hi_day - self._lo_day, 366)
        if down:
            if self._lo_day <= self._min_day:
                self._out_of_range(self._lo_day - 1)
            self._lo_day = max(self._min_day, self._lo_day - span)
        else:
            if self._hi_day >= self._max_day:
                self._out_of_range(self._hi_day)
            self._hi_day = min(self._max_day, self._hi_day + span)
        self._compile()

    def _out_of_range(self, day: int) -> None:
        if self.spec.covered_years is not None:
            raise CalendarCoverageError(
                "The calendar's holiday data does not cover the year",
                year=date.fromordinal(day).year,
            )
        raise CalendarError("Date is out of the supported range", calendar_id=self.id)

    # -- integer API -------------------------------------------------------------------

    def ordinal(self, minute: int) -> int:
        """Working minutes between the anchor and `minute` (negative before the anchor)."""
        if minute < self._lo_min or minute >= self._hi_min or not self._starts:
            while minute < self._lo_day * MINUTES_PER_DAY or not self._starts:
                self._grow(down=True)
            while minute >= self._hi_day * MINUTES_PER_DAY:
                self._grow(down=False)
        starts = self._starts
        i = bisect_right(starts, minute) - 1
        if i < 0:
            return self._cum_before[0]
        into = minute - starts[i]
        length = self._ends[i] - starts[i]
        return self._cum_before[i] + (into if into < length else length)

    def start_at(self, work: int) -> int:
        """The start form of an ordinal: the moment work `work` resumes."""
        while not self._cum_before or work < self._cum_before[0]:
            self._grow(down=True)
        i = bisect_right(self._cum_end, work)
        while i >= len(self._cum_end):
            self._grow(down=False)
            i = bisect_right(self._cum_end, work)
        return self._starts[i] + work - self._cum_before[i]

    def finish_at(self, work: int) -> int:
        """The finish form of an ordinal: the earliest moment `work` minutes are done."""
        while not self._cum_before or work <= self._cum_before[0]:
            if self._cum_before and work == self._cum_before[0] and self._lo_day <= self._min_day:
                break
            self._grow(down=True)
        i = bisect_left(self._cum_end, work)
        while i >= len(self._cum_end):
            self._grow(down=False)
            i = bisect_left(self._cum_end, work)
        return self._starts[i] + work - self._cum_before[i]

    # -- datetime API ------------------------------------------------------------------

    def working_minutes(self, start: datetime, finish: datetime) -> int:
        """Working minutes from `start` to `finish` (negative when finish is earlier)."""
        return self.ordinal(to_minute(finish)) - self.ordinal(to_minute(start))

    def add(self, moment: datetime, minutes: int) -> datetime:
        """Move by working minutes: forward gives a finish form, backward a start form."""
        work = self.ordinal(to_minute(moment)) + minutes
        if minutes >= 0:
            return from_minute(self.finish_at(work))
        return from_minute(self.start_at(work))

    def next_work_start(self, moment: datetime) -> datetime:
        """The moment itself when it is working time, else when work next resumes."""
        return from_minute(self.start_at(self.ordinal(to_minute(moment))))

    def previous_work_finish(self, moment: datetime) -> datetime:
        """The moment itself when it is working time, else when work last stopped."""
        return from_minute(self.finish_at(self.ordinal(to_minute(moment))))

    def is_working_day(self, day: date) -> bool:
        return bool(self.spec.hours_on(day))

    def minutes_to_days(self, minutes: int) -> float:
        return minutes / (self.hours_per_day * 60.0) if self.hours_per_day else 0.0
