"""BurialAction: dates, capacity, concession in force, common-ground rotation (R2223-5)."""

from __future__ import annotations

import datetime

import pytest

from clocher.cimetiere.models import (
    Beneficiary,
    Burial,
    ConcessionScope,
    Container,
    Deceased,
    Holder,
    Operation,
    OperationKind,
    PlotKind,
)
from clocher.cimetiere.services.operations import Attendance, BurialAction, OperationRefusal
from clocher.cimetiere.tests.factories import BurialFactory, ConcessionFactory, PlotFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)


def _action(commune, plot, actor=None, **overrides):
    values = dict(
        commune=commune,
        actor=actor,
        today=TODAY,
        plot=plot,
        last_name="DURAND",
        first_names="Jeanne",
        death_date=datetime.date(2026, 11, 1),
        buried_on=datetime.date(2026, 11, 5),
    )
    values.update(overrides)
    return BurialAction(**values)


def _concession_plot(commune, capacity=2, **concession):
    plot = PlotFactory.create(section__cemetery__commune=commune, capacity=capacity)
    ConcessionFactory.create(
        plot=plot, act_date=concession.pop("act_date", datetime.date(2010, 1, 1)), **concession
    )
    return plot


def _refusal(action):
    counts = (Deceased.objects.count(), Burial.objects.count(), Operation.objects.count())
    with pytest.raises(OperationRefusal) as refused:
        action.execute()
    assert (Deceased.objects.count(), Burial.objects.count(), Operation.objects.count()) == counts
    return refused.value


def test_burial_creates_the_deceased_the_burial_and_the_operation(commune_a, agent_a):
    """A valid burial writes the deceased, the burial in the concession and who recorded it."""
    plot = _concession_plot(commune_a)
    operation = _action(
        commune_a, plot, agent_a, attendance=Attendance(requested_by="Pompes funèbres Roy")
    ).execute()
    burial = Burial.objects.get()
    assert (burial.plot, burial.concession, burial.buried_on, burial.is_present) == (
        plot,
        plot.concessions.get(),
        datetime.date(2026, 11, 5),
        True,
    )
    assert str(burial.deceased) == "DURAND Jeanne"
    assert (operation.kind, operation.burial, operation.recorded_by) == (
        OperationKind.BURIAL,
        burial,
        agent_a,
    )
    assert operation.requested_by == "Pompes funèbres Roy"


def test_burial_in_a_full_plot_is_refused(commune_a):
    """Capacity counts present burials: a third coffin in a two-place plot is refused."""
    plot = _concession_plot(commune_a, capacity=2)
    BurialFactory.create(plot=plot)
    BurialFactory.create(plot=plot)
    refusal = _refusal(_action(commune_a, plot))
    assert refusal.field == "plot"
    assert refusal.message == (
        f"L'emplacement {plot} est complet : 2 personne(s) y reposent pour 2 place(s)."
    )


def test_burial_counts_only_present_burials(commune_a):
    """Someone exhumed no longer takes a place."""
    plot = _concession_plot(commune_a, capacity=1)
    BurialFactory.create(plot=plot, is_present=False, left_on=datetime.date(2020, 1, 1))
    _action(commune_a, plot).execute()
    assert Burial.objects.filter(plot=plot, is_present=True).count() == 1


def test_burial_before_death_is_refused(commune_a):
    """The burial date cannot precede the death."""
    refusal = _refusal(
        _action(commune_a, _concession_plot(commune_a), buried_on=datetime.date(2026, 10, 31))
    )
    assert refusal.field == "buried_on"
    assert (
        refusal.message == "L'inhumation (31/10/2026) ne peut pas précéder le décès (01/11/2026)."
    )


def test_death_in_the_future_is_refused(commune_a):
    """A death date after today is refused."""
    refusal = _refusal(
        _action(
            commune_a,
            _concession_plot(commune_a),
            death_date=datetime.date(2026, 11, 23),
            buried_on=datetime.date(2026, 11, 24),
        )
    )
    assert refusal.field == "death_date"
    assert refusal.message == "La date de décès (23/11/2026) est dans le futur."


def test_birth_after_death_is_refused(commune_a):
    """A birth after the death is refused."""
    refusal = _refusal(
        _action(commune_a, _concession_plot(commune_a), birth_date=datetime.date(2026, 11, 2))
    )
    assert refusal.field == "birth_date"


