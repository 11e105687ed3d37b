"""The mentions of the acknowledgment of receipt (CRPA R112-5, R112-11-1), computed from the
procedure and the request, never from personal values."""

import datetime
import json

import pytest
from django.utils import timezone

from clocher.demarches.models import Channel, FormVersion, SilenceRule
from clocher.demarches.services.acknowledgment import acknowledgment_mentions
from clocher.demarches.services.submission import request_submit
from clocher.demarches.tests.factories import SIMPLE_SCHEMA, make_procedure

pytestmark = pytest.mark.django_db

RECEIVED = datetime.datetime(2026, 3, 10, 9, 30, tzinfo=datetime.UTC)  # 10 h 30 in Paris


def _received(procedure, **extra):
    return request_submit(
        procedure=procedure,
        data={"topic": "lighting", "details": "Lampadaire éteint.", "full_name": "Camille Secret"},
        email="camille@example.test",
        received_at=RECEIVED,
        **extra,
    ).request


def test_every_mandatory_mention_is_present(commune_a):
    """Date of receipt, service name, address, e-mail and phone, silence, appeal routes."""
    request = _received(make_procedure(commune_a))
    mentions = acknowledgment_mentions(request)
    assert mentions["number"] == request.number
    assert mentions["procedure"] == "Nous écrire"
    assert mentions["received_text"] == "10 mars 2026 à 10 h 30"
    assert mentions["received_at"] == RECEIVED.isoformat()
    assert mentions["channel_label"] == "En ligne"
    assert mentions["service"] == {
        "name": "Secrétariat de mairie",
        "address": "1 place de la Mairie, 21000 Testville",
        "email": "mairie@example.test",
        "phone": "03 80 00 00 00",
    }
    assert mentions["appeal_routes"].startswith("Recours gracieux auprès du maire")
    assert mentions["missing_documents"] == []
    assert mentions["missing_documents_due_on"] is None
    assert mentions["acknowledgment_text"] == "Votre demande a bien été reçue."
    assert mentions["retention_months"] == 12


def test_silence_means_acceptance_with_its_date(commune_a):
    """Acceptance: the date two months after receipt and the attestation (L232-3)."""
    request = _received(make_procedure(commune_a, silence_rule=SilenceRule.ACCEPTANCE))
    silence = acknowledgment_mentions(request)["silence"]
    assert silence["rule"] == SilenceRule.ACCEPTANCE
    assert silence["delay_months"] == 2
    assert silence["decision_on"] == "2026-05-10"
    assert silence["text"].startswith(
        "Si la mairie ne vous a pas répondu le 10 mai 2026 (délai de 2 mois), votre demande "
        "sera réputée acceptée"
    )
    assert "attestation" in silence["text"]
    assert "rejet" not in silence["text"]


def test_silence_means_refusal_with_its_date(commune_a):
    """Refusal: the date, the reasons on request and the appeal routes."""
    request = _received(make_procedure(commune_a, silence_rule=SilenceRule.REFUSAL))
    silence = acknowledgment_mentions(request)["silence"]
    assert silence["decision_on"] == "2026-05-10"
    assert "réputée rejetée : c'est une décision implicite de rejet" in silence["text"]
    assert "voies et délais de recours" in silence["text"]
    assert "acceptée" not in silence["text"]


def test_no_implicit_decision_for_a_report(commune_a):
    """A report or message: silence means nothing, and no date is given."""
    request = _received(make_procedure(commune_a, silence_rule=SilenceRule.NOT_APPLICABLE))
    silence = acknowledgment_mentions(request)["silence"]
    assert silence["rule"] == SilenceRule.NOT_APPLICABLE
    assert silence["decision_on"] is None
    assert silence["delay_months"] is None
    assert silence["text"].startswith(
        "Cette demande n'appelle pas de décision administrative : le silence de la mairie ne "
        "vaut ni acceptation ni rejet."
    )


