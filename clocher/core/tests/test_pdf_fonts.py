"""The DejaVu fonts are read once per process (``pdf.add_shared_font``): the documents are the
same, byte for byte, as with fpdf2's own ``add_font``, and documents made side by side keep their
own glyphs."""

from __future__ import annotations

import datetime

from fpdf import FPDF
from fpdf.fonts import TTFFont

from clocher.core.pdf import FONT, FONT_FILES, add_shared_font

CREATED = datetime.datetime(2026, 11, 23, 9, 30, tzinfo=datetime.UTC)
FONT_KEYS = ("dejavu", "dejavuB")


def _document(shared: bool) -> FPDF:
    document = FPDF()
    document.set_creation_date(CREATED)
    for style, path in FONT_FILES.items():
        if shared:
            add_shared_font(document, style)
        else:
            document.add_font(FONT, style, str(path))
    document.add_page()
    return document


def _write(document: FPDF, text: str, title: str) -> None:
    document.set_font(FONT, "B", 14)
    document.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    document.set_font(FONT, "", 11)
    document.multi_cell(0, 6, text)


def _font(document: FPDF, key: str) -> TTFFont:
    font = document.fonts[key]
    assert isinstance(font, TTFFont)
    return font


def _bytes(shared: bool, text: str, title: str) -> bytes:
    document = _document(shared)
    _write(document, text, title)
    return bytes(document.output())


def test_a_document_is_the_same_as_with_fpdf2s_own_fonts():
    text = "Concession n° 12 — renouvelée le 1er août 2026 : 150 € (Œuvre, ĳ, ß, Ž, €, ✓). " * 5
    assert _bytes(True, text, "Arrêté du maire") == _bytes(False, text, "Arrêté du maire")


def test_documents_made_side_by_side_keep_their_own_glyphs_and_descriptors():
    first, second = _document(True), _document(True)
    _write(first, "Première lettre : abc, été, 漢", "Objet")
    _write(second, "Seconde lettre : xyz, Noël", "Rappel")

    for key in FONT_KEYS:
        assert _font(first, key) is not _font(second, key)
        assert _font(first, key).desc is not _font(second, key).desc
    # The character DejaVu lacks is reported for the document that used it only.
    assert _font(first, "dejavu").missing_glyphs == [ord("漢")]
    assert _font(second, "dejavu").missing_glyphs == []

    second_bytes, first_bytes = bytes(second.output()), bytes(first.output())
    assert first_bytes == _bytes(False, "Première lettre : abc, été, 漢", "Objet")
    assert second_bytes == _bytes(False, "Seconde lettre : xyz, Noël", "Rappel")
    # And a third, after both were written (the fonts read once are left as they were read).
    assert _bytes(True, "Troisième : ÀÉÎÕÜ", "Fin") == _bytes(False, "Troisième : ÀÉÎÕÜ", "Fin")