def test_concession_ground_without_concession_is_refused(commune_a):
    """A concession plot needs a concession in force (L2223-13)."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a)
    refusal = _refusal(_action(commune_a, plot))
    assert refusal.article == "L2223-13"


def test_concession_past_its_renewal_window_is_refused(commune_a):
    """A 30-year concession of 1990 expired in 2020; two years later it is no longer in force."""
    plot = _concession_plot(commune_a, act_date=datetime.date(1990, 3, 1))
    refusal = _refusal(_action(commune_a, plot))
    assert refusal.article == "L2223-15"
    assert refusal.message.startswith("La concession n° ")
    assert "a expiré le 01/03/2020" in refusal.message


def test_concession_in_its_renewal_window_is_accepted_with_a_warning(commune_a):
    """Expired less than two years ago: the burial is possible, the agent is told to renew."""
    plot = _concession_plot(commune_a, act_date=datetime.date(1996, 1, 1))
    action = _action(commune_a, plot)
    action.check()
    assert len(action.warnings) == 1
    assert "délai de renouvellement" in action.warnings[0]


def test_individual_concession_warns_when_the_deceased_is_not_named(commune_a):
    """An individual concession for someone else: a warning, not a refusal."""
    plot = _concession_plot(commune_a, scope=ConcessionScope.INDIVIDUAL)
    concession = plot.concessions.get()
    Holder.objects.create(commune=commune_a, concession=concession, full_name="Paul MARTIN")
    action = _action(commune_a, plot)
    action.check()
    assert action.warnings == [
        "Jeanne DURAND n'est pas nommé(e) parmi les titulaires ou les ayants droit de la "
        f"concession individuelle n° {concession.number} : vérifiez l'acte avant d'inhumer."
    ]
    Beneficiary.objects.create(commune=commune_a, concession=concession, full_name="Jeanne Durand")
    action.check()
    assert action.warnings == []


def test_common_ground_takes_one_coffin_per_grave(commune_a):
    """A second person in an occupied common-ground grave is refused (R2223-5)."""
    plot = PlotFactory.create(
        section__cemetery__commune=commune_a, kind=PlotKind.COMMON_GROUND, capacity=2
    )
    BurialFactory.create(plot=plot, buried_on=datetime.date(2010, 1, 1))
    refusal = _refusal(_action(commune_a, plot))
    assert refusal.article == "R2223-5"


def test_common_ground_reopens_only_five_years_after_the_last_burial(commune_a):
    """Emptied after four years, the grave still waits for the fifth anniversary (R2223-5)."""
    plot = PlotFactory.create(
        section__cemetery__commune=commune_a, kind=PlotKind.COMMON_GROUND, capacity=1
    )
    BurialFactory.create(
        plot=plot, buried_on=datetime.date(2021, 11, 6), is_present=False, left_on=TODAY
    )
    refusal = _refusal(_action(commune_a, plot))
    assert refusal.message == (
        "Cette fosse de terrain commun ne peut être rouverte qu'à partir du 06/11/2026, cinq ans "
        "après la dernière inhumation (R2223-5)."
    )
    _action(commune_a, plot, buried_on=datetime.date(2026, 11, 6)).execute()


def test_coffin_in_a_columbarium_niche_is_refused(commune_a):
    """A niche takes urns only."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a, kind=PlotKind.COLUMBARIUM_NICHE)
    ConcessionFactory.create(plot=plot, act_date=datetime.date(2020, 1, 1))
    refusal = _refusal(_action(commune_a, plot, container=Container.COFFIN))
    assert refusal.field == "container"
    _action(commune_a, plot, container=Container.URN).execute()


def test_burial_in_the_ossuary_is_refused(commune_a):
    """The ossuary and the scattering garden are not graves."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a, kind=PlotKind.OSSUARY)
    assert _refusal(_action(commune_a, plot)).field == "plot"


def test_burial_authorised_by_an_agent_is_refused(commune_a, agent_a, elected_a):
    """When an authoriser is named, they must hold the mayor's power (R2213-31)."""
    plot = _concession_plot(commune_a)
    refusal = _refusal(_action(commune_a, plot, attendance=Attendance(authorised_by=agent_a)))
    assert (refusal.field, refusal.article) == ("authorised_by", "R2213-31")
    operation = _action(commune_a, plot, attendance=Attendance(authorised_by=elected_a)).execute()
    assert operation.authorised_by == elected_a
