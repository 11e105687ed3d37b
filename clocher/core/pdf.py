"""The printed letter of a commune: A4, DejaVu fonts shipped with Clocher, the commune's
letterhead on the first page, a short header on the others, and a footer with the date and the
page number. Modules (cemetery documents, démarches acknowledgments and decisions) draw their
content on a :class:`CommunePDF`.
"""

from __future__ import annotations

import copy
import datetime
import functools
import re
from pathlib import Path
from typing import Any

from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import SubsetMap, TTFFont

from clocher.tenancy.models import Commune

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"
FONT_FILES = {"": FONT_DIR / "DejaVuSans.ttf", "B": FONT_DIR / "DejaVuSans-Bold.ttf"}
NEXT_LINE: dict[str, Any] = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def french_date(value: datetime.date | None) -> str:
    """``1er mars 2000``, ``15 mai 2030``; empty when unknown (documents are in French)."""
    if value is None:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def printable(text: str) -> str:
    """Text fit for a PDF line: control characters removed, line ends unified."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


@functools.cache
def _read_font(style: str) -> TTFFont:
    """The font of ``style`` as fpdf2 reads it (``add_font``), once per process: it reads the
    metrics of all 6,253 glyphs of the file, about a fifth of a one-page letter's time
    (``bench/pdf_letter.py``)."""
    reader = FPDF()
    reader.add_font(FONT, style, str(FONT_FILES[style]))
    (font,) = reader.fonts.values()
    assert isinstance(font, TTFFont)
    return font


def add_shared_font(document: FPDF, style: str) -> None:
    """``document.add_font(FONT, style, …)`` from the font read once (``_read_font``).

    What fpdf2 reads from the file (widths, glyph ids, character map) is shared, never changed
    after reading; what a document changes is its own: the glyphs it uses (``subset``,
    ``missing_glyphs``), its number among the document's fonts, the font descriptor (fpdf2 gives
    it the document's object number and embedded file when it writes), and the fontTools object,
    which fpdf2 cuts down to the document's glyphs in place when it writes (opened lazily here:
    the tables are read when the subset is made). The output is the same, byte for byte
    (``test_pdf_fonts``)."""
    read = _read_font(style)
    font = copy.copy(read)
    font.i = len(document.fonts) + 1
    font.desc = copy.copy(read.desc)
    font.ttfont = ttLib.TTFont(read.ttffile, recalcTimestamp=False, lazy=True)
    font.subset = SubsetMap(font)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    document.fonts[read.fontkey] = font


class CommunePDF(FPDF):
    def __init__(self, commune: Commune, today: datetime.date) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.commune = commune
        self.generated_on = today
        add_shared_font(self, "")
        add_shared_font(self, "B")
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(auto=True, margin=22)
        self.set_creator("Clocher")
        self.set_lang("fr")

    def letterhead_page(self) -> bool:
        """Whether this page carries the commune's full letterhead (the first page)."""
        return self.page_no() == 1

    def header(self) -> None:
        if self.letterhead_page():
            self.set_font(FONT, "B", 13)
            self.multi_cell(0, 6, f"Commune de {self.commune.name}", align="L", **NEXT_LINE)
            self.set_font(FONT, "", 9)
            details = [line for line in self.commune.address.splitlines() if line.strip()]
            details += [item for item in (self.commune.phone, self.commune.email) if item]
            for line in details:
                self.multi_cell(0, 4.5, printable(line), align="L", **NEXT_LINE)
            y = self.get_y() + 2
            self.line(self.l_margin, y, self.w - self.r_margin, y)
            self.set_y(y + 6)
        else:
            self.set_font(FONT, "", 8)
            self.cell(0, 5, f"Commune de {self.commune.name}", align="L", **NEXT_LINE)
            self.ln(9)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT, "", 8)
        self.cell(
            0, 5, f"Document généré le {french_date(self.generated_on)} par Clocher", align="L"
        )
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} / {{nb}}", align="R")
