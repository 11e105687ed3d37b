"""concession_grant: only on a concedable plot without a running concession, for a legal term."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from clocher.cimetiere.legal_clock import LegalRefusal
from clocher.cimetiere.models import Concession, ConcessionKind, ConcessionScope, Holder, PlotKind
from clocher.cimetiere.services.concessions import concession_grant
from clocher.cimetiere.tests.factories import ConcessionFactory, PlotFactory

pytestmark = pytest.mark.django_db


def _grant(commune, actor, plot, **kwargs):
    values: dict[str, Any] = {
        "kind": ConcessionKind.THIRTY_YEARS,
        "act_date": date(2025, 2, 1),
        "number": "2025-01",
        "scope": ConcessionScope.FAMILY,
        "holders": [{"full_name": "Lucie Martin", "address": "2 rue de l'Église, Agey"}],
    }
    values.update(kwargs)
    return concession_grant(commune=commune, actor=actor, plot=plot, **values)


def test_grant_creates_the_concession_and_its_holders(commune_a, agent_a):
    """A 30-year family concession on a free plot, with its holder sealed in the vault."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a, surface_m2=Decimal("2.50"))
    concession = _grant(commune_a, agent_a, plot, price_paid=Decimal("300.00"))
    assert concession.plot == plot
    assert concession.kind == ConcessionKind.THIRTY_YEARS
    assert concession.duration_years is None
    assert concession.surface_m2 == Decimal("2.50")
    assert concession.price_paid == Decimal("300.00")
    holder = Holder.objects.get(concession=concession)
    assert holder.full_name == "Lucie Martin"
    assert holder.position == 0


def test_temporary_with_duration(commune_a, agent_a):
    """A temporary concession of 15 years is accepted."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a)
    concession = _grant(commune_a, agent_a, plot, kind=ConcessionKind.TEMPORARY, duration_years=15)
    assert concession.duration_years == 15


@pytest.mark.parametrize(
    ("kind", "duration", "message"),
    [
        (
            ConcessionKind.TEMPORARY,
            16,
            "Une concession temporaire dure 15 ans au plus (article L2223-14 du CGCT) : "
            "16 ans n'est pas possible.",
        ),
        (
            ConcessionKind.TEMPORARY,
            None,
            "Indiquez la durée d'une concession temporaire (15 ans au plus, L2223-14).",
        ),
        (
            ConcessionKind.CENTENARY,
            None,
            "Les concessions centenaires ont été supprimées en 1959 : choisissez une concession "
            "temporaire, trentenaire, cinquantenaire ou perpétuelle (L2223-14).",
        ),
    ],
)
def test_illegal_durations_are_refused(commune_a, agent_a, kind, duration, message):
    """Over 15 years, no duration for a temporary concession, a new centenary: refused."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a)
    with pytest.raises(LegalRefusal) as refusal:
        _grant(commune_a, agent_a, plot, kind=kind, duration_years=duration)
    assert refusal.value.message == message
    assert refusal.value.article == "L2223-14"
    assert Concession.objects.count() == 0


@pytest.mark.parametrize("kind", [PlotKind.COMMON_GROUND, PlotKind.OSSUARY])
def test_plot_kind_that_cannot_be_conceded(commune_a, agent_a, kind):
    """Common ground or an ossuary cannot be conceded."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a, kind=kind)
    with pytest.raises(LegalRefusal) as refusal:
        _grant(commune_a, agent_a, plot)
    assert refusal.value.article == "L2223-13"
    assert "ne peut pas faire l'objet d'une concession" in refusal.value.message
    assert Concession.objects.count() == 0
    assert Holder.objects.count() == 0


def test_plot_with_an_active_concession(commune_a, agent_a):
    """A second concession on a plot whose concession is still running is refused."""
    existing = ConcessionFactory.create(plot__section__cemetery__commune=commune_a, number="1990-4")
    with pytest.raises(LegalRefusal) as refusal:
        _grant(commune_a, agent_a, existing.plot)
    assert "porte déjà une concession en cours (n° 1990-4)" in refusal.value.message
    assert Concession.objects.count() == 1


def test_plot_whose_concession_ended_can_be_granted(commune_a, agent_a):
    """Once the previous concession has ended, the plot can be conceded again; history stays."""
    existing = ConcessionFactory.create(
        plot__section__cemetery__commune=commune_a, ended_on=date(2024, 1, 1)
    )
    concession = _grant(commune_a, agent_a, existing.plot)
    assert set(Concession.objects.filter(plot=existing.plot)) == {existing, concession}


def test_plot_of_another_commune_is_refused(commune_a, commune_b, agent_a):
    """A plot of commune B cannot be conceded by commune A."""
    plot = PlotFactory.create(section__cemetery__commune=commune_b)
    with pytest.raises(ValueError):
        _grant(commune_a, agent_a, plot)
    assert Concession.objects.count() == 0
