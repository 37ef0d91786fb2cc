"""The Word file opened again with python-docx, the PDF's text extracted, and the background
job that makes them."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from pypdf import PdfReader

from keyprojects.bulletins import services
from keyprojects.bulletins.document import document_language
from keyprojects.bulletins.models import Bulletin
from keyprojects.bulletins.rendering import cjk_font_available
from keyprojects.jobs.models import Job, JobStatus
from keyprojects.progress.choices import ReportStatus
from keyprojects.progress.models import MonthlyReport
from keyprojects.progress.services import photo_add

from .conftest import MONTH, YEAR, run_worker
from .test_drafting import jpeg

needs_cjk_font = pytest.mark.skipif(
    not cjk_font_available(),
    reason="no font with Chinese glyphs (fc-list :lang=zh is empty); install fonts-noto-cjk",
)


def docx_of(bulletin: Bulletin) -> Document:
    return Document(io.BytesIO(services.bulletin_render_one(bulletin=bulletin, kind="docx")))


def pdf_text(data: bytes) -> str:
    """The PDF's text with line breaks and spaces taken out (table cells wrap names)."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return "".join(text.split())


def test_the_word_file_is_laid_out_as_an_official_document(world, draft):
    services.bulletin_update(bulletin=draft, copy_to="区政府办公室", next_steps="一是加快推进。")
    doc = docx_of(Bulletin.objects.get(pk=draft.pk))
    section = doc.sections[0]
    for measured, mm in [
        (section.page_width, 210),
        (section.page_height, 297),
        (section.top_margin, 37),
        (section.left_margin, 28),
    ]:
        assert abs(measured - Mm(mm)) < Mm(0.1)
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == draft.masthead
    with document_language():  # the documents are in the deployment's language
        assert texts[1] == str(draft.number_label)
    assert texts[2] == f"{draft.issuing_body}\t2026年11月5日"
    assert draft.title in texts
    headings = [t for t in texts if t[:2] in {"一、", "二、", "三、", "四、", "五、", "六、"}]
    assert len(headings) == 6  # overall, batches, ranking, lagging, problems, next steps
    masthead_run = doc.paragraphs[0].runs[0]
    assert str(masthead_run.font.color.rgb) == "E00000"
    assert any("区政府办公室" in t for t in texts)
    footer = doc.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "— " in footer


def test_the_word_tables_carry_the_figures_with_repeated_header_rows(world, draft):
    doc = docx_of(draft)
    lagging = next(
        t
        for t in doc.tables
        if len(t.columns) == 9 and t.rows[1].cells[1].text == "马鞍山传统风貌区"
    )
    header = lagging.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    rows = [[c.text for c in row.cells] for row in lagging.rows[1:]]
    assert rows[1][1:4] == ["老鼓楼衙署遗址公园", "区城投公司", "区住房城市建委"]
    assert rows[1][4:8] == ["1,200.00", "500.00", "41.7%", "-41.7"]
    assert rows[1][8] == "征地拆迁未完成，管线迁改滞后"
    assert len(rows) == 2  # the red ones; the yellow project is in a table of its own
    every_cell = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert "区城管局" in every_cell  # the ranking
    assert "江北嘴项目" not in every_cell  # another district's project


@needs_cjk_font
def test_the_pdf_has_the_chinese_text_intact(world, draft):
    data = services.bulletin_render_one(bulletin=draft, kind="pdf")
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = pdf_text(data)
    for words in (
        "渝中区",
        "老鼓楼衙署遗址公园",
        "区住房城市建委",
        "征地拆迁未完成，管线迁改滞后",
        "一、",
        "—1—",
        "2026年11月5日",
    ):
        assert words in text, words
    assert "江北嘴项目" not in text


@needs_cjk_font
def test_the_pdf_embeds_a_chinese_font(world, draft):
    reader = PdfReader(io.BytesIO(services.bulletin_render_one(bulletin=draft, kind="pdf")))
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("CJK" in name for name in fonts), fonts


def test_photos_of_progress_are_in_both_files(world, draft):
    report = MonthlyReport.objects.get(project=world.project, year=YEAR, month=MONTH)
    MonthlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    report.refresh_from_db()
    photo_add(report=report, data=jpeg(), caption="主体结构施工至8层")
    MonthlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.ACCEPTED)
    bulletin = services.bulletin_refresh(bulletin=draft)
    doc = docx_of(bulletin)
    assert any(rel.reltype.endswith("/image") for rel in doc.part.rels.values())
    assert any(
        "老鼓楼衙署遗址公园：主体结构施工至8层" in c.text
        for t in doc.tables
        for row in t.rows
        for c in row.cells
    )
    reader = PdfReader(io.BytesIO(services.bulletin_render_one(bulletin=bulletin, kind="pdf")))
    # The pages share one resource dictionary: count the distinct images.
    assert len({image.data for page in reader.pages for image in page.images}) == 1


def test_text_the_office_types_is_escaped_and_control_characters_dropped(world, draft):
    services.bulletin_update(bulletin=draft, comment_lagging="<b>请</b> & 整改\x0b")
    doc = docx_of(Bulletin.objects.get(pk=draft.pk))
    assert "<b>请</b> & 整改" in [p.text for p in doc.paragraphs]


def test_the_background_job_reports_each_step_and_keeps_the_files(world, draft):
    job = services.bulletin_start_job(bulletin=draft, user=world.office, refresh=True)
    assert job.status == JobStatus.QUEUED
    run_worker()
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.DONE and job.percent == 100
    assert job.done == job.total == 4 and not job.result.get("error")
    bulletin = Bulletin.objects.get(pk=draft.pk)
    assert services.files_current(bulletin)
    assert bulletin.file_intact("docx") and bulletin.file_intact("pdf")


def test_one_job_at_a_time_per_bulletin(world, draft):
    services.bulletin_start_job(bulletin=draft, user=world.office)
    with pytest.raises(ValidationError, match="being made"):
        services.bulletin_start_job(bulletin=draft, user=world.office)


def test_a_publishing_job_refused_on_the_way_says_why(world, draft):
    job = services.bulletin_start_job(
        bulletin=draft, user=world.office, publish=True, language="en"
    )
    services.bulletin_publish(bulletin=draft, user=world.leader)  # someone was quicker
    run_worker()
    job = Job.objects.get(pk=job.pk)
    assert "cannot be published again" in job.result["error"]
    assert Bulletin.objects.get(pk=draft.pk).published_by == world.leader
