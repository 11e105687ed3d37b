"""ExhumationAction and UrnRemovalAction: the nearest relative's request with a sworn statement,
the mayor's authorisation, someone attending (R2213-40, R2223-23-3)."""

from __future__ import annotations

import datetime

import pytest

from clocher.cimetiere.models import Burial, Container, Operation, OperationKind, PlotKind
from clocher.cimetiere.services.operations import (
    Attendance,
    ExhumationAction,
    OperationRefusal,
    ReductionAction,
    UrnRemovalAction,
)
from clocher.cimetiere.tests.factories import BurialFactory, PlotFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)


def _attendance(authoriser, **overrides):
    values = dict(
        requested_by="Anne PETIT",
        requester_relationship="fille",
        sworn_statement_received=True,
        authorised_by=authoriser,
        authorised_on=datetime.date(2026, 11, 10),
        attended_by="Anne PETIT",
    )
    values.update(overrides)
    return Attendance(**values)


def _exhumation(commune, burial, authoriser, actor=None, action=ExhumationAction, **overrides):
    attendance = _attendance(authoriser, **overrides.pop("attendance", {}))
    values = dict(
        commune=commune,
        actor=actor,
        today=TODAY,
        burial=burial,
        performed_on=datetime.date(2026, 11, 20),
        destination="Crématorium de Dijon",
        attendance=attendance,
    )
    values.update(overrides)
    return action(**values)


def _refused(action, burial):
    with pytest.raises(OperationRefusal) as refused:
        action.execute()
    burial.refresh_from_db()
    assert burial.is_present is True
    assert Operation.objects.count() == 0
    return refused.value


@pytest.fixture
def burial(commune_a):
    return BurialFactory.create(plot=PlotFactory.create(section__cemetery__commune=commune_a))


def test_exhumation_marks_the_burial_gone_and_records_everyone(
    commune_a, burial, elected_a, agent_a
):
    """The burial is kept, no longer present; the operation says who asked, authorised, attended."""
    operation = _exhumation(commune_a, burial, elected_a, actor=agent_a).execute()
    burial.refresh_from_db()
    assert (burial.is_present, burial.left_on) == (False, datetime.date(2026, 11, 20))
    assert Burial.objects.filter(pk=burial.pk).exists()
    assert (operation.kind, operation.authorised_by, operation.recorded_by) == (
        OperationKind.EXHUMATION,
        elected_a,
        agent_a,
    )
    assert (operation.requested_by, operation.requester_relationship, operation.attended_by) == (
        "Anne PETIT",
        "fille",
        "Anne PETIT",
    )
    assert operation.sworn_statement_received is True
    assert operation.destination == "Crématorium de Dijon"


def test_exhumation_without_sworn_statement_is_refused(commune_a, burial, elected_a):
    """No sworn statement from the nearest relative: refused (R2213-40)."""
    refusal = _refused(
        _exhumation(commune_a, burial, elected_a, attendance={"sworn_statement_received": False}),
        burial,
    )
    assert (refusal.field, refusal.article) == ("sworn_statement_received", "R2213-40")
    assert "attestation sur l'honneur" in refusal.message


def test_exhumation_without_the_nearest_relatives_request_is_refused(commune_a, burial, elected_a):
    """No requester: refused."""
    refusal = _refused(
        _exhumation(commune_a, burial, elected_a, attendance={"requested_by": "  "}), burial
    )
    assert refusal.field == "requested_by"
    assert "plus proche parent" in refusal.message


def test_exhumation_without_authorisation_is_refused(commune_a, burial):
    """Nobody authorised it: refused."""
    refusal = _refused(_exhumation(commune_a, burial, None), burial)
    assert (refusal.field, refusal.article) == ("authorised_by", "R2213-40")


def test_exhumation_authorised_by_an_agent_is_refused(commune_a, burial, agent_a):
    """An agent does not hold AUTHORISE_FUNERAL_OPERATION: the authorisation does not count."""
    refusal = _refused(_exhumation(commune_a, burial, agent_a), burial)
    assert refusal.field == "authorised_by"


def test_exhumation_authorised_by_another_communes_mayor_is_refused(commune_b, commune_a, burial):
    """An elected official of another commune cannot authorise here."""
    from clocher.core.testing.factories import MembershipFactory
    from clocher.tenancy.models import Role

    mayor_b = MembershipFactory(commune=commune_b, role=Role.ELECTED).user
    assert _refused(_exhumation(commune_a, burial, mayor_b), burial).field == "authorised_by"


def test_exhumation_without_attendant_is_refused(commune_a, burial, elected_a):
    """Nobody of the family attends: the operation does not take place."""
    refusal = _refused(
        _exhumation(commune_a, burial, elected_a, attendance={"attended_by": ""}), burial
    )
    assert refusal.field == "attended_by"
    assert "doit assister" in refusal.message


def test_exhumation_without_destination_is_refused(commune_a, burial, elected_a):
    """Where the remains go must be said."""
    assert (
        _refused(_exhumation(commune_a, burial, elected_a, destination=""), burial).field
        == "destination"
    )


def test_exhumation_in_the_future_or_before_the_burial_is_refused(commune_a, burial, elected_a):
    """Dates: not after today, not before the burial."""
    future = _exhumation(commune_a, burial, elected_a, performed_on=datetime.date(2026, 11, 23))
    assert _refused(future, burial).field == "performed_on"
    early = _exhumation(
        commune_a,
        burial,
        elected_a,
        performed_on=datetime.date(2000, 1, 1),
        attendance={"authorised_on": datetime.date(1999, 12, 1)},
    )
    assert _refused(early, burial).field == "performed_on"


def test_exhumation_of_someone_already_gone_is_refused(commune_a, burial, elected_a):
    """A burial no longer present cannot be exhumed again."""
    _exhumation(commune_a, burial, elected_a).execute()
    with pytest.raises(OperationRefusal) as refused:
        _exhumation(commune_a, burial, elected_a).execute()
    assert refused.value.field == "burial"
    assert Operation.objects.count() == 1


def test_urn_removal_follows_the_exhumation_rule(commune_a, elected_a):
    """Removing an urn from a niche follows the exhumation rule (R2223-23-3)."""
    niche = PlotFactory.create(
        section__cemetery__commune=commune_a, kind=PlotKind.COLUMBARIUM_NICHE
    )
    urn = BurialFactory.create(plot=niche, container=Container.URN)
    refusal = _refused(
        _exhumation(
            commune_a,
            urn,
            elected_a,
            action=UrnRemovalAction,
            attendance={"sworn_statement_received": False},
        ),
        urn,
    )
    assert refusal.article == "R2223-23-3"
    operation = _exhumation(commune_a, urn, elected_a, action=UrnRemovalAction).execute()
    urn.refresh_from_db()
    assert (operation.kind, urn.is_present) == (OperationKind.URN_REMOVAL, False)


def test_reduction_keeps_the_burial_in_a_remains_box(commune_a, burial, elected_a):
    """A reduction is an exhumation in the same grave: still present, in a remains box."""
    operation = _exhumation(commune_a, burial, elected_a, action=ReductionAction).execute()
    burial.refresh_from_db()
    assert (operation.kind, burial.is_present, burial.container) == (
        OperationKind.REDUCTION,
        True,
        Container.REMAINS_BOX,
    )
