"""Factories of cemetery objects, and their isolation factories (marker in a displayed field)."""

from __future__ import annotations

import datetime
from typing import Any

import factory

from clocher.cimetiere.models import (
    AbandonmentProcedure,
    AbandonmentStep,
    AbandonmentStepRecord,
    Burial,
    Cemetery,
    Concession,
    ConcessionKind,
    Deceased,
    Holder,
    Operation,
    OperationKind,
    Plot,
    PlotKind,
    Section,
)
from clocher.core.testing.isolation import isolation_factory


class CemeteryFactory(factory.django.DjangoModelFactory[Cemetery]):
    class Meta:
        model = Cemetery

    name = factory.Sequence(lambda n: f"Cimetière {n}")


class SectionFactory(factory.django.DjangoModelFactory[Section]):
    class Meta:
        model = Section

    cemetery = factory.SubFactory(CemeteryFactory)
    commune = factory.SelfAttribute("cemetery.commune")
    name = factory.Sequence(lambda n: f"Carré {n}")


class PlotFactory(factory.django.DjangoModelFactory[Plot]):
    class Meta:
        model = Plot

    section = factory.SubFactory(SectionFactory)
    cemetery = factory.SelfAttribute("section.cemetery")
    commune = factory.SelfAttribute("section.commune")
    number = factory.Sequence(lambda n: f"{n + 1}")
    kind = PlotKind.CONCESSION_GROUND
    capacity = 2


class ConcessionFactory(factory.django.DjangoModelFactory[Concession]):
    class Meta:
        model = Concession

    plot = factory.SubFactory(PlotFactory)
    commune = factory.SelfAttribute("plot.commune")
    number = factory.Sequence(lambda n: f"C-{n + 1}")
    act_date = datetime.date(2000, 5, 15)
    kind = ConcessionKind.THIRTY_YEARS


class DeceasedFactory(factory.django.DjangoModelFactory[Deceased]):
    class Meta:
        model = Deceased

    last_name = factory.Sequence(lambda n: f"Défunt{n}")
    first_names = "Jean"
    birth_date = datetime.date(1930, 1, 2)
    death_date = datetime.date(2001, 3, 4)


class BurialFactory(factory.django.DjangoModelFactory[Burial]):
    class Meta:
        model = Burial

    deceased = factory.SubFactory(DeceasedFactory, commune=factory.SelfAttribute("..commune"))
    plot = factory.SubFactory(PlotFactory)
    commune = factory.SelfAttribute("plot.commune")
    buried_on = datetime.date(2001, 3, 10)


def _plot(commune: Any, marker: str) -> Plot:
    cemetery = Cemetery.objects.create(commune=commune, name=f"Cimetière {marker}")
    section = Section.objects.create(commune=commune, cemetery=cemetery, name=f"Carré {marker}")
    return Plot.objects.create(
        commune=commune,
        cemetery=cemetery,
        section=section,
        number=f"{marker}-1",
        kind=PlotKind.CONCESSION_GROUND,
        capacity=2,
    )


@isolation_factory(Cemetery)
def cemetery_for_isolation(commune: Any, marker: str) -> Cemetery:
    return _plot(commune, marker).cemetery


@isolation_factory(Plot)
def plot_for_isolation(commune: Any, marker: str) -> Plot:
    return _plot(commune, f"{marker}P")


@isolation_factory(Concession)
def concession_for_isolation(commune: Any, marker: str) -> Concession:
    plot = _plot(commune, f"{marker}C")
    concession = Concession.objects.create(
        commune=commune,
        plot=plot,
        number=f"{marker}-acte",
        act_date=datetime.date(1990, 1, 1),
        kind=ConcessionKind.THIRTY_YEARS,
    )
    Holder.objects.create(commune=commune, concession=concession, full_name=f"{marker} Titulaire")
    return concession


@isolation_factory(Deceased)
def deceased_for_isolation(commune: Any, marker: str) -> Deceased:
    deceased = Deceased.objects.create(commune=commune, last_name=marker, first_names="Marie")
    Burial.objects.create(
        commune=commune,
        deceased=deceased,
        plot=_plot(commune, f"{marker}D"),
        buried_on=datetime.date(1995, 6, 1),
    )
    return deceased


@isolation_factory(Operation)
def operation_for_isolation(commune: Any, marker: str) -> Operation:
    return Operation.objects.create(
        commune=commune,
        kind=OperationKind.BURIAL,
        plot=_plot(commune, f"{marker}O"),
        notes=f"Opération {marker}",
    )


