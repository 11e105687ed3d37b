"""Drawing a démarches letter as an A4 PDF (fpdf2, DejaVu fonts from ``clocher/core/fonts``).

Same habits as the cemetery's documents: the commune's letterhead on the first page, a centred
title, a footer with the generation date and "Page X / Y". Text is drawn as plain text (never
fpdf's markdown), so whatever an agent or a template wrote is printed as written.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone, translation
from django.utils.formats import date_format
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from clocher.core.pdf import CommunePDF
from clocher.tenancy.models import Commune

FONT_DIR = Path(__file__).resolve().parents[2] / "core" / "fonts"
FONT = "DejaVu"
_NEXT_LINE: dict[str, Any] = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
# Control characters (other than line breaks and tabs) have no place in a printed letter.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def french_date(day: datetime.date) -> str:
    """``1er mars 2026``, ``12 mars 2026``."""
    with translation.override("fr"):
        text = date_format(day, "j F Y")
    return f"1er{text[1:]}" if day.day == 1 else text


def french_datetime(moment: datetime.datetime) -> str:
    """``12 mars 2026 à 10 h 05`` (Europe/Paris)."""
    local = timezone.localtime(moment)
    return f"{french_date(local.date())} à {local:%H} h {local:%M}"


def clean(text: str) -> str:
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


@dataclass(frozen=True)
class Section:
    """A heading (may be empty) and its paragraphs."""

    heading: str
    paragraphs: list[str]


@dataclass(frozen=True)
class Letter:
    commune: Commune
    title: str
    subtitle: str
    sections: list[Section]
    filename: str
    signature: list[str] = field(default_factory=list)
    place_and_date: str = ""
    footnote: str = ""
    today: datetime.date = field(default_factory=timezone.localdate)

    def text(self) -> str:
        """Everything the letter says, as plain text (for tests, previews and e-mails)."""
        parts = [f"Commune de {self.commune.name}", self.title, self.subtitle]
        for section in self.sections:
            if section.heading:
                parts.append(section.heading)
            parts.extend(section.paragraphs)
        if self.place_and_date:
            parts.append(self.place_and_date)
        parts.extend(self.signature)
        if self.footnote:
            parts.append(self.footnote)
        return "\n".join(part for part in parts if part)


_LetterPDF = CommunePDF


def render_letter(letter: Letter) -> bytes:
    """Draw ``letter`` as an A4 PDF and return its bytes (starting with ``%PDF``)."""
    pdf = _LetterPDF(letter.commune, letter.today)
    pdf.set_title(f"{letter.title} — {letter.subtitle}" if letter.subtitle else letter.title)
    pdf.set_author(f"Commune de {letter.commune.name}")
    pdf.add_page()
    pdf.set_font(FONT, "B", 15)
    pdf.multi_cell(0, 8, clean(letter.title), align="C", **_NEXT_LINE)
    if letter.subtitle:
        pdf.set_font(FONT, "", 11)
        pdf.multi_cell(0, 6, clean(letter.subtitle), align="C", **_NEXT_LINE)
    pdf.ln(5)
    for section in letter.sections:
        if section.heading:
            if pdf.will_page_break(16):
                pdf.add_page()
            pdf.set_font(FONT, "B", 11)
            pdf.multi_cell(0, 6, clean(section.heading), align="L", **_NEXT_LINE)
            pdf.ln(1)
        pdf.set_font(FONT, "", 10)
        for paragraph in section.paragraphs:
            text = clean(paragraph)
            if text:
                pdf.multi_cell(0, 5, text, align="L", **_NEXT_LINE)
                pdf.ln(1.5)
        pdf.ln(2.5)
    _draw_signature(pdf, letter)
    if letter.footnote:
        pdf.ln(4)
        pdf.set_font(FONT, "", 8)
        pdf.multi_cell(0, 4, clean(letter.footnote), align="L", **_NEXT_LINE)
    return bytes(pdf.output())


def _draw_signature(pdf: FPDF, letter: Letter) -> None:
    if not letter.signature and not letter.place_and_date:
        return
    pdf.ln(4)
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.set_font(FONT, "", 10.5)
    x = pdf.w / 2 - 10
    for line in [letter.place_and_date, *letter.signature]:
        if line:
            pdf.set_x(x)
            pdf.multi_cell(0, 5.5, clean(line), align="L", **_NEXT_LINE)
    pdf.ln(14)
