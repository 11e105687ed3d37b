"""A file with errors writes nothing, and every error names its line and column in French."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from clocher.cimetiere.models import Burial, Cemetery, Concession, Deceased, Holder, Plot
from clocher.cimetiere.services.imports import ImportFileRejected, import_cemetery_file

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = datetime.date(2026, 1, 15)
HEADER = (
    "cimetière;carré;emplacement;type;numéro de concession;type de concession;date de l'acte;"
    "durée;concessionnaire;adresse;défunt;né le;décédé le;inhumé le\n"
)


def _import(commune, data, **options):
    return import_cemetery_file(commune=commune, data=data, today=TODAY, **options)


def _nothing_written(commune):
    return all(
        not model.objects.for_commune(commune).exists()
        for model in (Cemetery, Plot, Concession, Holder, Deceased, Burial)
    )


def test_errors_are_listed_by_line_and_column(commune_a):
    """Each impossible value gives one French message with its line and column."""
    data = (FIXTURES / "cimetiere_erreurs.csv").read_bytes()
    result = _import(commune_a, data)
    assert [str(message) for message in result.errors] == [
        "Ligne 2, colonne act_date : « 31/02/1987 » n'est pas une date.",
        "Ligne 2, colonne burial_date : l'inhumation a lieu avant le décès.",
        "Ligne 3, colonne concession_kind : « Trentenaire » contredit la ligne 2 "
        "(« Perpétuelle ») pour la même concession n° C-1.",
        "Ligne 4, colonne plot_kind : « pyramide » n'est pas un type d'emplacement connu "
        "(terrain, caveau, columbarium, cavurne, terrain commun, ossuaire, jardin du souvenir, "
        "caveau provisoire).",
        "Ligne 5, colonne duration_years : une concession temporaire dure 15 ans au plus "
        "(article L2223-14 du CGCT), pas 20 ans.",
        "Ligne 6, colonne duration_years : une concession temporaire doit avoir sa durée "
        "(15 ans au plus).",
        "Ligne 7, colonne deceased_death_date : la date de décès est dans le futur.",
        "Ligne 8, colonne deceased_birth_date : la date de naissance est postérieure à la date "
        "de décès.",
        "Ligne 9, colonne act_date : « 01/02/03 » : l'année doit être écrite en entier, sur "
        "quatre chiffres (1921 ou 2021 ?).",
        "Ligne 10, colonne concession_kind : « sans fin » n'est pas un type de concession connu "
        "(temporaire, trentenaire, cinquantenaire, perpétuelle, centenaire, ou « 15 ans »).",
    ]


def test_a_file_with_errors_writes_nothing(commune_a):
    """Valid lines are not written either while one error remains."""
    data = (FIXTURES / "cimetiere_erreurs.csv").read_bytes()
    result = _import(commune_a, data)
    assert result.written is False
    assert result.counts == {}
    assert _nothing_written(commune_a)


def test_column_is_named_as_written_in_the_file(commune_a):
    """The message uses the secretary's own header: « date de l'acte », not act_date."""
    data = (HEADER + "Communal;A;1;caveau;C-1;perpétuelle;31/02/1987;;;;;;;\n").encode()
    result = _import(commune_a, data)
    assert [str(message) for message in result.errors] == [
        "Ligne 2, colonne date de l'acte : « 31/02/1987 » n'est pas une date."
    ]


def test_repeated_concession_lines_must_agree(commune_a):
    """Two lines of the same concession with different act dates are refused; blanks are fine."""
    data = (
        HEADER
        + "Communal;A;1;caveau;C-1;perpétuelle;01/02/1990;;DUPONT Marc;;DUPONT Léa;;;\n"
        + "Communal;A;1;caveau;C-1;;;;;;DUPONT Luc;;;\n"
        + "Communal;A;1;caveau;C-1;perpétuelle;02/02/1990;;Dupont  marc;;DUPONT Max;;;\n"
    ).encode()
    result = _import(commune_a, data)
    assert [str(message) for message in result.errors] == [
        "Ligne 4, colonne date de l'acte : « 02/02/1990 » contredit la ligne 2 (« 01/02/1990 ») "
        "pour la même concession n° C-1."
    ]
    assert _nothing_written(commune_a)


def test_conflicting_plot_kinds_are_refused(commune_a):
    """One plot cannot be a vault on one line and a niche on another."""
    data = (
        HEADER
        + "Communal;A;1;caveau;;;;;;;DUPONT Léa;;;\n"
        + "Communal;A;1;case;;;;;;;DUPONT Luc;;;\n"
    ).encode()
    result = _import(commune_a, data)
    assert [str(message) for message in result.errors] == [
        "Ligne 3, colonne type : « Case de columbarium » contredit la ligne 2 (« Caveau ») pour "
        "le même emplacement."
    ]


def test_concession_without_kind_is_refused(commune_a):
    """Without its kind a concession's expiry cannot be computed: the line is refused."""
    data = (HEADER + "Communal;A;1;caveau;C-1;;01/02/1990;;DUPONT Marc;;;;;\n").encode()
    result = _import(commune_a, data)
    assert [str(message) for message in result.errors] == [
        "Ligne 2, colonne type de concession : le type de concession est inconnu : indiquez "
        "temporaire (avec sa durée), trentenaire, cinquantenaire ou perpétuelle ; sans lui, "
        "l'échéance ne peut pas être calculée."
    ]


def test_plot_number_is_required(commune_a):
    """A line without a plot number cannot be placed."""
    data = (HEADER + "Communal;A;;caveau;;;;;;;DUPONT Léa;;;\n").encode()
    result = _import(commune_a, data)
    assert [str(message) for message in result.errors] == [
        "Ligne 2, colonne emplacement : le numéro d'emplacement est obligatoire."
    ]


def test_burial_before_death_is_refused(commune_a):
    """A burial dated before the death is impossible."""
    data = (HEADER + "Communal;A;1;;;;;;;;DUPONT Léa;;10/05/2001;09/05/2001\n").encode()
    result = _import(commune_a, data)
    assert [str(message) for message in result.errors] == [
        "Ligne 2, colonne inhumé le : l'inhumation a lieu avant le décès."
    ]


def test_spreadsheet_file_is_rejected_with_advice(commune_a):
    """An .xlsx sent instead of a CSV is refused with what to do."""
    with pytest.raises(ImportFileRejected) as error:
        _import(commune_a, b"PK\x03\x04" + b"\x00" * 100)
    assert "Enregistrer sous" in str(error.value)
    assert _nothing_written(commune_a)


def test_file_without_plot_column_is_rejected(commune_a):
    """Without a plot column no line can be placed: the file is refused as a whole."""
    with pytest.raises(ImportFileRejected) as error:
        _import(commune_a, b"nom;date\nDUPONT;01/01/2000\n")
    assert str(error.value) == (
        "La première ligne du fichier doit nommer les colonnes, dont au moins « emplacement » "
        "(numéro de l'emplacement). Colonnes lues : « nom », « date »."
    )


def test_unknown_scope_word_is_refused(commune_a):
    """The optional beneficiaries column takes individuelle, collective or familiale."""
    data = (
        "emplacement;numéro de concession;type de concession;bénéficiaires\n"
        "1;C-1;trentenaire;tribu\n"
    )
    result = _import(commune_a, data.encode())
    assert [str(message) for message in result.errors] == [
        "Ligne 2, colonne bénéficiaires : « tribu » n'est pas une étendue connue (individuelle, "
        "collective ou familiale)."
    ]
