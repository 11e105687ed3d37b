"""Benchmark: the time to make a one-page letter of a commune (``core.pdf.CommunePDF``), with the
DejaVu fonts read by fpdf2 for every document (``add_font``, as before) and read once per process
(``pdf.add_shared_font``, what ``CommunePDF`` does now), alternating in the same process.

The letter is a letterhead, a title in bold, ten paragraphs of French text and the footer, written
to bytes. The first round of each variant is left out (the shared fonts are read there). Prints the
median of each variant and their ratio; the two outputs are checked to be the same bytes.

Run: ``.venv/bin/python bench/pdf_letter.py [rounds per variant]``.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROUNDS = 40
PARAGRAPH = (
    "Madame, Monsieur, nous accusons réception de votre demande de renouvellement de la "
    "concession n° 12 du cimetière communal, déposée le 1er août 2026. Le montant dû est de "
    "150 € ; il sera à régler auprès du régisseur de la mairie dans un délai de deux mois."
)


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clocher.config.settings")
    os.environ.setdefault("CLOCHER_DATA_DIR", str(Path("var/bench-pdf").resolve()))
    import django

    django.setup()
    from fpdf import FPDF

    from clocher.core import pdf
    from clocher.tenancy.models import Commune

    commune = Commune(
        name="Agey",
        slug="agey",
        address="Mairie\n1 place de l'Église\n21410 Agey",
        phone="03 80 49 00 00",
        email="mairie@agey.example",
    )
    created = datetime.datetime(2026, 11, 23, 9, 30, tzinfo=datetime.UTC)

    def fpdf_reads_them(document: FPDF, style: str) -> None:
        document.add_font(pdf.FONT, style, str(pdf.FONT_FILES[style]))

    def letter() -> bytes:
        document = pdf.CommunePDF(commune, datetime.date(2026, 11, 23))
        document.set_creation_date(created)
        document.alias_nb_pages()
        document.add_page()
        document.set_font(pdf.FONT, "B", 13)
        document.multi_cell(0, 7, "Accusé de réception", **pdf.NEXT_LINE)
        document.set_font(pdf.FONT, "", 10)
        for _ in range(10):
            document.multi_cell(0, 5, PARAGRAPH, **pdf.NEXT_LINE)
            document.ln(2)
        return bytes(document.output())

    variants: dict[str, contextlib.AbstractContextManager[object]] = {
        "fonts read for each document (fpdf2's add_font)": mock.patch.object(
            pdf, "add_shared_font", fpdf_reads_them
        ),
        "fonts read once per process (add_shared_font)": contextlib.nullcontext(),
    }
    timings: dict[str, list[float]] = {name: [] for name in variants}
    outputs: dict[str, bytes] = {}
    for round_number in range(rounds + 1):
        for name, patch in variants.items():
            with patch:
                started = time.perf_counter()
                outputs[name] = letter()
                elapsed = time.perf_counter() - started
            if round_number:
                timings[name].append(elapsed * 1000)
    if len(set(outputs.values())) != 1:
        print("the two variants wrote different documents")
        return 1
    medians = {name: statistics.median(values) for name, values in timings.items()}
    for name, value in medians.items():
        print(f"{name:50} median {value:6.1f} ms ({rounds} letters)")
    before, after = medians.values()
    print(f"ratio read once / read each time: {after / before:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