def test_missing_documents_are_listed_with_a_delay(commune_a):
    """A required file not provided is listed, with the date to send it, and the implicit
    decision date is given subject to a complete file (L114-5)."""
    procedure = make_procedure(commune_a)
    request = _received(procedure)
    # The form of this request requires a proof of address that was not provided.
    schema = json.loads(json.dumps(SIMPLE_SCHEMA))
    schema["fields"].append(
        {"type": "file", "name": "proof", "label": "Justificatif de domicile", "required": True}
    )
    FormVersion.objects.filter(pk=request.form_version_id).update(schema=schema)
    request.form_version.refresh_from_db()
    mentions = acknowledgment_mentions(request)
    assert mentions["missing_documents"] == [
        {"field": "proof", "label": "Justificatif de domicile", "kind": "file"}
    ]
    assert mentions["missing_documents_due_on"] == "2026-04-09"
    assert "Cette date suppose un dossier complet" in mentions["silence"]["text"]


def test_missing_items_of_a_repeatable_block(commune_a):
    """A required field left empty in one item of a repeatable block is named with its item."""
    schema = {
        "fields": [
            {
                "type": "repeat",
                "name": "children",
                "label": "Enfants",
                "fields": [
                    {"type": "text", "name": "school", "label": "École"},
                    {"type": "file", "name": "card", "label": "Carnet de santé", "required": True},
                ],
            }
        ]
    }
    procedure = make_procedure(commune_a, schema={"fields": [schema["fields"][0]["fields"][0]]})
    request = request_submit(
        procedure=procedure, data={"school": "Agey"}, email="a@example.test"
    ).request
    FormVersion.objects.filter(pk=request.form_version_id).update(schema=schema)
    request.form_version.refresh_from_db()
    request.values = {"children": [{"school": "Agey"}, {"school": "Beire"}]}
    labels = [item["label"] for item in acknowledgment_mentions(request)["missing_documents"]]
    assert labels == ["Enfants n° 1 : Carnet de santé", "Enfants n° 2 : Carnet de santé"]


def test_hidden_required_field_is_not_missing(commune_a):
    """A required field hidden by a condition is not asked, so not missing."""
    procedure = make_procedure(commune_a)
    request = _received(procedure)
    schema = json.loads(json.dumps(SIMPLE_SCHEMA))
    schema["fields"][-1]["required"] = True  # the photo, shown only for a road problem
    FormVersion.objects.filter(pk=request.form_version_id).update(schema=schema)
    request.form_version.refresh_from_db()
    assert acknowledgment_mentions(request)["missing_documents"] == []


def test_mentions_hold_no_personal_value(commune_a):
    """The name and e-mail of the citizen never appear in the mentions."""
    request = _received(make_procedure(commune_a))
    dumped = json.dumps(acknowledgment_mentions(request), ensure_ascii=False)
    assert "Camille Secret" not in dumped
    assert "camille@example.test" not in dumped


def test_service_falls_back_on_the_town_hall(commune_a):
    """A procedure without its own service details shows the town hall's."""
    commune_a.address = "2 rue de l'Église\n21410 Agey"
    commune_a.email = "mairie@agey.test"
    commune_a.phone = "03 80 11 11 11"
    commune_a.save()
    procedure = make_procedure(commune_a)
    procedure.service_name = procedure.service_address = ""
    procedure.service_email = procedure.service_phone = ""
    procedure.save()
    request = _received(procedure)
    assert acknowledgment_mentions(request)["service"] == {
        "name": "Mairie de Agey",
        "address": "2 rue de l'Église\n21410 Agey",
        "email": "mairie@agey.test",
        "phone": "03 80 11 11 11",
    }


def test_counter_request_states_its_channel(commune_a, agent_a):
    """The channel of receipt is stated (here the counter)."""
    procedure = make_procedure(commune_a)
    request = request_submit(
        procedure=procedure,
        data={"topic": "road", "details": "x", "full_name": "Jean"},
        channel=Channel.COUNTER,
        actor=agent_a,
        received_at=timezone.now(),
    ).request
    assert acknowledgment_mentions(request)["channel_label"] == "Au guichet"
