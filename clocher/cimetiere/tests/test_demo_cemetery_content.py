"""The cemetery demo data: every plot kind and legal state; loading twice creates nothing."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone

from clocher.cimetiere import demo, legal_clock
from clocher.cimetiere.models import (
    AshScatteringEntry,
    Beneficiary,
    Burial,
    Cemetery,
    CemeterySettings,
    Concession,
    ConcessionRenewal,
    Deceased,
    Holder,
    Operation,
    OperationKind,
    OssuaryEntry,
    Plot,
    PlotKind,
    Section,
    Tariff,
)
from clocher.core.testing.factories import CommuneFactory

MODELS = (
    Cemetery,
    Section,
    Plot,
    Concession,
    ConcessionRenewal,
    Holder,
    Beneficiary,
    Deceased,
    Burial,
    Operation,
    OssuaryEntry,
    AshScatteringEntry,
    Tariff,
    CemeterySettings,
)


@pytest.fixture
def vaux(commune_a):
    """The full demo cemetery, loaded in a commune named like the demo one."""
    commune = CommuneFactory(
        operator=commune_a.operator,
        slug="vaux-la-cloche",
        name="Vaux-la-Cloche",
        insee_code="21901",
    )
    demo.load(commune=commune, staff={})
    return commune


def test_loading_twice_creates_nothing_new(vaux):
    """Loading the cemetery demo again into the same commune adds no row."""
    before = {model.__name__: model.objects.count() for model in MODELS}
    demo.load(commune=vaux, staff={})
    assert {model.__name__: model.objects.count() for model in MODELS} == before
    assert before["Concession"] >= 60


def test_vaux_has_every_plot_kind_on_the_grid(vaux):
    """Vaux-la-Cloche has a plot of every kind, each placed on the grid."""
    plots = Plot.objects.for_commune(vaux)
    assert set(plots.values_list("kind", flat=True)) == set(PlotKind.values)
    assert not plots.filter(grid_x__isnull=True).exists()
    assert list(
        Section.objects.for_commune(vaux).values_list("name", flat=True).order_by("position")
    ) == ["A", "B", "C", "Columbarium", "Jardin du souvenir"]


def test_vaux_concessions_cover_every_legal_state(vaux):
    """The legal clock finds concessions in every state, including an abandonment candidate."""
    clocks = legal_clock.clocks_for_commune(vaux, today=timezone.localdate())
    states = Counter(clock.state.value for clock in clocks.values())
    for state in ("active", "expiring", "renewal_window", "repossessable", "perpetual", "ended"):
        assert states[state] >= 1, state
    assert any(clock.abandonment_eligible for clock in clocks.values())


def test_vaux_has_the_special_cases(vaux):
    """A 29 February act, a temporary concession, a renewal, and a plot with its history."""
    concessions = Concession.objects.for_commune(vaux)
    assert concessions.filter(act_date__month=2, act_date__day=29).exists()
    assert concessions.filter(kind="temporary", duration_years=15).exists()
    assert ConcessionRenewal.objects.for_commune(vaux).exists()
    ended = concessions.get(ended_on__isnull=False)
    assert concessions.filter(plot=ended.plot, ended_on__isnull=True).exists()
    assert Burial.objects.for_commune(vaux).filter(plot=ended.plot, is_present=False).exists()


def test_vaux_has_people_operations_registers_and_tariffs(vaux):
    """Holders, deceased, operations, register entries, tariffs and public search."""
    assert Deceased.objects.for_commune(vaux).count() >= 90
    assert Holder.objects.for_commune(vaux).count() >= 60
    assert Beneficiary.objects.for_commune(vaux).exists()
    kinds = set(Operation.objects.for_commune(vaux).values_list("kind", flat=True))
    assert {OperationKind.BURIAL, OperationKind.EXHUMATION, OperationKind.ASH_SCATTERING} <= kinds
    assert OssuaryEntry.objects.for_commune(vaux).filter(operation__isnull=False).exists()
    assert AshScatteringEntry.objects.for_commune(vaux).filter(in_nature=True).exists()
    prices = {
        (tariff.plot_kind, tariff.kind, tariff.max_surface_m2): tariff.price
        for tariff in Tariff.objects.for_commune(vaux)
    }
    assert prices[("concession_ground", "thirty_years", 2)] == 250
    assert prices[("concession_ground", "perpetual", 2)] == 1200
    assert prices[("columbarium_niche", "temporary", None)] == 400
    assert CemeterySettings.objects.get(commune=vaux).public_search_enabled is True


def test_other_communes_get_a_smaller_cemetery(commune_b):
    """Another demo commune gets a smaller cemetery, without public search."""
    demo.load(commune=commune_b, staff={})
    assert 5 <= Concession.objects.for_commune(commune_b).count() < 20
    assert CemeterySettings.objects.get(commune=commune_b).public_search_enabled is False


def test_vaux_has_an_abandonment_procedure_under_way(vaux):
    """The demo shows a repossession procedure waiting for its second report."""
    from clocher.cimetiere.models import AbandonmentProcedure, AbandonmentStep
    from clocher.cimetiere.services.abandonment import next_step

    procedure = AbandonmentProcedure.objects.for_commune(vaux).get(closed_on__isnull=True)
    window = next_step(procedure)
    assert window is not None and window.step == AbandonmentStep.SECOND_REPORT
    assert procedure.steps.count() == 3
