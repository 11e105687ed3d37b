"""The request page: answers, files, journal, opening journaled, and each action (PRG)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from clocher.core.testing.clients import signed_in_client
from clocher.core.vault import store_file
from clocher.demarches.models import (
    Decision,
    EventKind,
    Family,
    Request,
    RequestEvent,
    RequestFile,
)
from clocher.demarches.selectors import citizen_visible_events
from clocher.demarches.tests.factories import grant, make_procedure, submit

pytestmark = pytest.mark.django_db

SCHEMA = {
    "fields": [
        {"type": "section", "name": "about", "label": "Le problème"},
        {
            "type": "choice",
            "name": "topic",
            "label": "Sujet",
            "required": True,
            "choices": [
                {"value": "road", "label": "Voirie"},
                {"value": "lighting", "label": "Éclairage"},
            ],
        },
        {"type": "textarea", "name": "details", "label": "Précisions", "required": True},
        {"type": "text", "name": "full_name", "label": "Nom", "required": True, "personal": True},
        {"type": "checkbox", "name": "urgent", "label": "Urgent"},
        {
            "type": "file",
            "name": "photo",
            "label": "Photo",
            "condition": {"field": "topic", "op": "equals", "value": "road"},
        },
        {
            "type": "text",
            "name": "pole",
            "label": "Numéro du lampadaire",
            "condition": {"field": "topic", "op": "equals", "value": "lighting"},
        },
    ]
}


@pytest.fixture
def roads(commune_a, agent_a):
    grant(agent_a, commune_a, Family.ROADS)
    return make_procedure(commune_a, family=Family.ROADS, slug="voirie", schema=SCHEMA)


@pytest.fixture
def with_photo(commune_a, roads):
    vault_file = store_file(
        commune=commune_a,
        data=b"\x89PNG fake image",
        name="trou.png",
        content_type="image/png",
        compartment=Family.ROADS,
    )
    photo = [{"file": str(vault_file.pk), "name": "trou.png", "size": 15}]
    return submit(roads, topic="road", urgent=True, photo=photo).request


def _page(commune, citizen_request, suffix=""):
    return f"/mairie/{commune.slug}/demarches/demandes/{citizen_request.pk}/{suffix}"


def test_page_shows_visible_answers_with_labels(commune_a, agent_a, with_photo):
    """Labels, choice labels, personal values and the file link; hidden fields are not shown."""
    response = signed_in_client(agent_a).get(_page(commune_a, with_photo))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Voirie" in content and "Le problème" in content
    assert "Camille Martin" in content
    assert '<dt>Urgent</dt>\n<dd><span class="preserve-lines">Oui</span>' in content
    assert "Numéro du lampadaire" not in content
    file = RequestFile.objects.get(request=with_photo)
    assert f'href="{_page(commune_a, with_photo, f"fichiers/{file.pk}/")}">trou.png</a>' in content


def test_opening_is_visible_to_the_citizen(commune_a, agent_a, roads):
    """Opening the page writes an OPENED entry the citizen sees, with the agent's name."""
    citizen_request = submit(roads).request
    client = signed_in_client(agent_a)
    client.get(_page(commune_a, citizen_request))
    client.get(_page(commune_a, citizen_request))
    opened = [e for e in citizen_visible_events(citizen_request) if e.kind == EventKind.OPENED]
    assert len(opened) == 1
    assert opened[0].actor_label == f"{agent_a.get_full_name()}, mairie"


def test_file_download(commune_a, agent_a, with_photo):
    """The file comes out of the vault as an attachment."""
    file = RequestFile.objects.get(request=with_photo)
    response = signed_in_client(agent_a).get(_page(commune_a, with_photo, f"fichiers/{file.pk}/"))
    assert response.status_code == 200
    assert response.content == b"\x89PNG fake image"
    assert response["Content-Type"] == "image/png"
    assert 'filename="trou.png"' in response["Content-Disposition"]


def test_file_of_another_request_is_404(commune_a, agent_a, roads, with_photo):
    """A file id is only served under its own request."""
    other = submit(roads).request
    file = RequestFile.objects.get(request=with_photo)
    response = signed_in_client(agent_a).get(_page(commune_a, other, f"fichiers/{file.pk}/"))
    assert response.status_code == 404


