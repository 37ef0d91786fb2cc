import datetime as dt

import pytest

from keyprojects.scheduling import engine as e

WEEK = tuple([((480, 720), (780, 1020))] * 5 + [(), ()])


def small_schedule(*, loop: bool = False, deadline: dt.datetime | None = None) -> e.Schedule:
    """A → B → C (5, 10 and 3 working days), and D alongside B with float."""
    cal = e.CalendarSpec(id="1", name="五天工作制", week=WEEK, hours_per_day=8.0, is_default=True)  # type: ignore[arg-type]
    day = 8 * 60
    acts = [
        e.Activity(
            id="1", code="A100", name="场地平整", calendar_id="1", original_duration=5 * day
        ),
        e.Activity(
            id="2", code="A200", name="主体结构", calendar_id="1", original_duration=10 * day
        ),
        e.Activity(
            id="3", code="A300", name="竣工验收", calendar_id="1", original_duration=3 * day
        ),
        e.Activity(
            id="4", code="A400", name="景观绿化", calendar_id="1", original_duration=2 * day
        ),
    ]
    rels = [e.Relation("1", "2"), e.Relation("2", "3"), e.Relation("1", "4"), e.Relation("4", "3")]
    if loop:
        rels.append(e.Relation("3", "1"))
    return e.Schedule(
        id="1",
        name="老鼓楼进度计划",
        data_date=dt.datetime(2026, 3, 2, 8, 0),
        start=dt.datetime(2026, 3, 2, 8, 0),
        deadline=deadline,
        default_calendar_id="1",
        calendars={"1": cal},
        activities=acts,
        relations=rels,
    )


@pytest.fixture
def xer_bytes():
    def make(**kwargs):
        return e.write_xer_text(small_schedule(**kwargs)).encode("utf-8")

    return make
