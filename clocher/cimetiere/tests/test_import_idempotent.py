"""Importing the same file twice changes nothing; a corrected file updates without duplicating."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from clocher.cimetiere.models import Burial, Concession, ConcessionScope, Deceased, Holder, Plot
from clocher.cimetiere.services.imports import import_cemetery_file
from clocher.cimetiere.tests.factories import PlotFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = datetime.date(2026, 1, 15)
HEADER = (
    "cimetière;carré;emplacement;type;places;numéro de concession;type de concession;"
    "date de l'acte;concessionnaire;adresse;défunt;décédé le;inhumé le\n"
)


def _import(commune, data, **options):
    return import_cemetery_file(commune=commune, data=data, today=TODAY, **options)


def _counts(result):
    return {
        key: (counts.created, counts.updated, counts.unchanged)
        for key, counts in result.counts.items()
    }


def test_same_file_twice_changes_nothing(commune_a):
    """The second import finds every object and counts them all unchanged."""
    data = (FIXTURES / "cimetiere_tableur.csv").read_bytes()
    _import(commune_a, data)
    second = _import(commune_a, data)
    assert _counts(second) == {
        "cemeteries": (0, 0, 2),
        "sections": (0, 0, 4),
        "plots": (0, 0, 6),
        "concessions": (0, 0, 5),
        "holders": (0, 0, 4),
        "deceased": (0, 0, 6),
        "burials": (0, 0, 6),
    }
    assert Plot.objects.for_commune(commune_a).count() == 6
    assert Concession.objects.for_commune(commune_a).count() == 5
    assert Holder.objects.for_commune(commune_a).count() == 4
    assert Deceased.objects.for_commune(commune_a).count() == 6
    assert Burial.objects.for_commune(commune_a).count() == 6


def test_corrected_file_updates_in_place(commune_a):
    """A new act date, a new address and a new burial update the existing objects."""
    _import(
        commune_a,
        (HEADER + "Communal;A;1;caveau;2;C-1;perpétuelle;;DUPONT Marc;;DUPONT Léa;;\n").encode(),
    )
    second = _import(
        commune_a,
        (
            HEADER
            + "Communal;A;1;caveau;2;C-1;perpétuelle;01/02/1990;DUPONT Marc;1 rue Haute;"
            + "DUPONT Léa;;\n"
            + "Communal;A;1;caveau;2;C-1;perpétuelle;;;;DUPONT Luc;03/03/2003;05/03/2003\n"
        ).encode(),
    )
    assert _counts(second) == {
        "cemeteries": (0, 0, 1),
        "sections": (0, 0, 1),
        "plots": (0, 0, 1),
        "concessions": (0, 1, 0),
        "holders": (0, 1, 0),
        "deceased": (1, 0, 1),
        "burials": (1, 0, 1),
    }
    concession = Concession.objects.for_commune(commune_a).get()
    assert concession.act_date == datetime.date(1990, 2, 1)
    assert Holder.objects.for_commune(commune_a).get().address == "1 rue Haute"


def test_empty_cells_never_erase_known_values(commune_a):
    """A re-import with blank act date and address keeps what the register knows."""
    _import(
        commune_a,
        (
            HEADER + "Communal;A;1;caveau;2;C-1;perpétuelle;01/02/1990;DUPONT Marc;1 rue Haute;;;\n"
        ).encode(),
    )
    second = _import(
        commune_a, (HEADER + "Communal;A;1;;;C-1;perpétuelle;;DUPONT Marc;;;;\n").encode()
    )
    assert second.counts["concessions"].unchanged == 1
    assert second.counts["holders"].unchanged == 1
    assert Concession.objects.for_commune(commune_a).get().act_date == datetime.date(1990, 2, 1)
    assert Holder.objects.for_commune(commune_a).get().address == "1 rue Haute"


def test_existing_plot_is_matched_by_section_and_number(commune_a):
    """A plot created by hand is found by its cemetery, section and number, not duplicated."""
    plot = PlotFactory.create(
        section__cemetery__commune=commune_a,
        section__cemetery__name="Cimetière communal",
        section__name="A",
        number="12",
        capacity=2,
    )
    result = _import(commune_a, (HEADER + "cimetiere communal;a;12;;;;;;;;MOREL Anne;;\n").encode())
    assert result.counts["plots"].unchanged == 1
    assert Plot.objects.for_commune(commune_a).get() == plot
    assert Burial.objects.for_commune(commune_a).get().plot == plot


def test_burials_over_capacity_raise_it_with_a_warning(commune_a):
    """Three deceased in a plot of two places: capacity becomes three, the import says so."""
    data = (
        HEADER
        + "Communal;A;1;caveau;2;;;;;;DUPONT Léa;;\n"
        + "Communal;A;1;caveau;2;;;;;;DUPONT Luc;;\n"
        + "Communal;A;1;caveau;2;;;;;;DUPONT Max;;\n"
    ).encode()
    result = _import(commune_a, data)
    assert result.errors == []
    assert [str(message) for message in result.warnings] == [
        "Ligne 2 : l'emplacement 1 (A) compte 3 défunts pour 2 places : sa capacité est portée à 3."
    ]
    assert Plot.objects.for_commune(commune_a).get().capacity == 3


def test_dry_run_counts_but_writes_nothing(commune_a):
    """A dry run gives the same counts as the real import, and the database stays empty."""
    data = (FIXTURES / "cimetiere_tableur.csv").read_bytes()
    dry = _import(commune_a, data, dry_run=True)
    assert dry.written is False
    assert dry.counts["burials"].created == 6
    assert not Plot.objects.for_commune(commune_a).exists()
    assert not Holder.objects.for_commune(commune_a).exists()


def test_other_commune_objects_are_never_matched(commune_a, commune_b):
    """The same file in two communes creates two separate sets of objects."""
    data = (FIXTURES / "cimetiere_tableur.csv").read_bytes()
    _import(commune_a, data)
    result = _import(commune_b, data)
    assert result.counts["plots"].created == 6
    assert Plot.objects.for_commune(commune_b).count() == 6
    assert Plot.objects.for_commune(commune_a).count() == 6


def test_two_concessions_on_one_plot_are_imported_with_a_warning(commune_a):
    """An old concession and its successor on one plot are both kept, and the import warns."""
    data = (
        HEADER
        + "Communal;A;1;terrain;;C-1;trentenaire;01/02/1950;;;;;\n"
        + "Communal;A;1;terrain;;C-9;trentenaire;01/02/1990;;;;;\n"
    ).encode()
    result = _import(commune_a, data)
    assert [str(message) for message in result.warnings] == [
        "Ligne 2 : l'emplacement 1 (A) porte 2 concessions (C-1, C-9) ; elles sont toutes "
        "importées comme en cours : indiquez ensuite la fin de l'ancienne sur sa fiche."
    ]
    assert result.counts["concessions"].created == 2


def test_scope_column_is_read_and_updates(commune_a):
    """« familiale » sets the concession's scope; a corrected file changes it in place."""
    header = "emplacement;numéro de concession;type de concession;bénéficiaires\n"
    _import(commune_a, (header + "1;C-1;trentenaire;Familiale\n").encode())
    assert Concession.objects.for_commune(commune_a).get().scope == ConcessionScope.FAMILY
    second = _import(commune_a, (header + "1;C-1;trentenaire;individuelle\n").encode())
    assert second.counts["concessions"].updated == 1
    assert Concession.objects.for_commune(commune_a).get().scope == ConcessionScope.INDIVIDUAL
