"""A decision report as a PDF on the commune's letterhead (``core.pdf.CommunePDF``): title,
period, summary, the sections with their tables (heading row repeated on every page), the method
and the sources. Charts stay on the page: the tables carry the same figures."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from clocher.core.pdf import FONT, CommunePDF, printable
from clocher.iot.reports.common import ReportDocument, Section, Table, empty_text

NEXT_LINE: dict[str, Any] = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
HEADINGS_STYLE = FontFace(emphasis="BOLD", fill_color=(225, 225, 225))
WARNING_FILL = (253, 236, 200)


def render_report(document: ReportDocument, *, today: datetime.date) -> bytes:
    """Draw ``document`` and return the PDF's bytes (starting with ``%PDF``)."""
    pdf = CommunePDF(document.commune, today)
    pdf.set_title(document.title)
    pdf.set_author(f"Commune de {document.commune.name}")
    pdf.set_subject(document.period_label)
    pdf.add_page(orientation="landscape" if document.landscape else "portrait")
    pdf.set_font(FONT, "B", 15)
    pdf.multi_cell(0, 8, printable(document.title), align="C", **NEXT_LINE)
    pdf.set_font(FONT, "", 11)
    pdf.multi_cell(0, 6, printable(document.period_label), align="C", **NEXT_LINE)
    pdf.ln(4)
    _paragraphs(pdf, document.summary)
    for section in document.sections:
        _section(pdf, section)
    if document.method:
        _heading(pdf, _("Méthode"))
        _paragraphs(pdf, document.method, size=9)
    if document.sources:
        _heading(pdf, _("Sources"))
        _paragraphs(pdf, [f"– {source}" for source in document.sources], size=9)
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    if pdf.will_page_break(20):
        pdf.add_page(same=True)
    pdf.ln(2)
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(0, 7, printable(text), align="L", **NEXT_LINE)
    pdf.ln(1)


def _paragraphs(pdf: FPDF, paragraphs: list[str], *, size: float = 10) -> None:
    pdf.set_font(FONT, "", size)
    for paragraph in paragraphs:
        pdf.multi_cell(0, size * 0.5, printable(paragraph), align="L", **NEXT_LINE)
        pdf.ln(1.5)


def _section(pdf: FPDF, section: Section) -> None:
    _heading(pdf, section.heading)
    if section.is_warning and section.paragraphs:
        pdf.set_fill_color(*WARNING_FILL)
        pdf.set_font(FONT, "B", 10)
        for paragraph in section.paragraphs:
            pdf.multi_cell(0, 5.5, printable(paragraph), align="L", fill=True, **NEXT_LINE)
        pdf.ln(2)
    else:
        _paragraphs(pdf, section.paragraphs)
    for table in section.tables:
        _table(pdf, table)


def _table(pdf: FPDF, table: Table) -> None:
    pdf.ln(1)
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(0, 6, printable(table.caption), align="L", **NEXT_LINE)
    pdf.set_font(FONT, "", 8)
    if not table.rows:
        pdf.multi_cell(0, 5, empty_text(table), align="L", **NEXT_LINE)
        pdf.ln(2)
        return
    alignments = tuple(
        "RIGHT" if index in table.numeric else "LEFT" for index in range(len(table.headings))
    )
    with pdf.table(
        col_widths=tuple(table.col_widths) if table.col_widths else None,
        headings_style=HEADINGS_STYLE,
        repeat_headings=1,
        text_align=alignments,
        line_height=4.2,
        padding=1,
    ) as drawn:
        heading = drawn.row()
        for title in table.headings:
            heading.cell(printable(title))
        for values in table.rows:
            row = drawn.row()
            for value in values:
                row.cell(printable(value) or "—")
    pdf.ln(3)
