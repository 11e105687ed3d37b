"""PDF documents of the cemetery, drawn with fpdf2 and the DejaVu fonts shipped with Clocher.

Every document has the commune's letterhead, a title, the paragraphs of its shared template
(``documents.templates``), optional tables (registers, listings: the heading row is repeated on
every page), a signature block and a footer with the generation date and "Page X / Y".

``render_document`` is the one drawing function; other parts of the module call it (e.g. the
abandonment procedure's reports) instead of writing their own PDF code.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from clocher.cimetiere.documents import values as v
from clocher.cimetiere.documents.templates import render_template, template_for
from clocher.cimetiere.models import (
    AshScatteringEntry,
    Burial,
    Concession,
    DocumentKind,
    Operation,
    OperationKind,
    OssuaryEntry,
    Plot,
    Section,
)
from clocher.core.pdf import CommunePDF
from clocher.tenancy.models import Commune

FONT_DIR = Path(__file__).resolve().parents[2] / "core" / "fonts"
FONT = "DejaVu"
_NEXT_LINE: dict[str, Any] = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
EXHUMATION_KINDS = {
    OperationKind.EXHUMATION,
    OperationKind.REDUCTION,
    OperationKind.TRANSFER,
    OperationKind.URN_REMOVAL,
}


@dataclass(frozen=True)
class Table:
    caption: str
    headings: Sequence[str]
    rows: Sequence[Sequence[str]]
    col_widths: Sequence[float] | None = None
    empty_text: str = "Aucune inscription."


@dataclass(frozen=True)
class Document:
    """What a PDF shows, before drawing: tests and HTML pages read the same content."""

    commune: Commune
    title: str
    paragraphs: list[str]
    tables: list[Table] = field(default_factory=list)
    today: datetime.date = field(default_factory=timezone.localdate)
    signature: str = "Le maire,"
    filename: str = "document.pdf"

    def text(self) -> str:
        """Everything the document says, as plain text (for tests and previews)."""
        parts = [self.commune.name, self.title, *self.paragraphs]
        for table in self.tables:
            parts.append(table.caption)
            parts.append(" | ".join(table.headings))
            parts.extend(" | ".join(row) for row in table.rows)
        return "\n".join(parts)


_CommunePDF = CommunePDF


def render_document(document: Document) -> bytes:
    """Draw ``document`` as an A4 PDF and return its bytes (starting with ``%PDF``)."""
    pdf = _CommunePDF(document.commune, document.today)
    pdf.set_title(document.title)
    pdf.set_author(f"Commune de {document.commune.name}")
    pdf.add_page()
    pdf.set_font(FONT, "B", 15)
    pdf.multi_cell(0, 8, document.title, align="C", **_NEXT_LINE)
    pdf.ln(4)
    pdf.set_font(FONT, "", 10.5)
    for paragraph in document.paragraphs:
        pdf.multi_cell(0, 5.5, paragraph, align="J", markdown=True, **_NEXT_LINE)
        pdf.ln(3)
    for table in document.tables:
        _draw_table(pdf, table)
    _draw_signature(pdf, document)
    return bytes(pdf.output())


def _draw_table(pdf: FPDF, table: Table) -> None:
    pdf.ln(2)
    pdf.set_font(FONT, "B", 10.5)
    pdf.multi_cell(0, 6, table.caption, align="L", **_NEXT_LINE)
    pdf.set_font(FONT, "", 8.5)
    if not table.rows:
        pdf.multi_cell(0, 5, table.empty_text, align="L", **_NEXT_LINE)
        return
    with pdf.table(
        col_widths=tuple(table.col_widths) if table.col_widths else None,
        headings_style=FontFace(emphasis="BOLD", fill_color=(225, 225, 225)),
        repeat_headings=1,
        text_align="LEFT",
        line_height=4.5,
        padding=1,
    ) as drawn:
        heading = drawn.row()
        for title in table.headings:
            heading.cell(title)
        for values in table.rows:
            row = drawn.row()
            for value in values:
                row.cell(value or "—")
    pdf.ln(3)


def _draw_signature(pdf: FPDF, document: Document) -> None:
    if not document.signature:
        return
    pdf.ln(6)
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.set_font(FONT, "", 10.5)
    x = pdf.w / 2 - 20
    pdf.set_x(x)
    pdf.multi_cell(
        0,
        5.5,
        f"Fait à {document.commune.name}, le {v.french_date(document.today)}",
        align="L",
        **_NEXT_LINE,
    )
    pdf.set_x(x)
    pdf.multi_cell(0, 5.5, document.signature, align="L", **_NEXT_LINE)
    pdf.ln(18)


# --- The documents -------------------------------------------------------------------------


def _base_values(commune: Commune, today: datetime.date) -> dict[str, Any]:
    return {
        "commune": v.commune_values(commune),
        "today": v.french_date(today),
        "place": commune.name,
    }


def _document(
    commune: Commune,
    kind: str,
    values: dict[str, Any],
    *,
    today: datetime.date,
    filename: str,
    tables: list[Table] | None = None,
    signature: str = "Le maire,",
) -> Document:
    rendered = render_template(template_for(commune, kind), values)
    return Document(
        commune=commune,
        title=rendered.title,
        paragraphs=rendered.paragraphs,
        tables=tables or [],
        today=today,
        signature=signature,
        filename=filename,
    )


def _slug(text: str) -> str:
    kept = "".join(char if char.isalnum() else "-" for char in text)
    return "-".join(part for part in kept.split("-") if part)[:60] or "document"


def _plot_of(plot: Plot) -> Plot:
    return Plot.objects.select_related("cemetery", "section", "row").get(pk=plot.pk)


def concession_deed_document(concession: Concession, *, today: datetime.date) -> Document:
    """The titre de concession (CGCT L2223-13, L2223-14): holders and beneficiaries named."""
    commune = concession.commune
    values = _base_values(commune, today)
    values["concession"] = v.concession_values(concession, today=today, with_people=True)
    values["plot"] = v.plot_values(_plot_of(concession.plot))
    return _document(
        commune,
        DocumentKind.CONCESSION_DEED,
        values,
        today=today,
        filename=f"titre-concession-{_slug(values['concession']['number'])}.pdf",
    )


def concession_deed_pdf(concession: Concession, *, today: datetime.date | None = None) -> bytes:
    return render_document(
        concession_deed_document(concession, today=today or timezone.localdate())
    )


def _operation_values(operation: Operation, today: datetime.date) -> dict[str, Any]:
    commune = operation.commune
    values = _base_values(commune, today)
    deceased = operation.deceased or (operation.burial.deceased if operation.burial else None)
    concession = operation.burial.concession if operation.burial else None
    values["operation"] = v.operation_values(operation)
    values["deceased"] = v.deceased_values(deceased)
    values["plot"] = v.plot_values(_plot_of(operation.plot))
    values["concession"] = (
        v.concession_values(concession, today=today, with_people=False) if concession else {}
    )
    return values


def burial_authorisation_document(operation: Operation, *, today: datetime.date) -> Document:
    """Autorisation d'inhumation (CGCT L2213-8, R2213-31). Only for a burial operation."""
    if operation.kind != OperationKind.BURIAL:
        raise ValueError("Not a burial operation.")
    return _document(
        operation.commune,
        DocumentKind.BURIAL_AUTHORISATION,
        _operation_values(operation, today),
        today=today,
        filename=f"autorisation-inhumation-{operation.pk}.pdf",
    )


