"""Default appeal routes: the right administrative court and correct French."""

from __future__ import annotations

import pytest

from clocher.demarches.catalogue.appeal_routes import (
    COURT_BY_DEPARTMENT,
    administrative_court,
    department_of,
    of_commune,
)


@pytest.mark.parametrize(
    ("insee_code", "court"),
    [
        ("21231", "le tribunal administratif de Dijon"),
        ("69123", "le tribunal administratif de Lyon"),
        ("2A004", "le tribunal administratif de Bastia"),
        ("97411", "le tribunal administratif de La Réunion"),
        ("80021", "le tribunal administratif d'Amiens"),
        ("98735", "le tribunal administratif territorialement compétent"),
    ],
)
def test_court_follows_the_department(insee_code, court):
    """The court is found from the département of the INSEE code."""
    assert administrative_court(insee_code) == court


def test_every_metropolitan_department_has_one_court():
    """The 96 metropolitan départements (01–95 without 20, plus 2A and 2B) are all mapped."""
    metropolitan = {f"{number:02d}" for number in range(1, 96) if number != 20} | {"2A", "2B"}
    assert metropolitan <= set(COURT_BY_DEPARTMENT)
    assert department_of("97105") == "971"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Vaux-la-Cloche", "de Vaux-la-Cloche"),
        ("Agey", "d'Agey"),
        ("Écuelles", "d'Écuelles"),
        ("Le Creusot", "du Creusot"),
        ("Les Riceys", "des Riceys"),
        ("La Rochepot", "de La Rochepot"),
    ],
)
def test_commune_names_take_elision_and_contraction(name, expected):
    """« de », « d' », « du », « des » before the commune's name."""
    assert of_commune(name) == expected
