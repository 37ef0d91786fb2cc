import datetime as dt

import pytest

from keyprojects.scheduling import engine as e


def test_a_deadline_on_the_last_covered_working_day_is_usable():
    cal = e.prc_calendar(days_per_week=5)
    last_year = cal.covered_years[1]
    last_day = dt.date(last_year, 12, 31)
    while cal.hours_on(last_day) == ():
        last_day -= dt.timedelta(days=1)
    deadline = dt.datetime.combine(last_day, dt.time(17))
    model = e.Schedule(
        id="1", name="x", data_date=dt.datetime(last_year, 9, 28, 8), deadline=deadline,
        default_calendar_id=cal.id, calendars={cal.id: cal},
        activities=[e.Activity(id="1", code="A", calendar_id=cal.id, original_duration=3 * 480)],
    )  # fmt: skip
    assert e.schedule(model).activities["1"].late_finish == deadline
    model.deadline = dt.datetime(last_year + 1, 3, 1, 17)
    with pytest.raises(e.CalendarCoverageError):
        e.schedule(model)
