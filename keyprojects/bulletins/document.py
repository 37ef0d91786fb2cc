"""The bulletin as a document: headings, paragraphs, tables and photos built from the
snapshot and the office's text, in the deployment's language. The HTML preview, the PDF and
the Word file are all drawn from this one structure, so they say the same thing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from keyprojects.projects.choices import Batch, Light, Stage

from .models import Bulletin

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


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def wan(value: Any) -> str:
    """Yuan shown in 万元, two decimals, grouped."""
    amount = _decimal(value)
    return "—" if amount is None else f"{amount / WAN:,.2f}"


def money(value: Any) -> str:
    return _("%(amount)s (10,000 yuan)") % {"amount": wan(value)}


def pct(value: Any) -> str:
    number = _decimal(value)
    return "—" if number is None else f"{number:.1f}%"


def points(value: Any) -> str:
    number = _decimal(value)
    return "—" if number is None else f"{number:+.1f}"


def date_label(value: Any) -> str:
    if not value:
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return formats.date_format(value, "DATE_FORMAT")


def _iso(value: Any) -> str:
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
    gap = _decimal(gap_points)
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
    issued_line: str
    draft: bool

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


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


def build(bulletin: Bulletin, content: dict[str, Any] | None) -> Document:
    """The document for `bulletin` and its figures; call inside `document_language()`."""
    content = content or {}
    tables = _Counter()
    sections: list[Section] = []
    if content:
        b = bulletin
        builders = [
            (
                "overall",
                pgettext("bulletin section", "Overall situation"),
                _overall,
                b.comment_overall,
            ),
            (
                "batches",
                pgettext("bulletin section", "Progress by batch"),
                _batches,
                b.comment_batches,
            ),
            (
                "ranking",
                pgettext("bulletin section", "Ranking of units"),
                _ranking,
                b.comment_ranking,
            ),
            (
                "lagging",
                pgettext("bulletin section", "Projects behind schedule"),
                _lagging,
                b.comment_lagging,
            ),
            (
                "problems",
                pgettext("bulletin section", "Problems still open"),
                _problems,
                b.comment_problems,
            ),
            ("photos", pgettext("bulletin section", "Photos of progress"), _photos, ""),
        ]
        for key, heading, make, comment in builders:
            blocks = make(content, tables)
            if not blocks:
                continue
            blocks += [text(p) for p in paragraphs(comment)]
            sections.append(Section(key, heading, blocks))
    steps = paragraphs(bulletin.next_steps)
    if steps:
        heading = pgettext("bulletin section", "Next steps")
        sections.append(Section("next_steps", heading, [text(p) for p in steps]))
    for n, section in enumerate(sections, start=1):
        section.heading = heading_number(n) + section.heading
    issued = _("%(body)s, %(date)s") % {
        "body": bulletin.issuing_body,
        "date": date_label(bulletin.issue_date),
    }
    return Document(
        masthead=bulletin.masthead,
        number_label=bulletin.number_label,
        issuing_body=bulletin.issuing_body,
        date_label=date_label(bulletin.issue_date),
        title=bulletin.title,
        lead=paragraphs(bulletin.summary),
        sections=sections,
        copy_to=bulletin.copy_to.strip(),
        issued_line=issued,
        draft=not bulletin.is_published,
    )


def _caption(counter: _Counter, title: str) -> str:
    return _("Table %(n)s: %(title)s") % {"n": counter.next(), "title": title}


def _overall(content: dict[str, Any], tables: _Counter) -> list[Block]:
    o = content["overall"]
    month = content["month"]
    batches = o["batches"]
    blocks = [
        text(
            _(
                "In %(year)s the programme has %(projects)s key projects with a total investment "
                "of %(total)s; %(new)s are new starts, %(continuing)s continuing, %(completing)s "
                "to be completed and %(reserve)s in reserve."
            )
            % {
                "year": content["year"],
                "projects": o["projects"],
                "total": money(o["total_investment"]),
                "new": batches.get(Batch.NEW_START, 0),
                "continuing": batches.get(Batch.CONTINUING, 0),
                "completing": batches.get(Batch.COMPLETED, 0),
                "reserve": batches.get(Batch.RESERVE, 0),
            }
        )
    ]
    if _decimal(o["annual_target"]):
        sentence = _(
            "The annual investment plan is %(target)s. In %(period)s, %(done)s was completed, "
            "%(share)s of the plan; the time-proportional share is %(expected)s, so the "
            "programme is %(pace)s."
        ) % {
            "target": money(o["annual_target"]),
            "period": period_label(month),
            "done": money(o["ytd_completed"]),
            "share": pct(o["share"]),
            "expected": pct(o["expected_share"]),
            "pace": pace_phrase(o["gap_points"]),
        }
        if _decimal(o["month_completed"]):
            sentence += _(" In month %(month)s alone, %(amount)s was completed.") % {
                "month": month,
                "amount": money(o["month_completed"]),
            }
        blocks.append(text(sentence))
        lights = o["lights"]
        blocks.append(
            text(
                _(
                    "Of the %(count)s projects with an annual plan, %(green)s are green, "
                    "%(yellow)s yellow and %(red)s red."
                )
                % {
                    "count": o["with_target"],
                    "green": lights.get(Light.GREEN, 0),
                    "yellow": lights.get(Light.YELLOW, 0),
                    "red": lights.get(Light.RED, 0),
                }
            )
        )
    else:
        blocks.append(text(_("No annual investment plan has been set for the year yet.")))
    return blocks


def _figures_row(label: str, f: dict[str, Any]) -> list[str]:
    lights = f.get("lights", {})
    return [
        label,
        str(f["projects"]),
        wan(f["total_investment"]),
        wan(f["annual_target"]),
        wan(f["ytd_completed"]),
        pct(f["share"]),
        pct(f["expected_share"]),
        points(f["gap_points"]),
        str(lights.get(Light.RED, 0)),
        str(lights.get(Light.YELLOW, 0)),
    ]


def _batches(content: dict[str, Any], tables: _Counter) -> list[Block]:
    labels = dict(Batch.choices)
    batches = content["batches"]
    summary = Table(
        caption=_caption(tables, _("Progress by batch (10,000 yuan)")),
        columns=[
            Column(pgettext("bulletin table", "Batch"), "center", 1.1),
            Column(pgettext("bulletin table", "Projects"), "right", 0.8),
            Column(pgettext("bulletin table", "Total investment"), "right", 1.4),
            Column(pgettext("bulletin table", "Annual plan"), "right", 1.3),
            Column(pgettext("bulletin table", "Completed"), "right", 1.3),
            Column(pgettext("bulletin table", "Completion"), "right", 1),
            Column(pgettext("bulletin table", "序时 share"), "right", 1),
            Column(pgettext("bulletin table", "Gap (points)"), "right", 1),
            Column(pgettext("bulletin table", "Red"), "right", 0.7),
            Column(pgettext("bulletin table", "Yellow"), "right", 0.7),
        ],
        rows=[_figures_row(str(labels[b["batch"]]), b) for b in batches],
    )
    summary.rows.append(_figures_row(_("Total"), _total(batches)))
    blocks = [table_block(summary)]
    for n, entry in enumerate(batches, start=1):
        blocks.append(subheading(item_number(n) + str(labels[entry["batch"]])))
        blocks.extend(_batch_blocks(entry, tables))
    return blocks


def _total(batches: list[dict[str, Any]]) -> dict[str, Any]:
    """The summary table's total row, from the batches' own figures."""
    keys = ("projects", "total_investment", "annual_target", "ytd_completed")
    total: dict[str, Any] = {
        k: sum((_decimal(b[k]) or 0 for b in batches), Decimal(0)) for k in keys
    }
    total["projects"] = int(total["projects"])
    target, done = total["annual_target"], total["ytd_completed"]
    total["share"] = (done * 100 / target).quantize(Decimal("0.01")) if target else None
    weights = [(_decimal(b["annual_target"]) or 0, _decimal(b["expected_share"])) for b in batches]
    planned = sum((w for w, e in weights if e is not None), Decimal(0))
    expected = (
        (sum((w * e for w, e in weights if e is not None), Decimal(0)) / planned).quantize(
            Decimal("0.01")
        )
        if planned
        else None
    )
    total["expected_share"] = expected
    total["gap_points"] = (
        total["share"] - expected if total["share"] is not None and expected is not None else None
    )
    total["lights"] = {
        light: sum(b["lights"].get(light, 0) for b in batches) for light in Light.values
    }
    return total


def _batch_blocks(entry: dict[str, Any], tables: _Counter) -> list[Block]:
    batch = entry["batch"]
    count = entry["projects"]
    if count == 0:
        return [text(_("None this year."))]
    blocks = []
    if batch == Batch.NEW_START:
        started = entry.get("started", 0)
        blocks.append(
            text(
                _(
                    "%(count)s projects are to start works this year; %(started)s have started "
                    "(%(rate)s)."
                )
                % {"count": count, "started": started, "rate": pct(started * 100 / count)}
            )
        )
    elif batch == Batch.COMPLETED:
        blocks.append(
            text(
                _(
                    "%(count)s projects are to be completed this year; %(finished)s have been "
                    "completed."
                )
                % {"count": count, "finished": entry.get("finished", 0)}
            )
        )
    elif batch == Batch.RESERVE:
        stages = entry.get("stages", {})
        blocks.append(
            text(
                _(
                    "%(count)s reserve projects with a total investment of %(total)s; "
                    "%(preliminary)s of them are in preliminary work."
                )
                % {
                    "count": count,
                    "total": money(entry["total_investment"]),
                    "preliminary": stages.get(Stage.PRELIMINARY, 0),
                }
            )
        )
    if batch != Batch.RESERVE and _decimal(entry["annual_target"]):
        blocks.append(
            text(
                _(
                    "Their annual plan is %(target)s; %(done)s was completed, %(share)s of it, "
                    "%(pace)s of the time-proportional share."
                )
                % {
                    "target": money(entry["annual_target"]),
                    "done": money(entry["ytd_completed"]),
                    "share": pct(entry["share"]),
                    "pace": pace_phrase(entry["gap_points"]),
                }
            )
        )
    late = entry.get("late_start") or []
    if late:
        blocks.append(
            text(
                _("%(count)s projects have passed their planned start without starting works:")
                % {"count": len(late)}
            )
        )
        blocks.append(
            table_block(
                _late_table(tables, _("Projects not started on time"), _("Planned start"), late)
            )
        )
    late = entry.get("late_completion") or []
    if late:
        blocks.append(
            text(
                _(
                    "%(count)s projects have passed their planned completion without being "
                    "completed:"
                )
                % {"count": len(late)}
            )
        )
        blocks.append(
            table_block(
                _late_table(
                    tables, _("Projects not completed on time"), _("Planned completion"), late
                )
            )
        )
    return blocks


def _late_table(tables: _Counter, title: str, when: str, rows: list[dict[str, Any]]) -> Table:
    return Table(
        caption=_caption(tables, title),
        columns=[
            Column(pgettext("bulletin table", "No."), "center", 0.5),
            Column(pgettext("bulletin table", "Project"), "left", 3),
            Column(pgettext("bulletin table", "Owner unit"), "left", 1.6),
            Column(pgettext("bulletin table", "Responsible unit"), "left", 1.6),
            Column(when, "center", 1.2),
        ],
        rows=[
            [
                str(i),
                r["project"],
                r["owner_unit"],
                r["responsible_unit"],
                month_label(r["planned"]),
            ]
            for i, r in enumerate(rows, start=1)
        ],
    )


FORMATTERS: dict[str, Callable[[Any], str]] = {
    "int": lambda v: "—" if v is None else str(v),
    "text": lambda v: "" if v is None else str(v),
    "money": wan,
    "share": pct,
    "points": points,
    "score": lambda v: "—" if v is None else f"{_decimal(v):.2f}",
}
ALIGN = {
    "int": "right",
    "text": "left",
    "money": "right",
    "share": "right",
    "points": "right",
    "score": "right",
}
WIDTH = {"int": 0.6, "text": 2.2, "money": 1.3, "share": 1.0, "points": 1.0, "score": 1.0}


def _ranking(content: dict[str, Any], tables: _Counter) -> list[Block]:
    ranking = content["ranking"]
    if not ranking["rows"]:
        return [text(_("No unit has projects with an annual plan to rank."))]
    columns = ranking["columns"]
    table = Table(
        caption=_caption(tables, pgettext("bulletin section", "Ranking of units")),
        columns=[
            Column(
                c["label"], "center" if c["key"] == "rank" else ALIGN[c["kind"]], WIDTH[c["kind"]]
            )
            for c in columns
        ],
        rows=[
            [FORMATTERS[c["kind"]](row.get(c["key"])) for c in columns] for row in ranking["rows"]
        ],
    )
    blocks = [text(ranking["basis"]), table_block(table)]
    if ranking.get("without_target"):
        blocks.append(
            text(
                _("Units without an annual plan, not ranked: %(units)s.")
                % {"units": "、".join(ranking["without_target"])}
            )
        )
    return blocks


def _lagging(content: dict[str, Any], tables: _Counter) -> list[Block]:
    """Red projects, then yellow ones, each in a table of their own (as bulletins list them,
    and legible in black and white)."""
    rows = content["lagging"]
    if not rows:
        return [text(_("No project is behind the time-proportional share this month."))]
    red = [r for r in rows if r["light"] == Light.RED]
    yellow = [r for r in rows if r["light"] != Light.RED]
    blocks = [
        text(
            _(
                "%(red)s projects are red (more than the red threshold behind the "
                "time-proportional share) and %(yellow)s yellow; their units are named below "
                "with the gap."
            )
            % {"red": len(red), "yellow": len(yellow)}
        )
    ]
    groups = [
        (red, _("Red-light projects (%(count)s)"), _("Red-light projects (10,000 yuan)")),
        (yellow, _("Yellow-light projects (%(count)s)"),
         _("Yellow-light projects (10,000 yuan)")),
    ]  # fmt: skip
    n = 0
    for members, heading, caption in groups:
        if not members:
            continue
        n += 1
        blocks.append(subheading(item_number(n) + heading % {"count": len(members)}))
        blocks.append(table_block(_lagging_table(_caption(tables, caption), members)))
    return blocks


def _lagging_table(caption: str, rows: list[dict[str, Any]]) -> Table:
    return Table(
        caption=caption,
        columns=[
            Column(pgettext("bulletin table", "No."), "center", 0.5),
            Column(pgettext("bulletin table", "Project"), "left", 2.2),
            Column(pgettext("bulletin table", "Owner unit"), "left", 1.35),
            Column(pgettext("bulletin table", "Responsible unit"), "left", 1.35),
            Column(pgettext("bulletin table", "Annual plan"), "right", 1.35),
            Column(pgettext("bulletin table", "Completed"), "right", 1.35),
            Column(pgettext("bulletin table", "Completion"), "right", 0.95),
            Column(pgettext("bulletin table", "Gap (points)"), "right", 0.95),
            Column(pgettext("bulletin table", "Problem reported"), "left", 2.0),
        ],
        rows=[
            [
                str(i),
                r["project"],
                r["owner_unit"],
                r["responsible_unit"],
                wan(r["annual_target"]),
                wan(r["ytd_completed"]),
                pct(r["actual_share"]),
                points(r["gap_points"]),
                r["reason"],
            ]
            for i, r in enumerate(rows, start=1)
        ],
    )


def _problems(content: dict[str, Any], tables: _Counter) -> list[Block]:
    problems = content["problems"]
    if not problems["total"]:
        return [text(_("No problem or supervised task is open."))]
    if problems["source"] == "problems":
        intro = _(
            "%(total)s problems raised by the projects are still open, %(overdue)s of "
            "them past their deadline."
        )
    else:
        intro = _(
            "%(total)s supervised tasks are still open, %(overdue)s of them past their deadline."
        )
    blocks = [text(intro % {"total": problems["total"], "overdue": problems["overdue"]})]
    blocks.append(
        table_block(
            Table(
                caption=_caption(tables, _("Open items by unit")),
                columns=[
                    Column(pgettext("bulletin table", "Unit"), "left", 3),
                    Column(pgettext("bulletin table", "Open"), "right", 1),
                    Column(pgettext("bulletin table", "Overdue"), "right", 1),
                ],
                rows=[[u["unit"], str(u["open"]), str(u["overdue"])] for u in problems["units"]],
            )
        )
    )
    items = problems["items"]
    note = ""
    if len(items) < problems["total"]:
        note = _("The %(listed)s most overdue of %(total)s are listed.") % {
            "listed": len(items),
            "total": problems["total"],
        }
    blocks.append(
        table_block(
            Table(
                caption=_caption(tables, _("Open items")),
                columns=[
                    Column(pgettext("bulletin table", "No."), "center", 0.5),
                    Column(pgettext("bulletin table", "Item"), "left", 3),
                    Column(pgettext("bulletin table", "Project"), "left", 2),
                    Column(pgettext("bulletin table", "Unit"), "left", 1.6),
                    Column(pgettext("bulletin table", "Deadline"), "center", 1.2),
                    Column(pgettext("bulletin table", "Days overdue"), "right", 0.8),
                ],
                rows=[
                    [
                        str(i),
                        item["title"],
                        item["project"],
                        item["unit"],
                        _iso(item["deadline"]),
                        str(item["overdue_days"]) if item["overdue_days"] else "",
                    ]
                    for i, item in enumerate(items, start=1)
                ],
                note=note,
            )
        )
    )
    return blocks


def _photos(content: dict[str, Any], tables: _Counter) -> list[Block]:
    photos = content.get("photos") or []
    if not photos:
        return []
    return [
        Block(
            "photos",
            photos=[
                Photo(
                    caption=f"{p['project']}" + (f"：{p['caption']}" if p["caption"] else ""),
                    image=p["image"],
                    thumbnail=p["thumbnail"],
                )
                for p in photos
            ],
        )
    ]
