"""The forgiving part of the import: encodings, separators, headers, words, dates, names."""

from __future__ import annotations

import datetime

import pytest

from clocher.cimetiere.models import ConcessionKind, PlotKind
from clocher.cimetiere.services.imports import (
    PLOT_KIND_WORDS,
    normalise_label,
    parse_concession_kind,
    parse_date,
    parse_file,
    split_deceased_name,
)

TODAY = datetime.date(2026, 1, 15)
LINE = ["Communal", "A", "1", "caveau", "C-1", "trentenaire", "04/03/2021", "", "Jean DUPONT"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-03-04", datetime.date(2021, 3, 4)),
        ("04/03/2021", datetime.date(2021, 3, 4)),
        ("4/3/2021", datetime.date(2021, 3, 4)),
        ("04-03-2021", datetime.date(2021, 3, 4)),
        ("04.03.2021", datetime.date(2021, 3, 4)),
        ("2021-03-04 00:00:00", datetime.date(2021, 3, 4)),
        ("29/02/2024", datetime.date(2024, 2, 29)),
    ],
)
def test_dates_iso_and_french(text, expected):
    """ISO and French day-first dates are read the same."""
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/1987", "« 31/02/1987 » n'est pas une date."),
        ("29/02/2023", "« 29/02/2023 » n'est pas une date."),
        ("mars 1987", "« mars 1987 » n'est pas une date."),
        (
            "04/03/21",
            "« 04/03/21 » : l'année doit être écrite en entier, sur quatre chiffres "
            "(1921 ou 2021 ?).",
        ),
    ],
)
def test_impossible_or_ambiguous_dates_are_refused(text, message):
    """An impossible date or a two-digit year is refused with its reason."""
    with pytest.raises(ValueError) as error:
        parse_date(text)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("temporaire", (ConcessionKind.TEMPORARY, None)),
        ("Trentenaire", (ConcessionKind.THIRTY_YEARS, None)),
        ("cinquantenaire", (ConcessionKind.FIFTY_YEARS, None)),
        ("Perpétuelle", (ConcessionKind.PERPETUAL, None)),
        ("perpetuelle", (ConcessionKind.PERPETUAL, None)),
        ("à perpétuité", (ConcessionKind.PERPETUAL, None)),
        ("centenaire", (ConcessionKind.CENTENARY, None)),
        ("temporary", (ConcessionKind.TEMPORARY, None)),
        ("30 years", (ConcessionKind.THIRTY_YEARS, None)),
        ("thirty", (ConcessionKind.THIRTY_YEARS, None)),
        ("50 years", (ConcessionKind.FIFTY_YEARS, None)),
        ("fifty", (ConcessionKind.FIFTY_YEARS, None)),
        ("perpetual", (ConcessionKind.PERPETUAL, None)),
        ("30 ans", (ConcessionKind.THIRTY_YEARS, None)),
        ("50 ans", (ConcessionKind.FIFTY_YEARS, None)),
        ("15 ans", (ConcessionKind.TEMPORARY, 15)),
        ("10 ans", (ConcessionKind.TEMPORARY, 10)),
        ("20 ans", None),
        ("éternelle", None),
    ],
)
def test_concession_kind_words(word, expected):
    """French and English words, and "N ans", give the kind (and a temporary's duration)."""
    assert parse_concession_kind(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("terrain", PlotKind.CONCESSION_GROUND),
        ("Concession", PlotKind.CONCESSION_GROUND),
        ("pleine terre", PlotKind.CONCESSION_GROUND),
        ("Caveau", PlotKind.VAULT),
        ("columbarium", PlotKind.COLUMBARIUM_NICHE),
        ("case", PlotKind.COLUMBARIUM_NICHE),
        ("cavurne", PlotKind.URN_PLOT),
        ("terrain commun", PlotKind.COMMON_GROUND),
        ("Fosse commune", PlotKind.COMMON_GROUND),
        ("ossuaire", PlotKind.OSSUARY),
        ("Jardin du souvenir", PlotKind.SCATTERING_GARDEN),
        ("caveau provisoire", PlotKind.TEMPORARY_DEPOSITORY),
        ("dépositoire", PlotKind.TEMPORARY_DEPOSITORY),
    ],
)
def test_plot_kind_words(word, expected):
    """The plot kind words a secretary uses map to the plot kinds."""
    assert PLOT_KIND_WORDS[normalise_label(word)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DUPONT Jean", ("DUPONT", "Jean")),
        ("DUPONT Jean Marie", ("DUPONT", "Jean Marie")),
        ("DE LA TOUR Marie-Anne", ("DE LA TOUR", "Marie-Anne")),
        ("Jean DUPONT", ("DUPONT", "Jean")),
        ("Dupont, Jean", ("Dupont", "Jean")),
        ("  MARTIN   Émilie ", ("MARTIN", "Émilie")),
        ("jean dupont", ("jean dupont", "")),
        ("DUPONT", ("DUPONT", "")),
        ("DUPONT née MARTIN Jeanne", ("DUPONT née MARTIN Jeanne", "")),
    ],
)
def test_deceased_names_are_split_when_clear(text, expected):
    """Upper-case words are the last name; an unclear name is kept whole."""
    assert split_deceased_name(text) == expected


