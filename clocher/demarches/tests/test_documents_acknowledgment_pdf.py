"""The acknowledgment PDF: letterhead, title, number, procedure and every mention, nothing
personal."""

import datetime
import json

import pytest

from clocher.cimetiere.documents.pdf_text import pdf_text
from clocher.core.vault import read_file
from clocher.demarches.documents.acknowledgment import acknowledgment_pdf
from clocher.demarches.models import Channel, FormVersion, SilenceRule
from clocher.demarches.services.acknowledgment import acknowledgment_issue
from clocher.demarches.services.submission import request_submit
from clocher.demarches.tests.factories import SIMPLE_SCHEMA, make_procedure

pytestmark = pytest.mark.django_db

RECEIVED = datetime.datetime(2026, 3, 10, 9, 30, tzinfo=datetime.UTC)


def _text(data: bytes) -> str:
    return " ".join(pdf_text(data).split())


def _request(procedure, **extra):
    data = {"topic": "lighting", "details": "Lampadaire éteint.", "full_name": "Camille Secret"}
    return request_submit(
        procedure=procedure,
        data=data,
        email="camille@example.test",
        received_at=RECEIVED,
        **extra,
    ).request


def test_pdf_states_every_mention(commune_a):
    """Letterhead, title, number, procedure, receipt, service, silence, appeal routes."""
    request = _request(make_procedure(commune_a))
    document = acknowledgment_issue(request=request, send_email=False).document
    assert document is not None
    text = _text(read_file(document))
    assert "Commune de Agey" in text
    assert "Accusé de réception" in text
    assert f"Demande n° {request.number} — Nous écrire" in text
    assert "Reçue le 10 mars 2026 à 10 h 30 (en ligne)." in text
    assert f"Numéro de suivi : {request.number}" in text
    assert "Secrétariat de mairie" in text
    assert "Adresse : 1 place de la Mairie, 21000 Testville" in text
    assert "Courriel : mairie@example.test" in text
    assert "Téléphone : 03 80 00 00 00" in text
    assert "Si la mairie ne vous a pas répondu le 10 mai 2026 (délai de 2 mois)" in text
    assert "sera réputée acceptée" in text
    assert "Aucune pièce ni information obligatoire ne manque à votre dossier." in text
    assert "Voies et délais de recours" in text
    assert "tribunal administratif de Dijon dans les deux mois" in text
    assert "conservées 12 mois après sa clôture" in text
    assert "R112-11-1" in text


def test_pdf_never_prints_personal_values(commune_a):
    """Neither the citizen's name nor e-mail nor the tracking secret is printed."""
    request = _request(make_procedure(commune_a))
    text = _text(acknowledgment_pdf(acknowledgment_issue(request=request, send_email=False)))
    assert "Camille" not in text
    assert "camille@example.test" not in text
    assert request.tracking_token not in text


def test_pdf_lists_missing_documents(commune_a):
    """Missing pieces are listed with the date to provide them."""
    procedure = make_procedure(commune_a, silence_rule=SilenceRule.REFUSAL)
    request = _request(procedure)
    schema = json.loads(json.dumps(SIMPLE_SCHEMA))
    schema["fields"].append(
        {"type": "file", "name": "proof", "label": "Justificatif de domicile", "required": True}
    )
    FormVersion.objects.filter(pk=request.form_version_id).update(schema=schema)
    request.form_version.refresh_from_db()
    text = _text(acknowledgment_pdf(acknowledgment_issue(request=request, send_email=False)))
    assert "Pour que votre dossier soit complet, il manque : – Justificatif de domicile" in text
    assert "au plus tard le 9 avril 2026" in text
    assert "sera réputée rejetée" in text


def test_paper_acknowledgment_of_a_phone_request(commune_a, agent_a):
    """A request taken by phone gets a printable acknowledgment that states the channel."""
    request = request_submit(
        procedure=make_procedure(commune_a, silence_rule=SilenceRule.NOT_APPLICABLE),
        data={"topic": "road", "details": "Trou", "full_name": "Jean"},
        channel=Channel.PHONE,
        actor=agent_a,
        received_at=RECEIVED,
    ).request
    text = _text(acknowledgment_pdf(acknowledgment_issue(request=request)))
    assert "(par téléphone)" in text
    assert "ne vaut ni acceptation ni rejet" in text
