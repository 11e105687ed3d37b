"""concession_end: repossession after expiry only after two full years (L2223-15)."""

from __future__ import annotations

from datetime import date

import pytest

from clocher.cimetiere.legal_clock import LegalRefusal
from clocher.cimetiere.models import Concession, ConcessionEndReason, ConcessionKind
from clocher.cimetiere.services.concessions import concession_end
from clocher.cimetiere.tests.factories import ConcessionFactory

pytestmark = pytest.mark.django_db


def _end(commune, actor, concession, on, reason=ConcessionEndReason.REPOSSESSED_AFTER_EXPIRY):
    return concession_end(commune=commune, actor=actor, concession=concession, on=on, reason=reason)


def test_repossession_boundary(commune_a, agent_a):
    """Refused the day before repossessable_from (15/05/2032), accepted on it."""
    concession = ConcessionFactory.create(plot__section__cemetery__commune=commune_a)
    with pytest.raises(LegalRefusal) as refusal:
        _end(commune_a, agent_a, concession, date(2032, 5, 14))
    assert refusal.value.message == (
        "Reprise impossible avant le 15/05/2032 : après l'échéance, la famille dispose de deux "
        "années entières pour renouveler (L2223-15)."
    )
    assert Concession.objects.get(pk=concession.pk).ended_on is None
    ended = _end(commune_a, agent_a, concession, date(2032, 5, 15))
    assert (ended.ended_on, ended.end_reason) == (
        date(2032, 5, 15),
        ConcessionEndReason.REPOSSESSED_AFTER_EXPIRY,
    )


def test_perpetual_cannot_be_repossessed_after_expiry(commune_a, agent_a):
    """A perpetual concession has no expiry: only the abandonment procedure can retake it."""
    concession = ConcessionFactory.create(
        plot__section__cemetery__commune=commune_a, kind=ConcessionKind.PERPETUAL
    )
    with pytest.raises(LegalRefusal) as refusal:
        _end(commune_a, agent_a, concession, date(2090, 1, 1))
    assert refusal.value.article == "L2223-17"
    assert Concession.objects.get(pk=concession.pk).ended_on is None


def test_already_ended_is_refused(commune_a, agent_a):
    """An ended concession cannot end again; its end stays as recorded."""
    concession = ConcessionFactory.create(
        plot__section__cemetery__commune=commune_a,
        ended_on=date(2033, 1, 1),
        end_reason=ConcessionEndReason.RETROCEDED,
    )
    with pytest.raises(LegalRefusal):
        _end(commune_a, agent_a, concession, date(2040, 1, 1))
    assert Concession.objects.get(pk=concession.pk).ended_on == date(2033, 1, 1)


def test_retrocession_any_time(commune_a, agent_a):
    """A retrocession to the commune may be recorded before expiry."""
    concession = ConcessionFactory.create(plot__section__cemetery__commune=commune_a)
    ended = _end(commune_a, agent_a, concession, date(2010, 1, 1), ConcessionEndReason.RETROCEDED)
    assert ended.ended_on == date(2010, 1, 1)
