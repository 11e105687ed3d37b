"""The citizen's export of their request: JSON and PDF say everything they may see, no more."""

import json

import pytest
from django.urls import reverse

from clocher.cimetiere.documents.pdf_text import pdf_text
from clocher.demarches.documents.citizen_data import citizen_data_pdf
from clocher.demarches.models import EventKind, Family, RequestEvent
from clocher.demarches.services import rights
from clocher.demarches.tests.factories import grant
from clocher.demarches.tests.support_privacy import full_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(commune_a, agent_a):
    agent_a.first_name, agent_a.last_name = "Marie", "Dupont"
    agent_a.save()
    grant(agent_a, commune_a, Family.ROADS)
    return full_request(commune_a, agent_a)


def test_json_export_holds_procedure_dates_status_and_answers(decided):
    """Procedure, status, dates and every answer with its label and its text."""
    data = rights.citizen_export_json(decided.request)
    about = data["request"]
    assert about["number"] == decided.request.number
    assert about["procedure"]["title"] == "Signaler un problème"
    assert (about["status"], about["status_label"]) == ("refused", "Refusée")
    assert about["email"] == "camille@example.test"
    assert about["received_at"] and about["decided_at"] and about["retention_until"]
    answers = {answer["name"]: answer for answer in data["answers"]}
    assert (answers["topic"]["label"], answers["topic"]["value"], answers["topic"]["text"]) == (
        "Sujet",
        "road",
        "Voirie",
    )
    assert answers["full_name"]["text"] == "Camille Martin"
    assert answers["full_name"]["personal"] is True
    assert answers["phone"]["text"] == "06 12 34 56 78"
    assert answers["photo"]["text"] == "photo-camille-martin.jpg"
    assert [item["name"] for item in data["files"]] == ["photo-camille-martin.jpg"]
    json.dumps(data)  # serialisable as is


def test_json_export_holds_messages_journal_openings_and_decisions(decided):
    """Messages to the citizen, the visible journal, who opened it, the decision — no notes."""
    data = rights.citizen_export_json(decided.request)
    assert [(item["kind"], item["body"]) for item in data["messages"]] == [
        ("message_to_citizen", "Bonjour Camille")
    ]
    kinds = [item["kind"] for item in data["journal"]]
    assert "submitted" in kinds and "decided" in kinds and "note" not in kinds
    assert [item["by"] for item in data["openings"]] == ["Marie Dupont, mairie"]
    assert [(item["outcome"], item["motivation"]) for item in data["decisions"]] == [
        ("refused", "Motif pour Camille")
    ]
    assert "Note sur Camille" not in json.dumps(data, ensure_ascii=False)


def test_pdf_export_says_the_same(decided):
    """The PDF names the answers, the message, the decision and who opened the file."""
    content, filename = citizen_data_pdf(decided.request)
    assert content.startswith(b"%PDF")
    assert filename == f"mes-donnees-{decided.request.number}.pdf"
    text = pdf_text(content)
    for expected in (
        "Vos données personnelles",
        f"Demande n° {decided.request.number}",
        "Nom : Camille Martin",
        "Sujet : Voirie",
        "Bonjour Camille",
        "Refusée : Motif pour Camille",
        "Marie Dupont, mairie",
    ):
        assert expected in text, expected
    assert "Note sur Camille" not in text


def test_json_and_pdf_downloads_are_journaled(decided, client):
    """Each download is recorded as an export by the citizen, visible in their journal."""
    kwargs = {"commune_slug": "agey", "token": decided.token}
    response = client.get(reverse("public:demarches:my-data-json", kwargs=kwargs))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert json.loads(response.content)["request"]["number"] == decided.request.number
    response = client.get(reverse("public:demarches:my-data-pdf", kwargs=kwargs))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    events = RequestEvent.objects.filter(request=decided.request, kind=EventKind.EXPORTED)
    assert sorted(event.data["format"] for event in events) == ["json", "pdf"]
    assert all(event.is_visible_to_citizen for event in events)


def test_export_after_anonymisation_holds_nothing_personal(decided):
    """Once wiped, the export only has the anonymous facts left."""
    from clocher.demarches.services import retention

    retention.request_anonymise(request=decided.request, reason="test")
    text = json.dumps(rights.citizen_export_json(decided.request), ensure_ascii=False)
    for personal in ("Camille", "camille@example.test", "06 12 34 56 78"):
        assert personal not in text
    assert "Signaler un problème" in text
