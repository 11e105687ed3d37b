"""A secretary's spreadsheet (Latin-1, semicolons, French headers and words, mixed dates, blank
cells, repeated concession columns) is imported completely, with exact counts."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.db import connection

from clocher.cimetiere.models import (
    Burial,
    Cemetery,
    Concession,
    ConcessionKind,
    Deceased,
    Holder,
    Plot,
    PlotKind,
    Section,
)
from clocher.cimetiere.services.imports import import_cemetery_file

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = datetime.date(2026, 1, 15)


def _import(commune, name="cimetiere_tableur.csv", **options):
    data = (FIXTURES / name).read_bytes()
    return import_cemetery_file(commune=commune, data=data, today=TODAY, **options)


def _counts(result):
    return {
        key: (counts.created, counts.updated, counts.unchanged)
        for key, counts in result.counts.items()
    }


def test_messy_file_is_imported_with_exact_counts(commune_a):
    """Every plot, concession, holder and burial of the file is created once."""
    result = _import(commune_a)
    assert [str(message) for message in result.errors] == []
    assert result.written is True
    assert result.parsed.encoding == "cp1252"
    assert result.parsed.delimiter == ";"
    assert result.parsed.line_count == 8
    assert _counts(result) == {
        "cemeteries": (2, 0, 0),
        "sections": (4, 0, 0),
        "plots": (6, 0, 0),
        "concessions": (5, 0, 0),
        "holders": (4, 0, 0),
        "deceased": (6, 0, 0),
        "burials": (6, 0, 0),
    }
    assert sorted(Cemetery.objects.for_commune(commune_a).values_list("name", flat=True)) == [
        "Cimetière communal",
        "Nouveau cimetière",
    ]
    assert Section.objects.for_commune(commune_a).count() == 4


def test_messy_file_warns_about_the_unknown_column(commune_a):
    """A column the import does not know is ignored, with a warning on line 1."""
    result = _import(commune_a)
    assert [str(message) for message in result.warnings] == [
        "Ligne 1, colonne Remarque : colonne inconnue, elle est ignorée."
    ]


def test_messy_file_reads_french_words_and_dates(commune_a):
    """Plot and concession kinds, durations and dates come out of the French words."""
    _import(commune_a)
    plots = {
        (plot.section.name, plot.number): (plot.kind, plot.capacity)
        for plot in Plot.objects.for_commune(commune_a).select_related("section")
    }
    assert plots == {
        ("A", "1"): (PlotKind.VAULT, 3),
        ("A", "2"): (PlotKind.CONCESSION_GROUND, 1),
        ("A", "3"): (PlotKind.CONCESSION_GROUND, 1),
        ("B", "7"): (PlotKind.COMMON_GROUND, 1),
        ("Columbarium", "C1"): (PlotKind.COLUMBARIUM_NICHE, 1),
        ("N", "1"): (PlotKind.URN_PLOT, 1),
    }
    concessions = {
        concession.number: (concession.kind, concession.duration_years, concession.act_date)
        for concession in Concession.objects.for_commune(commune_a)
    }
    assert concessions == {
        "C-12": (ConcessionKind.PERPETUAL, None, datetime.date(1961, 3, 4)),
        "C-13": (ConcessionKind.THIRTY_YEARS, None, datetime.date(2001, 6, 15)),
        "": (ConcessionKind.TEMPORARY, 15, datetime.date(2015, 2, 2)),
        "C-20": (ConcessionKind.FIFTY_YEARS, None, datetime.date(2010, 9, 9)),
        "C-30": (ConcessionKind.TEMPORARY, 10, datetime.date(2020, 1, 1)),
    }


def test_messy_file_splits_the_deceased_names(commune_a):
    """ "NOM Prénoms" and "Nom, Prénom" are split; an unclear name is kept whole."""
    _import(commune_a)
    names = sorted(
        Deceased.objects.for_commune(commune_a).values_list(
            "last_name", "first_names", "birth_date", "death_date"
        )
    )
    assert names == [
        ("BERNARD", "Lucie", datetime.date(1930, 7, 14), datetime.date(2010, 9, 1)),
        ("Lefèvre", "Anne", None, datetime.date(2015, 1, 28)),
        ("MARTIN", "Jean", datetime.date(1890, 2, 1), datetime.date(1960, 4, 3)),
        ("MARTIN", "Paul Louis", None, None),
        ("MARTIN", "Émilie", datetime.date(1895, 5, 6), datetime.date(1970, 12, 12)),
        ("inconnu du registre", "", None, None),
    ]


def test_burials_are_tied_to_their_concession(commune_a):
    """The three burials of the family vault belong to concession C-12; common ground has none."""
    _import(commune_a)
    burials = Burial.objects.for_commune(commune_a).select_related("concession", "deceased")
    by_name = {
        burial.deceased.first_names or burial.deceased.last_name: burial for burial in burials
    }
    assert {
        name
        for name, burial in by_name.items()
        if burial.concession and burial.concession.number == "C-12"
    } == {
        "Jean",
        "Émilie",
        "Paul Louis",
    }
    assert by_name["inconnu du registre"].concession is None
    assert by_name["inconnu du registre"].buried_on == datetime.date(1932, 7, 1)


def test_holders_are_sealed_in_the_database(commune_a):
    """Holders' names and addresses are readable through the model, never in the raw column."""
    _import(commune_a)
    holder = Holder.objects.for_commune(commune_a).get(concession__number="C-12")
    assert holder.full_name == "Famille MARTIN Paul"
    assert holder.address == "12 rue de l'Église, 21000 Agey"
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name, address FROM cimetiere_holder WHERE id = %s", [holder.pk])
        raw_name, raw_address = cursor.fetchone()
    assert b"MARTIN" not in bytes(raw_name)
    assert b"Agey" not in bytes(raw_address)
    assert bytes(raw_name) != b"Famille MARTIN Paul"


def test_import_reports_the_quality_of_the_concessions(commune_a):
    """The summary says how complete the imported concessions are."""
    result = _import(commune_a)
    assert result.quality is not None
    assert result.quality.count == 5
    assert dict(result.quality.issue_counts)["Pas de photo de l'emplacement"] == 5
    assert dict(result.quality.issue_counts)["Aucun concessionnaire connu"] == 1
