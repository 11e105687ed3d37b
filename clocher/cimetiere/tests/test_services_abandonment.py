"""The abandonment procedure: order of steps, legal delays, content of reports, outcome."""

from __future__ import annotations

import datetime

import pytest

from clocher.cimetiere.legal_clock import LegalRefusal, PlotState, plot_states
from clocher.cimetiere.models import (
    AbandonmentOutcome,
    AbandonmentProcedure,
    AbandonmentStep,
    Burial,
    ConcessionEndReason,
    ConcessionKind,
    OssuaryEntry,
)
from clocher.cimetiere.services.abandonment import (
    OpenProcedure,
    RecordStep,
    next_step,
    procedure_close_restored,
    procedures_in_progress,
)
from clocher.cimetiere.tests.factories import BurialFactory, ConcessionFactory, PlotFactory

pytestmark = pytest.mark.django_db
D = datetime.date
REPORT = {
    "condition": "Stèle renversée, tombe envahie de ronces.",
    "officials_present": "M. Roux, garde champêtre",
}


@pytest.fixture
def old_concession(commune_a):
    plot = PlotFactory(section__cemetery__commune=commune_a)
    concession = ConcessionFactory(
        plot=plot, act_date=D(1950, 4, 1), kind=ConcessionKind.PERPETUAL, number="P-12"
    )
    BurialFactory.create(plot=plot, concession=concession, buried_on=D(1990, 6, 1))
    objector = BurialFactory.create(plot=plot, concession=concession, buried_on=D(1975, 3, 1))
    objector.deceased.objected_to_cremation = True
    objector.deceased.save()
    return concession


OPENED_ON = D(2026, 1, 5)
VISIT_ON = D(2026, 2, 10)


def _open(commune, concession, today=OPENED_ON, visit=VISIT_ON):
    return OpenProcedure(
        commune=commune, actor=None, concession=concession, today=today, visit_planned_on=visit
    ).execute()


def _step(commune, procedure, step, day, **fields):
    return RecordStep(
        commune=commune,
        actor=None,
        procedure=procedure,
        step=step,
        done_on=day,
        today=day,
        fields=fields,
    ).execute()


def test_procedure_goes_through_every_step_to_the_ossuary(commune_a, old_concession):
    """From the notice to the exhumation, each step on its earliest legal day."""
    procedure = _open(commune_a, old_concession)
    _step(commune_a, procedure, AbandonmentStep.NOTICE, D(2026, 1, 10), recipients="Mme Vidal")
    _step(commune_a, procedure, AbandonmentStep.FIRST_REPORT, D(2026, 2, 10), **REPORT)
    _step(commune_a, procedure, AbandonmentStep.FIRST_NOTIFICATION, D(2026, 2, 18), was_posted=True)
    _step(commune_a, procedure, AbandonmentStep.SECOND_REPORT, D(2027, 2, 18), **REPORT)
    _step(
        commune_a, procedure, AbandonmentStep.SECOND_NOTIFICATION, D(2027, 2, 20), was_posted=True
    )
    _step(
        commune_a,
        procedure,
        AbandonmentStep.COUNCIL_DELIBERATION,
        D(2027, 3, 20),
        reference="D-2027-14",
    )
    _step(commune_a, procedure, AbandonmentStep.MAYOR_ORDER, D(2027, 4, 2), reference="A-2027-31")
    _step(commune_a, procedure, AbandonmentStep.EXHUMATION, D(2027, 5, 3))
    procedure.refresh_from_db()
    old_concession.refresh_from_db()
    assert (procedure.closed_on, procedure.outcome) == (
        D(2027, 5, 3),
        AbandonmentOutcome.REPOSSESSED,
    )
    assert (old_concession.ended_on, old_concession.end_reason) == (
        D(2027, 4, 2),
        ConcessionEndReason.REPOSSESSED_ABANDONED,
    )
    assert not Burial.objects.filter(plot=old_concession.plot, is_present=True).exists()
    entries = OssuaryEntry.objects.filter(from_plot=old_concession.plot).order_by("kept_apart")
    assert [entry.kept_apart for entry in entries] == [False, True]
    assert next_step(procedure) is None


def test_procedure_refused_for_a_concession_not_old_enough(commune_a):
    """An act under 30 years old cannot be repossessed for abandonment (R2223-12)."""
    concession = ConcessionFactory(
        plot=PlotFactory(section__cemetery__commune=commune_a), act_date=D(2000, 1, 1)
    )
    with pytest.raises(
        LegalRefusal, match="acte de moins de 30 ans : possible à partir du 01/01/2030"
    ):
        _open(commune_a, concession)


def test_site_visit_must_leave_a_month_for_the_notices(commune_a, old_concession):
    """A visit planned in less than a month is refused with the first possible day."""
    with pytest.raises(LegalRefusal, match="pas avant le 05/02/2026"):
        _open(commune_a, old_concession, visit=D(2026, 2, 4))


def test_second_report_one_day_early_is_refused(commune_a, old_concession):
    """The second report comes one full year after the first notification (R2223-18)."""
    procedure = _open(commune_a, old_concession)
    _step(commune_a, procedure, AbandonmentStep.NOTICE, D(2026, 1, 5), was_posted=True)
    _step(commune_a, procedure, AbandonmentStep.FIRST_REPORT, D(2026, 2, 10), **REPORT)
    _step(commune_a, procedure, AbandonmentStep.FIRST_NOTIFICATION, D(2026, 2, 12), was_posted=True)
    with pytest.raises(LegalRefusal, match=r"Trop tôt.*partir du 12/02/2027"):
        _step(commune_a, procedure, AbandonmentStep.SECOND_REPORT, D(2027, 2, 11), **REPORT)
    assert procedure.steps.count() == 3