def _file(header, rows, delimiter=",", encoding="utf-8", bom=False):
    text = "\r\n".join(delimiter.join(row) for row in [header, *rows]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


HEADER = [
    "cemetery",
    "section",
    "plot",
    "plot_kind",
    "concession_number",
    "concession_kind",
    "act_date",
    "duration_years",
    "deceased_name",
]


@pytest.mark.parametrize(
    ("delimiter", "encoding", "bom", "found"),
    [
        (",", "utf-8", False, "utf-8"),
        (";", "utf-8", True, "utf-8"),
        ("\t", "utf-8", False, "utf-8"),
        (";", "cp1252", False, "cp1252"),
        (";", "latin-1", False, "cp1252"),
    ],
)
def test_encodings_and_separators_are_sniffed(delimiter, encoding, bom, found):
    """UTF-8 with or without BOM, Windows-1252 and Latin-1; comma, semicolon or tab."""
    parsed = parse_file(
        _file(HEADER, [[*LINE[:8], "Hélène LÉGER"]], delimiter, encoding, bom), today=TODAY
    )
    assert parsed.errors == []
    assert parsed.encoding == found
    assert parsed.delimiter == delimiter
    row = parsed.rows[0]
    assert (row.deceased_last_name, row.deceased_first_names) == ("LÉGER", "Hélène")
    assert row.concession_kind == ConcessionKind.THIRTY_YEARS


@pytest.mark.parametrize(
    ("label", "column"),
    [
        ("Cimetière", "cemetery"),
        ("CARRÉ", "section"),
        ("Emplacement", "plot"),
        ("N° emplacement", "plot"),
        ("Type", "plot_kind"),
        ("Numéro de concession", "concession_number"),
        ("Durée", "duration_years"),
        ("Date de l'acte", "act_date"),
        ("Concessionnaire", "holder_name"),
        ("Adresse", "holder_address"),
        ("Défunt", "deceased_name"),
        ("Né(e) le", "deceased_birth_date"),
        ("né le", "deceased_birth_date"),
        ("Décédé le", "deceased_death_date"),
        ("Inhumé le", "burial_date"),
        ("burial_date", "burial_date"),
    ],
)
def test_french_header_aliases(label, column):
    """Headers match whatever their case, accents, spaces or punctuation."""
    from clocher.cimetiere.services.imports import _ALIAS_TO_COLUMN

    assert _ALIAS_TO_COLUMN[normalise_label(label)] == column


def test_missing_cemetery_column_uses_a_default_name():
    """A file without a cemetery column puts every plot in « Cimetière communal »."""
    parsed = parse_file(b"carre;emplacement\nA;1\n", today=TODAY)
    assert parsed.rows[0].cemetery == "Cimetière communal"


def test_line_with_only_a_plot_is_accepted():
    """A plot with neither concession nor deceased is still a line of the register."""
    parsed = parse_file(b"carre;emplacement;type\nA;1;terrain commun\n", today=TODAY)
    assert parsed.errors == []
    assert parsed.rows[0].has_concession is False
    assert parsed.rows[0].has_deceased is False