@isolation_factory(Section)
def section_for_isolation(commune: Any, marker: str) -> Section:
    return _plot(commune, f"{marker}S").section


@isolation_factory(AbandonmentProcedure)
def abandonment_procedure_for_isolation(commune: Any, marker: str) -> AbandonmentProcedure:
    """A procedure whose concession number and first report's condition carry the marker."""
    plot = _plot(commune, f"{marker}A")
    concession = Concession.objects.create(
        commune=commune,
        plot=plot,
        number=f"{marker}-reprise",
        act_date=datetime.date(1950, 1, 1),
        kind=ConcessionKind.PERPETUAL,
    )
    procedure = AbandonmentProcedure.objects.create(
        commune=commune,
        concession=concession,
        opened_on=datetime.date(2024, 1, 5),
        visit_planned_on=datetime.date(2024, 2, 10),
    )
    AbandonmentStepRecord.objects.create(
        commune=commune,
        procedure=procedure,
        step=AbandonmentStep.NOTICE,
        done_on=datetime.date(2024, 1, 6),
        was_posted=True,
        notes=f"Avis {marker}",
    )
    AbandonmentStepRecord.objects.create(
        commune=commune,
        procedure=procedure,
        step=AbandonmentStep.FIRST_REPORT,
        done_on=datetime.date(2024, 2, 10),
        condition=f"Stèle brisée {marker}",
        officials_present=f"Garde {marker}",
    )
    return procedure


ABANDONMENT_SCHEDULE: list[tuple[AbandonmentStep, datetime.date, dict[str, Any]]] = [
    (AbandonmentStep.NOTICE, datetime.date(2024, 1, 8), {"recipients": "Mme Vidal, Lyon"}),
    (
        AbandonmentStep.FIRST_REPORT,
        datetime.date(2024, 2, 10),
        {"condition": "Stèle renversée, ronces.", "officials_present": "M. Roux, garde"},
    ),
    (AbandonmentStep.FIRST_NOTIFICATION, datetime.date(2024, 2, 15), {"was_posted": True}),
    (
        AbandonmentStep.SECOND_REPORT,
        datetime.date(2025, 2, 17),
        {"condition": "Toujours à l'abandon.", "officials_present": "M. Roux, garde"},
    ),
    (AbandonmentStep.SECOND_NOTIFICATION, datetime.date(2025, 2, 20), {"was_posted": True}),
    (
        AbandonmentStep.COUNCIL_DELIBERATION,
        datetime.date(2025, 3, 24),
        {"reference": "DCM-2025-12"},
    ),
    (AbandonmentStep.MAYOR_ORDER, datetime.date(2025, 3, 28), {"reference": "AR-2025-3"}),
]


def abandonment_procedure(
    commune: Any, *, number: str = "P-12", through: AbandonmentStep | None = None
) -> AbandonmentProcedure:
    """A procedure opened on 5 January 2024 on an old perpetual concession, with the steps of
    ``ABANDONMENT_SCHEDULE`` recorded up to ``through`` (none when ``through`` is None)."""
    from clocher.cimetiere.services.abandonment import OpenProcedure, RecordStep

    plot = PlotFactory.create(section__cemetery__commune=commune)
    concession = ConcessionFactory.create(
        plot=plot, number=number, act_date=datetime.date(1950, 4, 1), kind=ConcessionKind.PERPETUAL
    )
    BurialFactory.create(plot=plot, concession=concession, buried_on=datetime.date(1990, 6, 1))
    procedure = OpenProcedure(
        commune=commune,
        actor=None,
        concession=concession,
        today=datetime.date(2024, 1, 5),
        visit_planned_on=datetime.date(2024, 2, 10),
    ).execute()
    if through is None:
        return procedure
    for step, day, fields in ABANDONMENT_SCHEDULE:
        RecordStep(
            commune=commune,
            actor=None,
            procedure=procedure,
            step=step,
            done_on=day,
            today=day,
            fields=dict(fields),
        ).execute()
        if step == through:
            break
    return procedure


@isolation_factory(Holder)
def holder_for_isolation(commune: Any, marker: str) -> Holder:
    """A holder whose edit page shows the marker in the name field."""
    concession = Concession.objects.create(
        commune=commune,
        plot=_plot(commune, f"{marker}H"),
        number=f"{marker}-titulaire",
        act_date=datetime.date(1995, 1, 1),
        kind=ConcessionKind.THIRTY_YEARS,
    )
    return Holder.objects.create(
        commune=commune, concession=concession, full_name=f"{marker} Titulaire"
    )
