"""Opening a procedure and recording its steps from the procedure page: the legal refusals are
shown in French, tied to the form, with what was typed kept, and nothing is recorded."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clocher.cimetiere.models import (
    AbandonmentOutcome,
    AbandonmentProcedure,
    AbandonmentStep,
    AbandonmentStepRecord,
    ConcessionKind,
)
from clocher.cimetiere.tests.factories import (
    BurialFactory,
    ConcessionFactory,
    PlotFactory,
    abandonment_procedure,
)
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


def _procedure_url(procedure):
    return reverse(
        "staff:cimetiere:abandonment-procedure",
        kwargs={"commune_slug": procedure.commune.slug, "procedure": procedure.pk},
    )


def test_step_refused_too_early_shows_the_reason_and_records_nothing(commune_a, agent_a):
    """A first report dated before the month after the notice is refused, with the article."""
    procedure = abandonment_procedure(commune_a, through=AbandonmentStep.NOTICE)
    response = signed_in_client(agent_a).post(
        _procedure_url(procedure),
        {
            "done_on": "2024-01-20",
            "officials_present": "M. Roux, garde champêtre",
            "condition": "Stèle penchée",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert (
        "Trop tôt : cette étape ne peut avoir lieu qu&#x27;à partir du 08/02/2024, un mois au "
        "moins après l&#x27;avis aux descendants (R2223-13)." in text
    )
    assert 'value="2024-01-20"' in text
    assert "Stèle penchée</textarea>" in text
    assert list(procedure.steps.values_list("step", flat=True)) == [AbandonmentStep.NOTICE]


def test_report_without_officials_is_refused_with_the_article(commune_a, agent_a):
    """A report must name the official present (R2223-13): refused, nothing recorded."""
    procedure = abandonment_procedure(commune_a, through=AbandonmentStep.NOTICE)
    response = signed_in_client(agent_a).post(
        _procedure_url(procedure), {"done_on": "2024-02-10", "condition": "Ronces"}
    )
    assert response.status_code == 200
    assert "article R2223-13 du CGCT" in response.content.decode()
    assert procedure.steps.count() == 1


def test_next_step_is_recorded_with_its_facts(commune_a, agent_a):
    """A notification within eight days of the report is recorded with the posting."""
    procedure = abandonment_procedure(commune_a, through=AbandonmentStep.FIRST_REPORT)
    response = signed_in_client(agent_a).post(
        _procedure_url(procedure),
        {"done_on": "2024-02-14", "was_posted": "on", "notes": "Affiché le matin"},
    )
    assert response.status_code == 302
    assert response["Location"] == _procedure_url(procedure)
    record = procedure.steps.get(step=AbandonmentStep.FIRST_NOTIFICATION)
    assert (record.done_on, record.was_posted, record.notes, record.recorded_by) == (
        datetime.date(2024, 2, 14),
        True,
        "Affiché le matin",
        agent_a,
    )


def test_procedure_page_shows_the_timeline_and_the_window(commune_a, elected_a):
    """Done steps carry their date; the next step shows its legal window."""
    procedure = abandonment_procedure(commune_a, through=AbandonmentStep.FIRST_REPORT)
    text = signed_in_client(elected_a).get(_procedure_url(procedure)).content.decode()
    assert "fait le 8 janvier 2024" in text
    assert "fait le 10 février 2024" in text
    assert "Étape suivante : Notification et affichage du premier constat" in text
    assert "à faire entre le 10 février 2024 et le 18 février 2024" in text
    assert "en retard" in text


def test_open_refused_for_a_recent_concession_shows_the_reasons(commune_a, agent_a):
    """A concession under thirty years old cannot be taken: the French reason is shown."""
    concession = ConcessionFactory.create(
        plot__section__cemetery__commune=commune_a, act_date=datetime.date(2010, 1, 1)
    )
    client = signed_in_client(agent_a)
    url = reverse(
        "staff:cimetiere:abandonment-open",
        kwargs={"commune_slug": commune_a.slug, "concession": concession.pk},
    )
    page = client.get(url).content.decode()
    assert "acte de moins de 30 ans : possible à partir du 01/01/2040 (R2223-12)" in page
    response = client.post(url, {"visit_planned_on": "2030-01-01"})
    assert response.status_code == 200
    assert AbandonmentProcedure.objects.count() == 0


def test_open_an_eligible_concession_with_a_visit_a_month_ahead(commune_a, agent_a):
    """An old concession is opened with the planned visit; too soon a visit is refused first."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a)
    concession = ConcessionFactory.create(
        plot=plot, act_date=datetime.date(1950, 1, 1), kind=ConcessionKind.PERPETUAL
    )
    BurialFactory.create(plot=plot, concession=concession, buried_on=datetime.date(1980, 1, 1))
    client = signed_in_client(agent_a)
    url = reverse(
        "staff:cimetiere:abandonment-open",
        kwargs={"commune_slug": commune_a.slug, "concession": concession.pk},
    )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refused = client.post(url, {"visit_planned_on": tomorrow.isoformat()})
    assert refused.status_code == 200
    assert "article R2223-13 du CGCT" in refused.content.decode()
    assert AbandonmentProcedure.objects.count() == 0
    later = timezone.localdate() + datetime.timedelta(days=45)
    response = client.post(url, {"visit_planned_on": later.isoformat()})
    procedure = AbandonmentProcedure.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _procedure_url(procedure)
    assert (procedure.concession, procedure.visit_planned_on, procedure.opened_by) == (
        concession,
        later,
        agent_a,
    )