def test_anonymised_request_shows_only_non_personal_values(commune_a, agent_a, roads):
    """After anonymisation the page shows the non-personal answers and no action form."""
    citizen_request = submit(roads, full_name="Dominique Lebrun").request
    Request.objects.filter(pk=citizen_request.pk).update(anonymised_at=timezone.now())
    response = signed_in_client(agent_a).get(_page(commune_a, citizen_request))
    content = response.content.decode()
    assert "Dominique Lebrun" not in content
    assert "camille@example.test" not in content
    assert "effacé à l'anonymisation" in content
    assert "Éclairage" in content
    assert "statut/" not in content


def test_status_action_redirects_with_a_message(commune_a, agent_a, roads):
    """POST, service, redirect back to the page with a success message."""
    citizen_request = submit(roads).request
    client = signed_in_client(agent_a)
    response = client.post(
        _page(commune_a, citizen_request, "statut/"), {"status": "in_progress", "message": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == _page(commune_a, citizen_request) + "#statut"
    assert Request.objects.get(pk=citizen_request.pk).status == "in_progress"
    page = client.get(response["Location"]).content.decode()
    assert "Statut modifié ; l&#x27;usager est prévenu par e-mail." in page


def test_bad_input_keeps_what_was_typed(commune_a, agent_a, roads):
    """A refusal without motivation re-renders the page with the error on the field."""
    citizen_request = submit(roads).request
    response = signed_in_client(agent_a).post(
        _page(commune_a, citizen_request, "decision/"),
        {"outcome": "refused", "motivation": ""},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in content
    assert 'id="id_motivation_error"' in content
    assert (
        'value="refused" id="id_outcome_1" checked' in content.replace('name="outcome" ', "")
        or 'value="refused"' in content
    )
    assert not Decision.objects.exists()


def test_every_action_writes_its_journal_entry(
    commune_a, agent_a, roads, django_capture_on_commit_callbacks
):
    """Assign, deadline, note, message, correction then decision, each through its URL."""
    citizen_request = submit(roads).request
    client = signed_in_client(agent_a)
    day = timezone.localdate() + datetime.timedelta(days=5)
    posts = [
        ("attribution/", {"assignee": agent_a.pk}),
        ("echeance/", {"deadline_on": day.isoformat()}),
        ("note/", {"body": "À voir avec le service technique."}),
        ("message/", {"body": "Nous avons bien noté."}),
        ("corrections/", {"body": "Joignez une photo."}),
        ("decision/", {"outcome": "accepted", "motivation": "Réparation faite."}),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for suffix, data in posts:
            response = client.post(_page(commune_a, citizen_request, suffix), data)
            assert response.status_code == 302, suffix
    kinds = list(
        RequestEvent.objects.filter(request=citizen_request)
        .exclude(kind__in=[EventKind.SUBMITTED, EventKind.STATUS_CHANGED])
        .values_list("kind", flat=True)
    )
    assert kinds == [
        EventKind.ASSIGNED,
        EventKind.DEADLINE_SET,
        EventKind.NOTE,
        EventKind.MESSAGE_TO_CITIZEN,
        EventKind.CORRECTION_REQUESTED,
        EventKind.DECIDED,
    ]
    stored = Request.objects.get(pk=citizen_request.pk)
    assert (stored.assigned_to, stored.deadline_on, stored.status) == (agent_a, day, "accepted")
    page = client.get(_page(commune_a, citizen_request)).content.decode()
    assert f'href="{_page(commune_a, citizen_request, "decision.pdf")}"' in page
    # Mails: message, correction request (with its status), decision — not assign/deadline/note.
    assert [message.subject.split(" : ", 1)[1] for message in mail.outbox] == [
        "nouveau message de la mairie",
        "pièces ou corrections demandées",
        "décision disponible",
    ]


def test_get_on_an_action_url_is_not_allowed(commune_a, agent_a, roads):
    """Actions are POST only."""
    citizen_request = submit(roads).request
    response = signed_in_client(agent_a).get(_page(commune_a, citizen_request, "note/"))
    assert response.status_code == 405