def test_deliberation_waits_a_month_after_the_second_notification(commune_a, old_concession):
    """The council may decide one month after the second notification, not the day before."""
    procedure = _open(commune_a, old_concession)
    _step(commune_a, procedure, AbandonmentStep.NOTICE, D(2026, 1, 5), was_posted=True)
    _step(commune_a, procedure, AbandonmentStep.FIRST_REPORT, D(2026, 2, 10), **REPORT)
    _step(commune_a, procedure, AbandonmentStep.FIRST_NOTIFICATION, D(2026, 2, 12), was_posted=True)
    _step(commune_a, procedure, AbandonmentStep.SECOND_REPORT, D(2027, 2, 12), **REPORT)
    _step(
        commune_a, procedure, AbandonmentStep.SECOND_NOTIFICATION, D(2027, 2, 15), was_posted=True
    )
    with pytest.raises(LegalRefusal, match="à partir du 15/03/2027"):
        _step(
            commune_a,
            procedure,
            AbandonmentStep.COUNCIL_DELIBERATION,
            D(2027, 3, 14),
            reference="D1",
        )


def test_notification_after_eight_days_is_refused(commune_a, old_concession):
    """The first report is notified within eight days (the ninth day is too late)."""
    procedure = _open(commune_a, old_concession)
    _step(commune_a, procedure, AbandonmentStep.NOTICE, D(2026, 1, 5), was_posted=True)
    _step(commune_a, procedure, AbandonmentStep.FIRST_REPORT, D(2026, 2, 10), **REPORT)
    with pytest.raises(LegalRefusal, match=r"Trop tard.*au plus tard le 18/02/2026"):
        _step(
            commune_a,
            procedure,
            AbandonmentStep.FIRST_NOTIFICATION,
            D(2026, 2, 19),
            was_posted=True,
        )


def test_steps_must_follow_the_legal_order(commune_a, old_concession):
    """A report cannot be recorded before the notices went out."""
    procedure = _open(commune_a, old_concession)
    with pytest.raises(LegalRefusal, match="l'étape attendue est « Avis aux descendants"):
        _step(commune_a, procedure, AbandonmentStep.FIRST_REPORT, D(2026, 2, 10), **REPORT)


def test_report_needs_the_condition_and_who_was_present(commune_a, old_concession):
    """A report without the grave's condition, or without the officer present, is refused."""
    procedure = _open(commune_a, old_concession)
    _step(commune_a, procedure, AbandonmentStep.NOTICE, D(2026, 1, 5), recipients="M. Vidal")
    with pytest.raises(LegalRefusal, match="R2223-14"):
        _step(
            commune_a,
            procedure,
            AbandonmentStep.FIRST_REPORT,
            D(2026, 2, 10),
            officials_present="x",
        )
    with pytest.raises(LegalRefusal, match="garde champêtre"):
        _step(commune_a, procedure, AbandonmentStep.FIRST_REPORT, D(2026, 2, 10), condition="Ruine")


def test_notice_needs_recipients_or_a_posting(commune_a, old_concession):
    """Nobody told and nothing posted: the notice step is refused."""
    procedure = _open(commune_a, old_concession)
    with pytest.raises(LegalRefusal, match="affichage en mairie"):
        _step(commune_a, procedure, AbandonmentStep.NOTICE, D(2026, 1, 5))


def test_family_restoring_the_grave_closes_the_procedure(commune_a, old_concession):
    """The family restores the grave: the procedure closes and the plot is no longer flagged."""
    procedure = _open(commune_a, old_concession)
    assert (
        plot_states(commune_a, today=D(2026, 1, 6))[old_concession.plot_id]
        == PlotState.UNDER_PROCEDURE
    )
    assert list(procedures_in_progress(commune_a)) == [procedure]
    procedure_close_restored(commune=commune_a, actor=None, procedure=procedure, on=D(2026, 3, 1))
    assert procedure.outcome == AbandonmentOutcome.RESTORED
    assert list(procedures_in_progress(commune_a)) == []
    assert plot_states(commune_a, today=D(2026, 3, 2))[old_concession.plot_id] == PlotState.OCCUPIED


def test_only_one_open_procedure_per_concession(commune_a, old_concession):
    """Opening a second procedure on the same concession is refused."""
    _open(commune_a, old_concession)
    with pytest.raises(LegalRefusal, match="déjà en cours"):
        _open(commune_a, old_concession)
    assert AbandonmentProcedure.objects.filter(concession=old_concession).count() == 1


def test_a_missed_delay_is_resolved_by_giving_up_and_opening_a_new_procedure(
    commune_a, old_concession
):
    """Notified too late: the procedure is given up, kept, and a new one can start."""
    from clocher.cimetiere.services.abandonment import procedure_cancel

    procedure = _open(commune_a, old_concession)
    _step(commune_a, procedure, AbandonmentStep.NOTICE, D(2026, 1, 5), was_posted=True)
    _step(commune_a, procedure, AbandonmentStep.FIRST_REPORT, D(2026, 2, 10), **REPORT)
    procedure_cancel(commune=commune_a, actor=None, procedure=procedure, on=D(2026, 2, 25))
    assert procedure.outcome == AbandonmentOutcome.CANCELLED
    again = _open(commune_a, old_concession, today=D(2026, 3, 1), visit=D(2026, 4, 15))
    assert again.pk != procedure.pk
    assert old_concession.abandonment_procedures.count() == 2
