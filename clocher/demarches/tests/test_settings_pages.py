"""The procedure settings pages: the form saves through the service, refusals land on their field
with what was typed kept, a shorter retention warns, and the statuses page edits the list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.demarches.models import Procedure
from clocher.demarches.services.statuses import statuses_of
from clocher.demarches.tests.factories import make_procedure, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure(commune_a):
    return make_procedure(commune_a)


def _url(name, procedure):
    return reverse(
        f"staff:demarches:{name}",
        kwargs={"commune_slug": procedure.commune.slug, "online_procedure": procedure.pk},
    )


def _settings_data(procedure, **changes):
    data = {
        "title": procedure.title,
        "description": procedure.description,
        "legal_basis": procedure.legal_basis,
        "service_name": procedure.service_name,
        "service_address": procedure.service_address,
        "service_email": procedure.service_email,
        "service_phone": procedure.service_phone,
        "silence_rule": procedure.silence_rule,
        "silence_delay_months": procedure.silence_delay_months,
        "processing_days": procedure.processing_days,
        "appeal_routes": procedure.appeal_routes,
        "acknowledgment_text": procedure.acknowledgment_text,
        "retention_months": procedure.retention_months,
    }
    data.update(changes)
    return data


def test_settings_page_shows_the_current_values(procedure, agent_a):
    """The form is filled with the procedure's settings."""
    response = signed_in_client(agent_a).get(_url("procedure-settings", procedure))
    assert response.status_code == 200
    assert response.context["form"]["service_email"].value() == "mairie@example.test"
    assert "Le service qui traite les demandes" in response.content.decode()


def test_settings_are_saved_and_shorter_retention_warns(procedure, agent_a):
    """Saving redirects with a success message and the retention warning."""
    response = signed_in_client(agent_a).post(
        _url("procedure-settings", procedure),
        _settings_data(procedure, processing_days=20, retention_months=6),
        follow=True,
    )
    html = response.content.decode()
    assert "Les réglages de la démarche sont enregistrés." in html
    assert "elle vaut pour les demandes clôturées à partir de maintenant" in html
    row = Procedure.objects.get(pk=procedure.pk)
    assert (row.processing_days, row.retention_months) == (20, 6)


def test_empty_mention_of_a_published_procedure_is_refused_on_its_field(procedure, agent_a):
    """Emptying the phone is refused on the phone field; the other changes typed stay."""
    response = signed_in_client(agent_a).post(
        _url("procedure-settings", procedure),
        _settings_data(procedure, service_phone="", title="Titre tapé"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["service_phone"]
    assert "« Téléphone du service » est vide" in form.errors["service_phone"][0]
    assert 'value="Titre tapé"' in response.content.decode()
    assert Procedure.objects.get(pk=procedure.pk).service_phone == "03 80 00 00 00"


def test_statuses_page_adds_a_status_with_a_code_from_its_label(procedure, agent_a):
    """A new row with only a label gets a code, placed by its position."""
    client = signed_in_client(agent_a)
    page = client.get(_url("procedure-statuses", procedure))
    assert page.status_code == 200
    initial = page.context["formset"].initial
    data = {
        "statuts-TOTAL_FORMS": str(len(initial) + 2),
        "statuts-INITIAL_FORMS": str(len(initial)),
        # The second blank row, sent as a browser sends it: left untouched, it is ignored.
        f"statuts-{len(initial) + 1}-code": "",
        f"statuts-{len(initial) + 1}-label": "",
        f"statuts-{len(initial) + 1}-kind": "",
        f"statuts-{len(initial) + 1}-ORDER": "",
    }
    for index, row in enumerate(initial):
        data.update(
            {
                f"statuts-{index}-code": row["code"],
                f"statuts-{index}-label": row["label"],
                f"statuts-{index}-kind": row["kind"],
                f"statuts-{index}-ORDER": str(index + 1) if index < 2 else str(index + 2),
            }
        )
    new = len(initial)
    data.update(
        {
            f"statuts-{new}-label": "Transmise aux services techniques",
            f"statuts-{new}-kind": "in_progress",
            f"statuts-{new}-ORDER": "3",
        }
    )
    response = client.post(_url("procedure-statuses", procedure), data)
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert [(status.code, status.kind) for status in statuses_of(procedure)][:4] == [
        ("received", "received"),
        ("in_progress", "in_progress"),
        ("transmise_aux_services_techniques", "in_progress"),
        ("waiting_citizen", "waiting_citizen"),
    ]


def test_statuses_page_refuses_removing_a_status_in_use(procedure, agent_a):
    """Ticking « Retirer » on « Reçue » while a request is in it shows the message."""
    submit(procedure)
    client = signed_in_client(agent_a)
    page = client.get(_url("procedure-statuses", procedure))
    assert "1 demande dans ce statut" in page.content.decode()
    initial = page.context["formset"].initial
    data = {"statuts-TOTAL_FORMS": str(len(initial)), "statuts-INITIAL_FORMS": str(len(initial))}
    for index, row in enumerate(initial):
        data.update(
            {
                f"statuts-{index}-code": row["code"],
                f"statuts-{index}-label": row["label"],
                f"statuts-{index}-kind": row["kind"],
                f"statuts-{index}-ORDER": str(index + 1),
            }
        )
    data["statuts-0-DELETE"] = "on"
    response = client.post(_url("procedure-statuses", procedure), data)
    assert response.status_code == 200
    assert response.context["refusal"][-1] == (
        "Le statut « Reçue » ne peut pas être retiré : 1 demande(s) sont dans ce statut."
    )
    assert Procedure.objects.get(pk=procedure.pk).statuses == []