def burial_authorisation_pdf(operation: Operation, *, today: datetime.date | None = None) -> bytes:
    return render_document(
        burial_authorisation_document(operation, today=today or timezone.localdate())
    )


def exhumation_authorisation_document(operation: Operation, *, today: datetime.date) -> Document:
    """Autorisation d'exhumation (CGCT R2213-40): exhumation, reduction, transfer, urn removal."""
    if operation.kind not in EXHUMATION_KINDS:
        raise ValueError("Not an exhumation operation.")
    return _document(
        operation.commune,
        DocumentKind.EXHUMATION_AUTHORISATION,
        _operation_values(operation, today),
        today=today,
        filename=f"autorisation-exhumation-{operation.pk}.pdf",
    )


def exhumation_authorisation_pdf(
    operation: Operation, *, today: datetime.date | None = None
) -> bytes:
    return render_document(
        exhumation_authorisation_document(operation, today=today or timezone.localdate())
    )


def tariff_in_force(concession: Concession, *, today: datetime.date) -> Decimal | None:
    """The council's price today for renewing ``concession`` for the same duration (L2223-15)."""
    from clocher.cimetiere.services.concessions import tariff_in_force as find_tariff

    tariff = find_tariff(
        concession.commune,
        concession.plot.kind,
        concession.kind,
        concession.duration_years,
        concession.surface_m2 or concession.plot.surface_m2,
        on=today,
    )
    return tariff.price if tariff is not None else None


