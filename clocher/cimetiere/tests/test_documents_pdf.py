"""Each cemetery document renders as a PDF with the commune, the concession and French text."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from clocher.cimetiere.documents import pdf
from clocher.cimetiere.documents.pdf_text import page_count, pdf_text
from clocher.cimetiere.models import (
    AshScatteringEntry,
    Beneficiary,
    Holder,
    Operation,
    OperationKind,
    OssuaryEntry,
    PlotKind,
    Tariff,
)
from clocher.cimetiere.tests.factories import (
    BurialFactory,
    ConcessionFactory,
    DeceasedFactory,
    PlotFactory,
)

TODAY = datetime.date(2026, 11, 22)


def _flat(data: bytes) -> str:
    """The PDF's text with line breaks turned into spaces (wrapping is the layout's business)."""
    return " ".join(pdf_text(data).split())


@pytest.fixture
def commune(commune_a):
    commune_a.name = "Sainte-Cécile-l'Abbaye"
    commune_a.address = "Mairie\n1 place de l'Église\n21999 Sainte-Cécile-l'Abbaye"
    commune_a.save()
    return commune_a


@pytest.fixture
def concession(commune):
    plot = PlotFactory.create(
        section__cemetery__commune=commune,
        section__cemetery__name="Cimetière du Bourg",
        section__name="Saint-Éloi",
        number="17",
        surface_m2=Decimal("2.00"),
    )
    concession = ConcessionFactory.create(
        plot=plot,
        number="2001-042",
        act_date=datetime.date(1997, 3, 1),
        price_paid=Decimal("1250.00"),
    )
    Holder.objects.create(
        commune=commune, concession=concession, full_name="Hélène Dupré-Lefèvre", address="3 rue"
    )
    Beneficiary.objects.create(
        commune=commune, concession=concession, full_name="Loïc Dupré", relationship="fils"
    )
    Tariff.objects.create(
        commune=commune,
        plot_kind=PlotKind.CONCESSION_GROUND,
        kind=concession.kind,
        max_surface_m2=Decimal("2.00"),
        price=Decimal("250"),
        valid_from=datetime.date(2020, 1, 1),
    )
    return concession


def test_concession_deed_names_commune_number_holder_and_price(concession):
    """The deed is a PDF with the commune, the act number, the holder, accents and €."""
    data = pdf.concession_deed_pdf(concession, today=TODAY)
    text = _flat(data)
    assert data.startswith(b"%PDF")
    assert "Commune de Sainte-Cécile-l'Abbaye" in text
    assert "Titre de concession funéraire n° 2001-042" in text
    assert "Hélène Dupré-Lefèvre" in text
    assert "Loïc Dupré (fils)" in text
    assert "1 250,00 €" in text.replace("\u00a0", " ")
    assert "L2223-13 et L2223-14" in text
    assert "expire le 1er mars 2027" in text
    assert "Page 1 / 1" in text
    assert "Fait à Sainte-Cécile-l'Abbaye, le 22 novembre 2026" in text


def test_renewal_letter_gives_expiry_window_and_tariff(concession):
    """The renewal letter cites L2223-15 with the expiry, repossession date and tariff in force."""
    text = _flat(pdf.renewal_letter_pdf(concession, today=TODAY)).replace("\u00a0", " ")
    assert "Hélène Dupré-Lefèvre" in text
    assert "concession n° 2001-042" in text
    assert "arrive à échéance le 1er mars 2027" in text
    assert "à partir du 1er mars 2029" in text
    assert "250,00 €" in text
    assert "L2223-15" in text


def test_renewal_letter_refused_for_a_perpetual_concession(concession):
    """A perpetual concession never expires: no renewal letter."""
    concession.kind = "perpetual"
    concession.save()
    with pytest.raises(ValueError):
        pdf.renewal_letter_pdf(concession, today=TODAY)


def test_burial_authorisation(concession):
    """The burial authorisation names the deceased, the plot and the concession."""
    burial = BurialFactory.create(
        plot=concession.plot,
        concession=concession,
        deceased__last_name="Ménétrier",
        deceased__first_names="Geneviève",
    )
    operation = Operation.objects.create(
        commune=concession.commune,
        kind=OperationKind.BURIAL,
        plot=concession.plot,
        burial=burial,
        deceased=burial.deceased,
        requested_by="Hélène Dupré-Lefèvre",
        performed_on=datetime.date(2026, 11, 2),
    )
    text = _flat(pdf.burial_authorisation_pdf(operation, today=TODAY))
    assert "Autorisation d'inhumation" in text
    assert "Geneviève Ménétrier" in text
    assert "carré Saint-Éloi, emplacement n° 17" in text
    assert "concession n° 2001-042" in text
    assert "le 2 novembre 2026" in text


def test_exhumation_authorisation_cites_r2213_40(concession):
    """The exhumation authorisation cites R2213-40 and the destination of the remains."""
    burial = BurialFactory.create(plot=concession.plot, deceased__last_name="Thénard")
    operation = Operation.objects.create(
        commune=concession.commune,
        kind=OperationKind.EXHUMATION,
        plot=concession.plot,
        burial=burial,
        requested_by="Agnès Thénard",
        requester_relationship="fille",
        sworn_statement_received=True,
        destination="ossuaire communal",
    )
    text = _flat(pdf.exhumation_authorisation_pdf(operation, today=TODAY))
    assert "Autorisation d'exhumation" in text
    assert "R2213-40" in text
    assert "Agnès Thénard (fille)" in text
    assert "Destination des restes : ossuaire communal." in text


def test_authorisation_of_the_wrong_kind_is_refused(concession):
    """A burial has no exhumation authorisation, and the other way round."""
    operation = Operation.objects.create(
        commune=concession.commune, kind=OperationKind.BURIAL, plot=concession.plot
    )
    with pytest.raises(ValueError):
        pdf.exhumation_authorisation_pdf(operation, today=TODAY)
    operation.kind = OperationKind.ASH_SCATTERING
    with pytest.raises(ValueError):
        pdf.burial_authorisation_pdf(operation, today=TODAY)


def test_ossuary_register_lists_every_name_even_without_remains(concession):
    """The ossuary register (L2223-4) lists each entry, including when no remains were found."""
    commune = concession.commune
    OssuaryEntry.objects.create(
        commune=commune,
        full_name="Joséphine Œillet",
        moved_on=datetime.date(2019, 5, 2),
        from_plot=concession.plot,
    )
    OssuaryEntry.objects.create(
        commune=commune,
        full_name="Inconnu",
        moved_on=datetime.date(2019, 5, 3),
        remains_found=False,
    )
    text = _flat(pdf.ossuary_register_pdf(commune, today=TODAY))
    assert "Registre de l'ossuaire" in text
    assert "L2223-4" in text
    assert "Joséphine Œillet" in text
    assert "2 inscriptions au 22 novembre 2026" in text
    assert "Inconnu 3 mai 2019 — non non" in text


def test_ash_register(commune):
    """The register of ashes scattered (L2223-18-3) lists the person, date and place."""
    AshScatteringEntry.objects.create(
        commune=commune,
        full_name="René Vadot",
        birth_date=datetime.date(1931, 1, 1),
        birth_place="Beaune",
        scattered_on=datetime.date(2025, 7, 14),
        place="Bois de la Combe",
        in_nature=True,
    )
    text = _flat(pdf.ash_register_pdf(commune, today=TODAY))
    assert "L2223-18-3" in text
    assert "René Vadot" in text
    assert "1er janvier 1931 à Beaune" in text
    assert "14 juillet 2025" in text


def test_section_listing_repeats_headings_and_hides_holders(concession):
    """A long listing spans pages with its heading row on each, and never names holders."""
    section = concession.plot.section
    for number in range(100, 160):
        PlotFactory.create(section=section, number=str(number))
    BurialFactory.create(
        plot=concession.plot,
        concession=concession,
        deceased=DeceasedFactory.create(commune=section.commune, last_name="Quenot"),
    )
    data = pdf.section_listing_pdf(section, today=TODAY)
    text = pdf_text(data)
    pages = page_count(data)
    assert pages >= 2
    assert text.count("Personnes inhumées") == pages
    assert f"Page {pages} / {pages}" in text
    assert "2001-042" in text
    assert "Quenot" in text
    assert "Hélène" not in text


def test_document_without_address_or_rows_still_renders(commune_b):
    """An empty register of a commune without an address is still a valid PDF."""
    data = pdf.ash_register_pdf(commune_b, today=TODAY)
    assert data.startswith(b"%PDF")
    assert "Aucune inscription." in pdf_text(data)
