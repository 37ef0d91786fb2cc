"""The bulletin as a Word file, laid out as an official document (after GB/T 9704): A4 with
the standard margins, a red masthead and separator, the issue number, the issuing body and
date, the title centred, sections numbered 一、二、, tables with repeated header rows, page
numbers as "— 1 —" in the footer, and the record of distribution (版记) at the end.

Tables are written as WordprocessingML directly: a bulletin of a thousand projects has
tables of hundreds of rows, which python-docx's cell-by-cell interface builds too slowly.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from docx import Document as new_document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import (
    WD_ALIGN_PARAGRAPH,
    WD_LINE_SPACING,
    WD_PARAGRAPH_ALIGNMENT,
    WD_TAB_ALIGNMENT,
)
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.section import Section as DocxSection
from docx.shared import Length, Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from .document import Document, Photo, Table

# Fonts the documents name. Official documents set their title in 方正小标宋 and their text in
# 仿宋_GB2312, which are not free; these are the faces every Chinese Windows and WPS install
# has, and that fontconfig maps to Noto Serif/Sans CJK elsewhere.
TITLE_FONT = "宋体"
BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
RED = "E00000"

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
TEXT_WIDTH_TWIPS = round((210 - 28 - 26) / 25.4 * 1440)
BODY_SIZE = Pt(16)  # 三号
LINE = Pt(28)  # 22 lines to the page
TABLE_HALF_POINTS = 21  # 五号, 10.5 pt
DENSE_HALF_POINTS = 18  # 小五, 9 pt, for wide tables

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

PhotoLoader = Callable[[str], bytes | None]


def clean(value: str) -> str:
    return _INVALID_XML.sub("", value)


def _fonts(run: Run, east_asia: str, size: Length | None = None, bold: bool = False,
           color: str | None = None) -> None:  # fmt: skip
    font = run.font
    font.name = LATIN_FONT
    font.bold = bold or None
    if size is not None:
        font.size = size
    if color:
        font.color.rgb = RGBColor.from_string(color)
    r_pr = run._element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = parse_xml(f"<w:rFonts {nsdecls('w')}/>")
        r_pr.insert(0, r_fonts)
    r_fonts.set(qn("w:eastAsia"), east_asia)


def _border(paragraph: Paragraph, *edges: str, color: str = "000000", size: int = 6) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    lines = "".join(
        f'<w:{edge} w:val="single" w:sz="{size}" w:space="1" w:color="{color}"/>' for edge in edges
    )
    p_pr.append(parse_xml(f"<w:pBdr {nsdecls('w')}>{lines}</w:pBdr>"))


def _indent_two_chars(paragraph: Paragraph) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    p_pr.append(parse_xml(f'<w:ind {nsdecls("w")} w:firstLineChars="200" w:firstLine="640"/>'))


class Writer:
    def __init__(self, load_photo: PhotoLoader) -> None:
        self.doc = new_document()
        self.load_photo = load_photo
        self._setup()

    def _setup(self) -> None:
        section = self.doc.sections[0]
        section.start_type = WD_SECTION.NEW_PAGE
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
        section.footer_distance = Mm(22)
        normal = self.doc.styles["Normal"]
        normal.font.name = LATIN_FONT
        normal.font.size = BODY_SIZE
        r_pr = normal.element.get_or_add_rPr()
        r_pr.rFonts.set(qn("w:eastAsia"), BODY_FONT)
        r_pr.append(parse_xml(f'<w:lang {nsdecls("w")} w:eastAsia="zh-CN"/>'))
        fmt = normal.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
        fmt.space_before = fmt.space_after = Pt(0)
        self._footer(section)

    def _footer(self, section: DocxSection) -> None:
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        size = 28  # 四号, in half points
        run = f'<w:rPr><w:rFonts w:ascii="{TITLE_FONT}" w:eastAsia="{TITLE_FONT}"/><w:sz w:val="{size}"/></w:rPr>'  # noqa: E501
        for xml in (
            f'<w:r {nsdecls("w")}>{run}<w:t xml:space="preserve">— </w:t></w:r>',
            f'<w:r {nsdecls("w")}>{run}<w:fldChar w:fldCharType="begin"/></w:r>',
            f'<w:r {nsdecls("w")}>{run}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',  # noqa: E501
            f'<w:r {nsdecls("w")}>{run}<w:fldChar w:fldCharType="separate"/></w:r>',
            f"<w:r {nsdecls('w')}>{run}<w:t>1</w:t></w:r>",
            f'<w:r {nsdecls("w")}>{run}<w:fldChar w:fldCharType="end"/></w:r>',
            f'<w:r {nsdecls("w")}>{run}<w:t xml:space="preserve"> —</w:t></w:r>',
        ):
            paragraph._p.append(parse_xml(xml))

    # -- blocks --------------------------------------------------------------------------------

    def paragraph(
        self,
        value: str,
        *,
        font: str = BODY_FONT,
        size: Length = BODY_SIZE,
        bold: bool = False,
        color: str | None = None,
        align: WD_PARAGRAPH_ALIGNMENT = WD_ALIGN_PARAGRAPH.JUSTIFY,
        indent: bool = True,
        line: Length = LINE,
    ) -> Paragraph:
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = align
        paragraph.paragraph_format.line_spacing = line
        if indent:
            _indent_two_chars(paragraph)
        if value:
            _fonts(paragraph.add_run(clean(value)), font, size, bold, color)
        return paragraph

    def head(self, doc: Document) -> None:
        self.paragraph(
            doc.masthead, font=TITLE_FONT, size=Pt(32), bold=True, color=RED,
            align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=Pt(48),
        )  # fmt: skip
        self.paragraph(doc.number_label, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        issued = self.paragraph("", align=WD_ALIGN_PARAGRAPH.LEFT, indent=False)
        issued.paragraph_format.tab_stops.add_tab_stop(Mm(156), WD_TAB_ALIGNMENT.RIGHT)
        _fonts(issued.add_run(clean(doc.issuing_body) + "\t" + doc.date_label), BODY_FONT)
        _border(issued, "bottom", color=RED, size=18)
        self.paragraph("", indent=False)
        self.paragraph(
            doc.title, font=TITLE_FONT, size=Pt(22), bold=True,
            align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=Pt(36),
        )  # fmt: skip
        self.paragraph("", indent=False)

    def table(self, table: Table) -> None:
        self.paragraph(
            table.caption, font=HEADING_FONT, size=Pt(12), align=WD_ALIGN_PARAGRAPH.CENTER,
            indent=False, line=Pt(22),
        )  # fmt: skip
        body = self.doc.element.body
        body.find(qn("w:sectPr")).addprevious(parse_xml(table_xml(table)))
        if table.note:
            self.paragraph(table.note, size=Pt(10.5), indent=False, line=Pt(18))

    def photos(self, photos: list[Photo]) -> None:
        grid = self.doc.add_table(rows=0, cols=2)
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        row: list[_Cell] = []
        placed = 0
        for photo in photos:
            data = self.load_photo(photo.image)
            if data is None:
                continue
            if placed % 2 == 0:
                row = list(grid.add_row().cells)
            cell = row[placed % 2]
            placed += 1
            picture = cell.paragraphs[0]
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            picture.add_run().add_picture(io.BytesIO(data), width=Mm(72))
            caption = cell.add_paragraph()
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
            caption.paragraph_format.line_spacing = Pt(18)
            _fonts(caption.add_run(clean(photo.caption)), BODY_FONT, Pt(10.5))

    def record(self, doc: Document) -> None:
        """The record of distribution (版记) at the foot of the last page."""
        self.paragraph("", indent=False)
        if doc.copy_to:
            copy = self.paragraph(
                _("Copies to: %(who)s") % {"who": doc.copy_to}, size=Pt(14), indent=False,
                align=WD_ALIGN_PARAGRAPH.LEFT,
            )  # fmt: skip
            _border(copy, "top", "bottom")
        issued = self.paragraph("", size=Pt(14), indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
        issued.paragraph_format.tab_stops.add_tab_stop(Mm(156), WD_TAB_ALIGNMENT.RIGHT)
        printed = _("Issued %(date)s") % {"date": doc.date_label}
        _fonts(issued.add_run(clean(doc.issuing_body) + "\t" + printed), BODY_FONT, Pt(14))
        _border(issued, "bottom", size=6)

    def write(self, doc: Document) -> bytes:
        self.doc.core_properties.title = clean(doc.title)
        self.doc.core_properties.author = clean(doc.issuing_body)
        self.doc.core_properties.subject = clean(doc.number_label)
        self.head(doc)
        for text in doc.lead:
            self.paragraph(text)
        for section in doc.sections:
            self.paragraph(section.heading, font=HEADING_FONT)
            for block in section.blocks:
                if block.kind == "paragraph":
                    self.paragraph(block.text)
                elif block.kind == "subheading":
                    self.paragraph(block.text, font=SUBHEADING_FONT)
                elif block.kind == "table" and block.table is not None:
                    self.table(block.table)
                elif block.kind == "photos":
                    self.photos(block.photos)
        self.record(doc)
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def write_docx(doc: Document, load_photo: PhotoLoader) -> bytes:
    return Writer(load_photo).write(doc)


# -- tables as WordprocessingML -------------------------------------------------------------

_JC = {"left": "left", "center": "center", "right": "right"}


def _cell(text: str, width: int, align: str, *, header: bool = False,
          half_points: int = TABLE_HALF_POINTS) -> str:  # fmt: skip
    shading = '<w:shd w:val="clear" w:color="auto" w:fill="E7E6E6"/>' if header else ""
    bold = "<w:b/>" if header else ""
    jc = "center" if header else _JC.get(align, "left")
    fonts = f'<w:rFonts w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" w:eastAsia="{TABLE_FONT}"/>'
    size = f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
    run = (
        f'<w:r><w:rPr>{fonts}{bold}{size}</w:rPr><w:t xml:space="preserve">'
        f"{escape(clean(text))}</w:t></w:r>"
        if text
        else ""
    )
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}<w:vAlign w:val="center"/>'
        f'</w:tcPr><w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="300" '
        f'w:lineRule="auto"/><w:ind w:firstLine="0" w:firstLineChars="0"/><w:jc w:val="{jc}"/>'
        f"</w:pPr>{run}</w:p></w:tc>"
    )


def table_xml(table: Table) -> str:
    total = sum(c.width for c in table.columns) or 1
    widths = [round(TEXT_WIDTH_TWIPS * c.width / total) for c in table.columns]
    borders = "".join(
        f'<w:{edge} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    size = DENSE_HALF_POINTS if table.dense else TABLE_HALF_POINTS
    header = "".join(
        _cell(c.label, w, "center", header=True, half_points=size)
        for c, w in zip(table.columns, widths, strict=True)
    )
    parts = [
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        f'<w:jc w:val="center"/><w:tblBorders>{borders}</w:tblBorders>'
        f'<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="57" w:type="dxa"/>'
        f'<w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>{grid}</w:tblGrid>',
        f"<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>{header}</w:tr>",
    ]
    for row in table.rows:
        cells = "".join(
            _cell(value, w, c.align, half_points=size)
            for value, c, w in zip(row, table.columns, widths, strict=True)
        )
        parts.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)
