"""The bulletin as a document: headings, paragraphs, tables and photos, in the deployment's
language. The HTML preview, the PDF and the Word file are all drawn from this one structure
(built by `sections.build`), so they say the same thing; and the words and figures' formats
they share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _

WAN = Decimal(10000)
CHINESE_NUMERALS = "一二三四五六七八九十"


@contextmanager
def document_language() -> Iterator[None]:
    """Documents are written in the deployment's language, whoever makes them."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def is_chinese() -> bool:
    return (translation.get_language() or "").startswith("zh")


def numeral(n: int) -> str:
    if not is_chinese():
        return str(n)
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_NUMERALS[tens - 1]
    return head + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")


def heading_number(n: int) -> str:
    return f"{numeral(n)}、" if is_chinese() else f"{n}. "


def item_number(n: int) -> str:
    return f"（{numeral(n)}）" if is_chinese() else f"({n}) "


def decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def wan(value: Any) -> str:
    """Yuan shown in 万元, two decimals, grouped."""
    amount = decimal(value)
    return "—" if amount is None else f"{amount / WAN:,.2f}"


def money(value: Any) -> str:
    return _("%(amount)s (10,000 yuan)") % {"amount": wan(value)}


def pct(value: Any) -> str:
    number = decimal(value)
    return "—" if number is None else f"{number:.1f}%"


def points(value: Any) -> str:
    number = decimal(value)
    return "—" if number is None else f"{number:+.1f}"


def date_label(value: Any) -> str:
    if not value:
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return formats.date_format(value, "DATE_FORMAT")


def iso_date(value: Any) -> str:
    return str(value)[:10] if value else "—"


def month_label(value: Any) -> str:
    if not value:
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return formats.date_format(value, "YEAR_MONTH_FORMAT")


def period_label(month: int) -> str:
    if month == 1:
        return _("January")
    return _("January to month %(month)s") % {"month": month}


def pace_phrase(gap_points: Any) -> str:
    gap = decimal(gap_points)
    if gap is None:
        return ""
    if gap > 0:
        return _("%(points)s points ahead of it") % {"points": f"{gap:.1f}"}
    if gap < 0:
        return _("%(points)s points behind it") % {"points": f"{-gap:.1f}"}
    return _("in line with it")


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# -- the structure ----------------------------------------------------------------------------


@dataclass
class Column:
    label: str
    align: str = "left"  # left, center, right
    width: float = 1.0  # relative


@dataclass
class Table:
    caption: str
    columns: list[Column]
    rows: list[list[str]]
    note: str = ""

    @property
    def dense(self) -> bool:
        """Wide tables are set a size smaller, so that amounts fit their columns."""
        return len(self.columns) >= 8

    def percents(self) -> list[str]:
        total = sum(c.width for c in self.columns) or 1
        return [f"{c.width * 100 / total:.1f}" for c in self.columns]

    def body(self) -> Iterator[list[tuple[str, str]]]:
        """Each row's cells with their alignment, for the templates."""
        aligns = [c.align for c in self.columns]
        for row in self.rows:
            yield list(zip(row, aligns, strict=True))


@dataclass
class Photo:
    caption: str
    image: str  # the stored image's name
    thumbnail: str


@dataclass
class Block:
    kind: str  # paragraph, subheading, table, photos
    text: str = ""
    table: Table | None = None
    photos: list[Photo] = field(default_factory=list)


@dataclass
class Section:
    key: str
    heading: str
    blocks: list[Block]


@dataclass
class Document:
    masthead: str
    number_label: str
    issuing_body: str
    date_label: str
    title: str
    lead: list[str]
    sections: list[Section]
    copy_to: str

    def photos(self) -> Iterator[Photo]:
        for section in self.sections:
            for block in section.blocks:
                yield from block.photos

    def tables(self) -> Iterator[Table]:
        for section in self.sections:
            for block in section.blocks:
                if block.table is not None:
                    yield block.table


def text(value: str) -> Block:
    return Block("paragraph", text=value)


def subheading(value: str) -> Block:
    return Block("subheading", text=value)


def table_block(table: Table) -> Block:
    return Block("table", table=table)


class TableCounter:
    """Numbers the tables of a document in order."""

    def __init__(self) -> None:
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n
