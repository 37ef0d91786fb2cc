"""`keyprojects bulletin --year Y --month M --out FILE`."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from docx import Document

from keyprojects.audit.models import AuditEntry
from keyprojects.bulletins.models import Bulletin

from .conftest import MONTH, YEAR
from .test_files import needs_cjk_font, pdf_text


def bulletin(*args: str) -> str:
    out = io.StringIO()
    call_command("bulletin", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_it_drafts_the_month_and_writes_the_word_file(world, programme, tmp_path):
    target = tmp_path / "通报.docx"
    said = bulletin(
        "--year", str(YEAR), "--month", str(MONTH), "--out", str(target), "--jurisdiction", "500103"
    )
    assert "通报.docx" in said
    doc = Document(str(target))
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert "老鼓楼衙署遗址公园" in cells
    made = Bulletin.objects.get()
    assert (made.status, made.year, made.month) == ("draft", YEAR, MONTH)
    assert AuditEntry.objects.filter(model="bulletins.bulletin", channel="command").exists()


@needs_cjk_font
def test_it_writes_the_pdf(world, programme, tmp_path):
    target = tmp_path / "bulletin.pdf"
    bulletin(
        "--year", str(YEAR), "--month", str(MONTH), "--out", str(target), "--jurisdiction", "500103"
    )
    assert "老鼓楼衙署遗址公园" in pdf_text(target.read_bytes())


def test_a_published_bulletin_is_written_as_archived(world, published, tmp_path):
    target = tmp_path / "archived.pdf"
    said = bulletin(
        "--year", str(YEAR), "--month", str(MONTH), "--out", str(target), "--jurisdiction", "500103"
    )
    with published.pdf.open("rb") as handle:
        assert target.read_bytes() == handle.read()
    assert "published" in said


def test_a_draft_keeps_the_offices_text_when_its_figures_are_refreshed(world, draft, tmp_path):
    from keyprojects.bulletins import services

    services.bulletin_update(bulletin=draft, next_steps="办公室写的下步工作。")
    bulletin(
        "--year",
        str(YEAR),
        "--month",
        str(MONTH),
        "--out",
        str(tmp_path / "a.docx"),
        "--jurisdiction",
        "500103",
    )
    doc = Document(str(tmp_path / "a.docx"))
    assert "办公室写的下步工作。" in [p.text for p in doc.paragraphs]
    assert Bulletin.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "x.txt"], ".docx or .pdf"),
        (["--out", "/no/such/folder/x.docx"], "no folder"),
        (["--out", "x.docx", "--jurisdiction", "999999"], "999999"),
        (["--out", "x.docx", "--year", "2026", "--month", "12"], "not begun"),
    ],
)
def test_bad_input_is_refused_with_the_reason(world, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    with (
        time_machine.travel(dt.datetime(2026, 11, 5, 9, tzinfo=dt.UTC), tick=False),
        pytest.raises(CommandError) as refused,
    ):
        call_command("bulletin", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert message in str(refused.value)
    assert not Bulletin.objects.exists()
