"""Random cells give errors or warnings, never an exception."""

import contextlib
import datetime as dt
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyprojects.projects.excel import ledger_preview
from keyprojects.projects.excel.reader import LedgerFileError, read_layout
from keyprojects.projects.excel.rows import parse_rows
from keyprojects.projects.excel.values import (
    CellProblem,
    parse_amount,
    parse_date,
    parse_date_range,
    parse_year_range,
)

from .ledgers import workbook_bytes

HEADER = [
    "序号",
    "项目代码",
    "项目名称",
    "业主单位",
    "责任单位",
    "建设起止年限",
    "计划开工日期",
    "计划竣工日期",
    "总投资（亿元）",
    "年度计划投资",
    "本年累计完成投资",
    "级别",
    "行业",
]

words = st.sampled_from(
    [
        "一、新开工项目",
        "续建项目（3个）",
        "合计",
        "注：",
        "2022年3月",
        "2021—2023年",
        "1.2亿",
        "区城投公司",
        "-",
        "",
        "2026-500103-78-01-000001",
        "市级",
        "交通",
        "１２３",
        "3000万元",
        "2022.13",
        "2022/2/30",
        "9" * 30,
        "\n",
        "（亿元）",
    ]
)
cells = st.one_of(
    st.none(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    words,
    st.dates(min_value=dt.date(1900, 1, 1)),
    st.booleans(),
)


printable = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12)


@given(cells)
def test_value_readers_raise_only_cell_problems(value):
    for read in (parse_amount, parse_date, parse_date_range, parse_year_range):
        with contextlib.suppress(CellProblem):
            read(value)


@given(st.lists(st.lists(cells, max_size=len(HEADER)), max_size=12), st.booleans())
def test_random_rows_under_a_header_never_crash_the_reader(rows, two_rows):
    grid = [["渝中区2026年重点项目建设台账"], HEADER]
    if two_rows:
        grid.append(["", "", "", "", "", "", "开工", "竣工"])
    grid.extend(rows)
    try:
        sheet = read_layout(grid, [])
    except LedgerFileError:
        return
    parse_rows(sheet)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.lists(
            st.one_of(st.none(), st.integers(-5, 10**9), printable, words),
            min_size=len(HEADER),
            max_size=len(HEADER),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_random_ledgers_give_errors_never_exceptions(world, rows):
    data = workbook_bytes([["渝中区2026年重点项目建设台账"], HEADER, *rows])
    preview = ledger_preview(io.BytesIO(data), jurisdiction=world.district)
    for problem in preview.errors:
        assert problem.message


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_are_refused_cleanly(data):
    from keyprojects.projects.excel.reader import load_rows, read_bytes

    with contextlib.suppress(LedgerFileError):
        load_rows(read_bytes(b"PK\x03\x04" + data))
