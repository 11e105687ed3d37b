"""TransferAction: an exhumation then a burial in another plot of the commune, checked there."""

from __future__ import annotations

import datetime

import pytest

from clocher.cimetiere.models import Burial, Operation, OperationKind
from clocher.cimetiere.services.operations import Attendance, OperationRefusal, TransferAction
from clocher.cimetiere.tests.factories import BurialFactory, ConcessionFactory, PlotFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)


def _transfer(commune, burial, target, authoriser):
    return TransferAction(
        commune=commune,
        actor=None,
        today=TODAY,
        burial=burial,
        target_plot=target,
        performed_on=datetime.date(2026, 11, 20),
        attendance=Attendance(
            requested_by="Anne PETIT",
            requester_relationship="fille",
            sworn_statement_received=True,
            authorised_by=authoriser,
            attended_by="Anne PETIT",
            authorised_on=datetime.date(2026, 11, 1),
        ),
    )


def _target(commune, capacity):
    plot = PlotFactory.create(section__cemetery__commune=commune, capacity=capacity)
    ConcessionFactory.create(plot=plot, act_date=datetime.date(2020, 1, 1))
    return plot


def test_transfer_moves_the_deceased_and_records_both_ends(commune_a, elected_a):
    """The old burial leaves, a new one arrives in the target's concession; two operations."""
    burial = BurialFactory.create(plot=PlotFactory.create(section__cemetery__commune=commune_a))
    target = _target(commune_a, capacity=2)
    operation = _transfer(commune_a, burial, target, elected_a).execute()
    burial.refresh_from_db()
    arrival = Burial.objects.get(plot=target)
    assert burial.is_present is False
    assert (arrival.deceased, arrival.concession, arrival.is_present) == (
        burial.deceased,
        target.concessions.get(),
        True,
    )
    assert operation.kind == OperationKind.TRANSFER
    assert sorted(Operation.objects.values_list("plot_id", flat=True)) == sorted(
        [burial.plot_id, target.pk]
    )


def test_transfer_to_a_full_plot_is_refused(commune_a, elected_a):
    """The target's capacity is checked; nothing moves."""
    burial = BurialFactory.create(plot=PlotFactory.create(section__cemetery__commune=commune_a))
    target = _target(commune_a, capacity=1)
    BurialFactory.create(plot=target)
    with pytest.raises(OperationRefusal) as refused:
        _transfer(commune_a, burial, target, elected_a).execute()
    assert refused.value.field == "target_plot"
    burial.refresh_from_db()
    assert burial.is_present is True
    assert Operation.objects.count() == 0


def test_transfer_to_another_communes_plot_is_refused(commune_a, commune_b, elected_a):
    """The target must be a plot of the same commune."""
    burial = BurialFactory.create(plot=PlotFactory.create(section__cemetery__commune=commune_a))
    with pytest.raises(OperationRefusal):
        _transfer(commune_a, burial, _target(commune_b, capacity=2), elected_a).execute()
    assert Burial.objects.filter(commune=commune_b).count() == 0