def renewal_letter_document(concession: Concession, *, today: datetime.date) -> Document:
    """Letter to the holder before or after expiry (CGCT L2223-15). A perpetual concession
    never expires: there is no letter (``ValueError``)."""
    commune = concession.commune
    values = _base_values(commune, today)
    concession_values = v.concession_values(concession, today=today, with_people=True)
    expires_on, repossessable_from = v.clock_dates(concession, today=today)
    if expires_on is None:
        raise ValueError("A perpetual concession has no renewal.")
    holder = concession.holders.filter(is_deceased=False).first() or concession.holders.first()
    values["concession"] = concession_values
    values["plot"] = v.plot_values(_plot_of(concession.plot))
    values["holder"] = (
        {"name": holder.full_name, "address": holder.address} if holder is not None else {}
    )
    values["renewal"] = {
        "expires_on": v.french_date(expires_on),
        "is_expired": expires_on <= today,
        "repossessable_from": v.french_date(repossessable_from),
        "tariff": v.euros(tariff_in_force(concession, today=today)),
    }
    return _document(
        commune,
        DocumentKind.RENEWAL_LETTER,
        values,
        today=today,
        filename=f"renouvellement-{_slug(concession_values['number'])}.pdf",
    )


def renewal_letter_pdf(concession: Concession, *, today: datetime.date) -> bytes:
    return render_document(renewal_letter_document(concession, today=today))


def ossuary_entries(commune: Commune) -> Any:
    return (
        OssuaryEntry.objects.for_commune(commune)
        .select_related("from_plot__section", "from_plot__cemetery")
        .order_by("moved_on", "id")
    )


def ash_entries(commune: Commune) -> Any:
    return AshScatteringEntry.objects.for_commune(commune).order_by("scattered_on", "id")


def _plot_label(plot: Plot | None) -> str:
    if plot is None:
        return ""
    return f"{plot.cemetery.name}, carré {plot.section.name}, n° {plot.number}"


def ossuary_register_document(commune: Commune, *, today: datetime.date) -> Document:
    """The public ossuary register (CGCT L2223-4)."""
    entries = list(ossuary_entries(commune))
    values = _base_values(commune, today)
    values["register"] = {"count": len(entries)}
    rows = [
        [
            str(index),
            entry.full_name,
            v.french_date(entry.moved_on),
            _plot_label(entry.from_plot),
            "oui" if entry.remains_found else "non",
            "oui" if entry.kept_apart else "non",
        ]
        for index, entry in enumerate(entries, start=1)
    ]
    table = Table(
        caption="Inscriptions",
        headings=["N°", "Nom", "Date du dépôt", "Provenance", "Restes trouvés", "À part"],
        rows=rows,
        col_widths=(8, 40, 26, 56, 22, 18),
    )
    return _document(
        commune,
        DocumentKind.OSSUARY_REGISTER,
        values,
        today=today,
        filename="registre-ossuaire.pdf",
        tables=[table],
    )


def ossuary_register_pdf(commune: Commune, *, today: datetime.date | None = None) -> bytes:
    return render_document(ossuary_register_document(commune, today=today or timezone.localdate()))


def ash_register_document(commune: Commune, *, today: datetime.date) -> Document:
    """The public register of ashes scattered (CGCT L2223-18-3)."""
    entries = list(ash_entries(commune))
    values = _base_values(commune, today)
    values["register"] = {"count": len(entries)}
    rows = [
        [
            str(index),
            entry.full_name,
            " ".join(
                part
                for part in (v.french_date(entry.birth_date), entry.birth_place and "à")
                if part
            )
            + (f" {entry.birth_place}" if entry.birth_place else ""),
            v.french_date(entry.scattered_on),
            entry.place,
            "oui" if entry.in_nature else "non",
        ]
        for index, entry in enumerate(entries, start=1)
    ]
    table = Table(
        caption="Inscriptions",
        headings=["N°", "Nom", "Naissance", "Dispersion", "Lieu", "En pleine nature"],
        rows=rows,
        col_widths=(8, 38, 36, 26, 44, 18),
    )
    return _document(
        commune,
        DocumentKind.ASH_REGISTER,
        values,
        today=today,
        filename="registre-cendres.pdf",
        tables=[table],
    )


def ash_register_pdf(commune: Commune, *, today: datetime.date | None = None) -> bytes:
    return render_document(ash_register_document(commune, today=today or timezone.localdate()))


