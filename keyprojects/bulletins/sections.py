"""The sections of a bulletin, drawn from its figures (the snapshot) and the office's text:
一、总体情况, 二、分批次推进情况, 三、单位排名, 四、进度滞后项目, 五、未解决问题,
六、项目进展照片, and 下步工作."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from keyprojects.projects.choices import Batch, Light, Stage

from .document import (
    Block,
    Column,
    Document,
    Photo,
    Section,
    Table,
    TableCounter,
    date_label,
    decimal,
    heading_number,
    iso_date,
    item_number,
    money,
    month_label,
    pace_phrase,
    paragraphs,
    pct,
    period_label,
    points,
    subheading,
    table_block,
    text,
    wan,
)
from .models import Bulletin


def build(bulletin: Bulletin, content: dict[str, Any] | None) -> Document:
    """The document for `bulletin` and its figures; call inside `document_language()`."""
    content = content or {}
    tables = TableCounter()
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
    return Document(
        masthead=bulletin.masthead,
        number_label=bulletin.number_label,
        issuing_body=bulletin.issuing_body,
        date_label=date_label(bulletin.issue_date),
        title=bulletin.title,
        lead=paragraphs(bulletin.summary),
        sections=sections,
        copy_to=bulletin.copy_to.strip(),
    )


def _caption(counter: TableCounter, title: str) -> str:
    return _("Table %(n)s: %(title)s") % {"n": counter.next(), "title": title}


def _overall(content: dict[str, Any], tables: TableCounter) -> list[Block]:
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
    if decimal(o["annual_target"]):
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
        if decimal(o["month_completed"]):
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


def _batches(content: dict[str, Any], tables: TableCounter) -> list[Block]:
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
        k: sum((decimal(b[k]) or 0 for b in batches), Decimal(0)) for k in keys
    }
    total["projects"] = int(total["projects"])
    target, done = total["annual_target"], total["ytd_completed"]
    total["share"] = (done * 100 / target).quantize(Decimal("0.01")) if target else None
    weights = [(decimal(b["annual_target"]) or 0, decimal(b["expected_share"])) for b in batches]
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


def _batch_blocks(entry: dict[str, Any], tables: TableCounter) -> list[Block]:
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
    if batch != Batch.RESERVE and decimal(entry["annual_target"]):
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


def _late_table(tables: TableCounter, title: str, when: str, rows: list[dict[str, Any]]) -> Table:
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
    "score": lambda v: "—" if v is None else f"{decimal(v):.2f}",
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


def _ranking(content: dict[str, Any], tables: TableCounter) -> list[Block]:
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


def _lagging(content: dict[str, Any], tables: TableCounter) -> list[Block]:
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


def _problems(content: dict[str, Any], tables: TableCounter) -> list[Block]:
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
                        iso_date(item["deadline"]),
                        str(item["overdue_days"]) if item["overdue_days"] else "",
                    ]
                    for i, item in enumerate(items, start=1)
                ],
                note=note,
            )
        )
    )
    return blocks


def _photos(content: dict[str, Any], tables: TableCounter) -> list[Block]:
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
