"""Ash scattering (register of ashes, L2223-18-3) and moves to the ossuary (register, L2223-4)."""

from __future__ import annotations

import datetime

import pytest

from clocher.cimetiere.models import (
    AshScatteringEntry,
    Container,
    OssuaryEntry,
    PlotKind,
)
from clocher.cimetiere.services.operations import (
    AshScatteringAction,
    Attendance,
    OperationRefusal,
    OssuaryMoveAction,
)
from clocher.cimetiere.tests.factories import BurialFactory, DeceasedFactory, PlotFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)


def test_scattering_in_nature_is_written_in_the_register(commune_a):
    """Ashes kept at home scattered in nature: a register entry, no plot operation."""
    deceased = DeceasedFactory.create(commune=commune_a, death_date=datetime.date(2026, 9, 1))
    result = AshScatteringAction(
        commune=commune_a,
        actor=None,
        today=TODAY,
        deceased=deceased,
        scattered_on=datetime.date(2026, 10, 1),
        place="Bois de la Combe, Agey",
        in_nature=True,
        birth_place="Dijon",
        attendance=Attendance(requested_by="Marc LEROY"),
    ).execute()
    entry = AshScatteringEntry.objects.get()
    assert result is None
    assert (entry.full_name, entry.place, entry.in_nature, entry.birth_place) == (
        str(deceased),
        "Bois de la Combe, Agey",
        True,
        "Dijon",
    )


def test_scattering_from_a_niche_into_the_garden_takes_the_urn_out(commune_a):
    """The urn leaves its niche; the operation is on the garden and the register names it."""
    garden = PlotFactory.create(
        section__cemetery__commune=commune_a, kind=PlotKind.SCATTERING_GARDEN
    )
    urn = BurialFactory.create(
        plot=PlotFactory.create(
            section__cemetery__commune=commune_a, kind=PlotKind.COLUMBARIUM_NICHE
        ),
        container=Container.URN,
    )
    operation = AshScatteringAction(
        commune=commune_a,
        actor=None,
        today=TODAY,
        deceased=urn.deceased,
        burial=urn,
        garden=garden,
        scattered_on=datetime.date(2026, 10, 1),
        attendance=Attendance(requested_by="Marc LEROY"),
    ).execute()
    urn.refresh_from_db()
    assert urn.is_present is False
    assert operation is not None and operation.plot == garden
    assert AshScatteringEntry.objects.get().operation == operation


def test_scattering_without_a_place_is_refused(commune_a):
    """In nature, the place is required; nothing is written."""
    with pytest.raises(OperationRefusal) as refused:
        AshScatteringAction(
            commune=commune_a,
            actor=None,
            today=TODAY,
            deceased=DeceasedFactory.create(commune=commune_a),
            scattered_on=datetime.date(2026, 10, 1),
            in_nature=True,
            attendance=Attendance(requested_by="Marc LEROY"),
        ).execute()
    assert refused.value.field == "place"
    assert AshScatteringEntry.objects.count() == 0


def test_ossuary_entry_is_written_even_without_remains_and_kept_apart(commune_a, elected_a):
    """No remains found still makes an entry; an objection to cremation keeps them apart."""
    deceased = DeceasedFactory.create(commune=commune_a, objected_to_cremation=True)
    burial = BurialFactory.create(
        plot=PlotFactory.create(section__cemetery__commune=commune_a), deceased=deceased
    )
    operation = OssuaryMoveAction(
        commune=commune_a,
        actor=None,
        today=TODAY,
        burial=burial,
        moved_on=datetime.date(2026, 11, 2),
        remains_found=False,
        authorised_by=elected_a,
    ).execute()
    entry = OssuaryEntry.objects.get()
    burial.refresh_from_db()
    assert (entry.full_name, entry.remains_found, entry.kept_apart, entry.operation) == (
        str(deceased),
        False,
        True,
        operation,
    )
    assert burial.is_present is False
    assert "déposé à part" in operation.destination


def test_ossuary_move_without_the_mayors_order_is_refused(commune_a, agent_a):
    """An agent alone cannot order the move."""
    burial = BurialFactory.create(plot=PlotFactory.create(section__cemetery__commune=commune_a))
    with pytest.raises(OperationRefusal):
        OssuaryMoveAction(
            commune=commune_a,
            actor=agent_a,
            today=TODAY,
            burial=burial,
            moved_on=datetime.date(2026, 11, 2),
            authorised_by=agent_a,
        ).execute()
    assert OssuaryEntry.objects.count() == 0
