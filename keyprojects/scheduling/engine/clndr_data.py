"""P6's `clndr_data` text: the nested `(0||Name(attrs)(children))` notation.

Weekdays are numbered 1 (Sunday) to 7 (Saturday); exception days are spreadsheet serial
day numbers (day 0 is 1899-12-30, so 44557 is 2021-12-27). A finish of 00:00 means
midnight at the end of the day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from .model import MINUTES_PER_DAY, DayHours, Interval

SERIAL_EPOCH = date(1899, 12, 30)
_JUNK = " \t\r\n\x7f"


@dataclass
class _Node:
    name: str
    attrs: list[str]
    children: list[_Node] = field(default_factory=list)

    def child(self, name: str) -> _Node | None:
        for node in self.children:
            if node.name == name:
                return node
        return None


class ClndrDataError(ValueError):
    """Raised with a short reason; the XER reader adds table and row."""


def _parse(text: str) -> list[_Node]:
    pos = 0
    n = len(text)

    def skip() -> None:
        nonlocal pos
        while pos < n and text[pos] in _JUNK:
            pos += 1

    def node() -> _Node:
        nonlocal pos
        if text[pos] != "(":
            raise ClndrDataError("expected '('")
        sep = text.find("||", pos)
        if sep < 0:
            raise ClndrDataError("expected '||'")
        pos = sep + 2
        open_attrs = text.find("(", pos)
        if open_attrs < 0:
            raise ClndrDataError("expected '('")
        name = text[pos:open_attrs].strip()
        close_attrs = text.find(")", open_attrs)
        if close_attrs < 0:
            raise ClndrDataError("expected ')'")
        attrs = [a for a in text[open_attrs + 1 : close_attrs].split("|") if a != ""]
        pos = close_attrs + 1
        skip()
        if pos >= n or text[pos] != "(":
            raise ClndrDataError("expected children")
        pos += 1
        children: list[_Node] = []
        skip()
        while pos < n and text[pos] == "(":
            children.append(node())
            skip()
        if pos >= n or text[pos] != ")":
            raise ClndrDataError("expected ')' after children")
        pos += 1
        skip()
        if pos >= n or text[pos] != ")":
            raise ClndrDataError("expected ')' closing node")
        pos += 1
        skip()
        return _Node(name, attrs, children)

    skip()
    nodes: list[_Node] = []
    while pos < n:
        nodes.append(node())
        skip()
    return nodes


def _hhmm(value: str) -> int:
    hours, _, minutes = value.partition(":")
    if not hours.isdigit() or not minutes.isdigit():
        raise ClndrDataError(f"bad time {value!r}")
    return int(hours) * 60 + int(minutes)


def _intervals(nodes: list[_Node]) -> DayHours:
    result: list[Interval] = []
    for node in nodes:
        pairs = dict(zip(node.attrs[0::2], node.attrs[1::2], strict=False))
        if "s" not in pairs or "f" not in pairs:
            raise ClndrDataError("interval without start or finish")
        start, finish = _hhmm(pairs["s"]), _hhmm(pairs["f"])
        if finish <= start:
            finish += MINUTES_PER_DAY if finish == 0 or finish <= start else 0
        finish = min(finish, MINUTES_PER_DAY)
        if finish > start:
            result.append((start, finish))
    result.sort()
    merged: list[Interval] = []
    for start, finish in result:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((start, finish))
    return tuple(merged)


Week = tuple[DayHours, DayHours, DayHours, DayHours, DayHours, DayHours, DayHours]


def parse_clndr_data(text: str) -> tuple[Week | None, dict[date, DayHours]]:
    """Return (week Monday-first or None when absent, exceptions)."""
    roots = _parse(text)
    if not roots:
        return None, {}
    root = roots[0]
    week: Week | None = None
    days = root.child("DaysOfWeek")
    if days is not None:
        by_p6 = {node.name: _intervals(node.children) for node in days.children}
        # P6 numbers Sunday 1 .. Saturday 7; the model is Monday first.
        order = ["2", "3", "4", "5", "6", "7", "1"]
        week = (
            by_p6.get(order[0], ()),
            by_p6.get(order[1], ()),
            by_p6.get(order[2], ()),
            by_p6.get(order[3], ()),
            by_p6.get(order[4], ()),
            by_p6.get(order[5], ()),
            by_p6.get(order[6], ()),
        )
    exceptions: dict[date, DayHours] = {}
    found = root.child("Exceptions")
    if found is not None:
        for node in found.children:
            pairs = dict(zip(node.attrs[0::2], node.attrs[1::2], strict=False))
            serial = pairs.get("d", "")
            if not serial.isdigit():
                raise ClndrDataError(f"bad exception day {serial!r}")
            exceptions[SERIAL_EPOCH + timedelta(days=int(serial))] = _intervals(node.children)
    return week, exceptions


def _hm(minutes: int) -> str:
    if minutes >= MINUTES_PER_DAY:
        minutes = 0
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _format_hours(hours: DayHours, indent: str) -> str:
    if not hours:
        return "()"
    lines = "".join(
        f"\x7f\x7f{indent}(0||{i}(s|{_hm(s)}|f|{_hm(f)})())" for i, (s, f) in enumerate(hours)
    )
    return f"({lines})"


def format_clndr_data(week: Week, exceptions: dict[date, DayHours]) -> str:
    p6_days = [week[6], week[0], week[1], week[2], week[3], week[4], week[5]]
    days = "".join(
        f"\x7f\x7f    (0||{n}(){_format_hours(h, '      ')})" for n, h in enumerate(p6_days, 1)
    )
    excs = "".join(
        f"\x7f\x7f    (0||{i}(d|{(d - SERIAL_EPOCH).days}){_format_hours(h, '      ')})"
        for i, (d, h) in enumerate(sorted(exceptions.items()))
    )
    return (
        f"(0||CalendarData()(\x7f\x7f  (0||DaysOfWeek()({days}))"
        f"\x7f\x7f  (0||VIEW(ShowTotal|Y)())"
        f"\x7f\x7f  (0||Exceptions()({excs}))))"
    )
