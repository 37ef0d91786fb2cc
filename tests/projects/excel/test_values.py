import datetime as dt
from decimal import Decimal

import pytest

from keyprojects.projects.excel.columns import match_header, section_batch
from keyprojects.projects.excel.values import (
    CellProblem,
    parse_amount,
    parse_date,
    parse_date_range,
    parse_year_range,
)


@pytest.mark.parametrize(
    ("value", "unit", "yuan"),
    [
        (1234.5, "万元", "12345000.00"),
        (12, "亿元", "1200000000.00"),
        (1500, "元", "1500.00"),
        ("1,234.5", "万元", "12345000.00"),
        ("1.2亿", "万元", "120000000.00"),
        ("3000万元", "亿元", "30000000.00"),
        ("１２３", "万元", "1230000.00"),
        (" 45 ", "万元", "450000.00"),
        ("0.000001", "万元", "0.01"),
        (0, "万元", "0.00"),
        ("-", "万元", None),
        ("", "万元", None),
        (None, "万元", None),
    ],
)
def test_it_reads_amounts_into_yuan(value, unit, yuan):
    result = parse_amount(value, unit)
    assert (str(result) if result is not None else None) == yuan


@pytest.mark.parametrize("value", [-1, "-5", "abc", "1.2.3", True, float("nan"), "1e400", 10**13])
def test_it_refuses_what_is_not_an_amount(value):
    with pytest.raises(CellProblem):
        parse_amount(value, "万元")


@pytest.mark.parametrize(
    ("value", "end", "expected"),
    [
        (dt.datetime(2022, 3, 15, 0, 0), False, dt.date(2022, 3, 15)),
        (dt.date(2022, 3, 15), False, dt.date(2022, 3, 15)),
        ("2022年3月", False, dt.date(2022, 3, 1)),
        ("2022年3月", True, dt.date(2022, 3, 31)),
        ("2022.03", False, dt.date(2022, 3, 1)),
        (2022.03, False, dt.date(2022, 3, 1)),
        (2022.12, True, dt.date(2022, 12, 31)),
        ("2022-03-15", False, dt.date(2022, 3, 15)),
        ("2022/3/15", False, dt.date(2022, 3, 15)),
        ("2022年3月15日", False, dt.date(2022, 3, 15)),
        ("２０２２年３月", False, dt.date(2022, 3, 1)),
        ("2022年", True, dt.date(2022, 12, 31)),
        ("2022年底", True, dt.date(2022, 12, 31)),
        (44635, False, dt.date(2022, 3, 15)),
        ("", False, None),
    ],
)
def test_it_reads_dates_in_every_form_officials_write(value, end, expected):
    assert parse_date(value, end_of_period=end) == expected


@pytest.mark.parametrize("value", ["2022年13月", "2022-02-30", "明年", "3月", 12, True])
def test_it_refuses_what_is_not_a_date(value):
    with pytest.raises(CellProblem):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-2023", (2021, 2023)),
        ("2021—2023年", (2021, 2023)),
        ("2021年至2023年", (2021, 2023)),
        ("2021~2023", (2021, 2023)),
        (2024, (2024, 2024)),
        ("2024年", (2024, 2024)),
        ("", (None, None)),
    ],
)
def test_it_reads_construction_years(value, expected):
    assert parse_year_range(value) == expected


def test_it_reads_a_pair_of_dates_in_one_cell():
    assert parse_date_range("2022.03-2023.12") == (dt.date(2022, 3, 1), dt.date(2023, 12, 31))
    assert parse_date_range("2022-03-15至2023-06-30") == (
        dt.date(2022, 3, 15),
        dt.date(2023, 6, 30),
    )


@pytest.mark.parametrize(
    ("header", "group", "key", "unit"),
    [
        ("项目名称", "", "name", None),
        ("项目\n名 称", "", "name", None),
        ("项目名", "", "name", None),
        ("建设单位", "", "owner_unit", None),
        ("项目业主", "", "owner_unit", None),
        ("牵头单位", "", "responsible_unit", None),
        ("总投资（万元）", "", "total_investment", "万元"),
        ("总投资\n(亿元)", "", "total_investment", "亿元"),
        ("计划总投资", "", "total_investment", None),
        ("2026年计划投资", "", "investment_target", None),
        ("年度计划", "", "investment_target", None),
        ("1-10月完成投资", "", "ytd_completed", None),
        ("1—10月累计完成投资（万元）", "", "ytd_completed", "万元"),
        ("10月完成投资", "", "month_completed", None),
        ("本年累计完成", "", "ytd_completed", None),
        ("开工", "计划开工/竣工日期", "planned_start", None),
        ("竣工", "计划开工/竣工日期", "planned_completion", None),
        ("起", "建设起止年限", "start_year", None),
        ("止", "建设起止年限", "end_year", None),
        ("总投资", "投资情况（亿元）", "total_investment", "亿元"),
        ("金额", "本年累计完成投资", "ytd_completed", None),
        ("占年度计划％", "", "plan_share", None),
        ("建设单位（业主）", "", "owner_unit", None),
        ("总投资（万元）（含征收）", "", "total_investment", "万元"),
    ],
)
def test_it_recognises_headers_as_officials_word_them(header, group, key, unit):
    found = match_header(header, group)
    assert found is not None and (found.key, found.unit) == (key, unit)


@pytest.mark.parametrize(
    ("text", "batch"),
    [
        ("一、新开工项目", "new_start"),
        ("（一）续建项目", "continuing"),
        ("续建项目（12个）", "continuing"),
        ("三、建成项目（5个，总投资12亿元）", "completed"),
        ("四、储备项目", "reserve"),
        ("2. 竣工投用项目", "completed"),
        ("解放碑地下停车库续建工程", None),
        ("合计", None),
    ],
)
def test_it_reads_the_batch_of_a_section_row(text, batch):
    assert section_batch(text) == batch


def test_amounts_keep_their_cents():
    assert parse_amount(32001.234567, "万元") == Decimal("320012345.67")