def test_family_restoring_the_grave_closes_after_confirmation(commune_a, agent_a):
    """Without the confirmation box nothing happens; with it the procedure is closed."""
    procedure = abandonment_procedure(commune_a, through=AbandonmentStep.FIRST_NOTIFICATION)
    client = signed_in_client(agent_a)
    url = reverse(
        "staff:cimetiere:abandonment-restored",
        kwargs={"commune_slug": commune_a.slug, "procedure": procedure.pk},
    )
    unconfirmed = client.post(url, {"closed_on": "2024-06-01"})
    assert "Cochez la case pour confirmer" in unconfirmed.content.decode()
    procedure.refresh_from_db()
    assert procedure.closed_on is None
    response = client.post(url, {"closed_on": "2024-06-01", "confirm": "on"})
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert (procedure.closed_on, procedure.outcome) == (
        datetime.date(2024, 6, 1),
        AbandonmentOutcome.RESTORED,
    )
    page = client.get(_procedure_url(procedure)).content.decode()
    assert 'name="done_on"' not in page
    assert "Sépulture remise en état par la famille" in page


def test_restoring_is_refused_after_the_mayor_order(commune_a, agent_a):
    """Once the order is taken the procedure cannot stop: refusal shown, nothing changes."""
    procedure = abandonment_procedure(commune_a, through=AbandonmentStep.MAYOR_ORDER)
    url = reverse(
        "staff:cimetiere:abandonment-restored",
        kwargs={"commune_slug": commune_a.slug, "procedure": procedure.pk},
    )
    response = signed_in_client(agent_a).post(url, {"closed_on": "2025-04-01", "confirm": "on"})
    assert "L&#x27;arrêté de reprise a été pris" in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.closed_on is None
    assert AbandonmentStepRecord.objects.filter(procedure=procedure).count() == 7


def test_date_refusal_sits_next_to_the_date_field(commune_a, agent_a):
    """A notification later than eight days after the report: the message is on the date."""
    procedure = abandonment_procedure(commune_a, through=AbandonmentStep.FIRST_REPORT)
    response = signed_in_client(agent_a).post(
        _procedure_url(procedure), {"done_on": "2024-03-01", "was_posted": "on"}
    )
    form = response.context["form"]
    assert form.errors == {
        "done_on": [
            "Trop tard : la notification devait être faite dans les huit jours, au plus tard le "
            "18/02/2024 (R2223-13 à R2223-15). Abandonnez cette procédure et ouvrez-en une "
            "nouvelle : un nouveau constat est nécessaire."
        ]
    }
    assert procedure.steps.count() == 2


def test_order_then_exhumation_recorded_from_the_page_close_the_procedure(commune_a, agent_a):
    """The order ends the concession (L2223-17); the exhumation closes the procedure."""
    procedure = abandonment_procedure(commune_a, through=AbandonmentStep.COUNCIL_DELIBERATION)
    client = signed_in_client(agent_a)
    order = client.post(
        _procedure_url(procedure), {"done_on": "2025-03-28", "reference": "AR-2025-3"}
    )
    assert order.status_code == 302
    procedure.concession.refresh_from_db()
    assert procedure.concession.ended_on == datetime.date(2025, 3, 28)
    exhumation = client.post(_procedure_url(procedure), {"done_on": "2025-05-05"})
    assert exhumation.status_code == 302
    procedure.refresh_from_db()
    assert (procedure.closed_on, procedure.outcome) == (
        datetime.date(2025, 5, 5),
        AbandonmentOutcome.REPOSSESSED,
    )


def test_visit_postponed_before_the_notices_then_the_notice_fits(commune_a, agent_a):
    """A visit too close for the notice is postponed; a too-close new date is refused."""
    procedure = abandonment_procedure(commune_a)
    client = signed_in_client(agent_a)
    url = reverse(
        "staff:cimetiere:abandonment-reschedule",
        kwargs={"commune_slug": commune_a.slug, "procedure": procedure.pk},
    )
    today = timezone.localdate()
    refused = client.post(url, {"visit_planned_on": today.isoformat()})
    assert (
        refused.context["form"]
        .errors["visit_planned_on"][0]
        .startswith("La visite sur place doit être prévue au moins un mois après")
    )
    procedure.refresh_from_db()
    assert procedure.visit_planned_on == datetime.date(2024, 2, 10)
    later = today + datetime.timedelta(days=60)
    assert client.post(url, {"visit_planned_on": later.isoformat()}).status_code == 302
    procedure.refresh_from_db()
    assert procedure.visit_planned_on == later
    notice = client.post(
        _procedure_url(procedure), {"done_on": today.isoformat(), "was_posted": "on"}
    )
    assert notice.status_code == 302
    assert procedure.steps.get().step == AbandonmentStep.NOTICE


def test_visit_cannot_move_once_the_notices_are_sent(commune_a, agent_a):
    """After the notice the announced date stands: refused, unchanged."""
    procedure = abandonment_procedure(commune_a, through=AbandonmentStep.NOTICE)
    url = reverse(
        "staff:cimetiere:abandonment-reschedule",
        kwargs={"commune_slug": commune_a.slug, "procedure": procedure.pk},
    )
    later = timezone.localdate() + datetime.timedelta(days=60)
    response = signed_in_client(agent_a).post(url, {"visit_planned_on": later.isoformat()})
    assert response.status_code == 200
    procedure.refresh_from_db()
    assert procedure.visit_planned_on == datetime.date(2024, 2, 10)