def section_listing_document(section: Section, *, today: datetime.date) -> Document:
    """Every plot of a section with its concession and the people buried there (no holders)."""
    commune = section.commune
    plots = list(
        Plot.objects.for_commune(commune)
        .filter(section=section)
        .select_related("row")
        .prefetch_related(
            Prefetch(
                "concessions",
                queryset=Concession.objects.for_commune(commune).order_by("act_date", "id"),
            ),
            Prefetch(
                "burials",
                queryset=Burial.objects.for_commune(commune)
                .filter(is_present=True)
                .select_related("deceased")
                .order_by("buried_on", "id"),
            ),
        )
        .order_by("number")
    )
    plots.sort(key=lambda plot: (len(plot.number), plot.number))
    values = _base_values(commune, today)
    values["section"] = v.section_values(
        Section.objects.select_related("cemetery").get(pk=section.pk), plot_count=len(plots)
    )
    from clocher.cimetiere.legal_clock import clocks_for_commune

    clocks = clocks_for_commune(commune, today=today, include_ended=False)
    rows = []
    for plot in plots:
        current = [c for c in plot.concessions.all() if c.ended_on is None]
        concession = current[-1] if current else None
        if concession is not None:
            clock = clocks.get(concession.pk)
            expires_on = clock.expires_on if clock is not None else None
            concession_text = (
                f"{concession.number} — {concession.get_kind_display().lower()}, "
                f"{v.french_date(concession.act_date) or 'date inconnue'}"
            )
            expiry_text = (
                "perpétuelle" if concession.kind == "perpetual" else v.french_date(expires_on)
            )
        else:
            concession_text, expiry_text = "", ""
        buried = "; ".join(
            f"{burial.deceased.first_names} {burial.deceased.last_name}".strip()
            + (f" ({burial.buried_on.year})" if burial.buried_on else "")
            for burial in plot.burials.all()
        )
        rows.append([plot.number, plot.get_kind_display(), concession_text, expiry_text, buried])
    table = Table(
        caption="Emplacements",
        headings=["N°", "Type", "Concession", "Échéance", "Personnes inhumées"],
        rows=rows,
        col_widths=(12, 28, 48, 26, 56),
        empty_text="Aucun emplacement dans ce carré.",
    )
    return _document(
        commune,
        DocumentKind.SECTION_LISTING,
        values,
        today=today,
        filename=f"carre-{_slug(section.name)}.pdf",
        tables=[table],
        signature="",
    )


def section_listing_pdf(section: Section, *, today: datetime.date | None = None) -> bytes:
    return render_document(section_listing_document(section, today=today or timezone.localdate()))


__all__ = [
    "Document",
    "Table",
    "ash_register_pdf",
    "burial_authorisation_pdf",
    "concession_deed_pdf",
    "exhumation_authorisation_pdf",
    "ossuary_register_pdf",
    "render_document",
    "renewal_letter_pdf",
    "section_listing_pdf",
]


class _LettersPDF(_CommunePDF):
    """Several documents in one file: each starts on a new page with the commune's letterhead."""

    def __init__(self, commune: Commune, today: datetime.date) -> None:
        super().__init__(commune, today)
        self.first_pages: set[int] = set()

    def letterhead_page(self) -> bool:
        return self.page_no() in self.first_pages


def render_documents(documents: list[Document]) -> bytes:
    """Draw several documents of one commune (e.g. this month's renewal letters) into one A4 PDF,
    each starting on a new page with the letterhead. ``documents`` must not be empty."""
    if not documents:
        raise ValueError("render_documents needs at least one document")
    first = documents[0]
    pdf = _LettersPDF(first.commune, first.today)
    pdf.set_title(first.title)
    pdf.set_author(f"Commune de {first.commune.name}")
    for document in documents:
        pdf.first_pages.add(pdf.page_no() + 1)
        pdf.add_page()
        pdf.set_font(FONT, "B", 15)
        pdf.multi_cell(0, 8, document.title, align="C", **_NEXT_LINE)
        pdf.ln(4)
        pdf.set_font(FONT, "", 10.5)
        for paragraph in document.paragraphs:
            pdf.multi_cell(0, 5.5, paragraph, align="J", markdown=True, **_NEXT_LINE)
            pdf.ln(3)
        for table in document.tables:
            _draw_table(pdf, table)
        _draw_signature(pdf, document)
    return bytes(pdf.output())


__all__ += ["render_documents"]
