"""The tracking page, reached by the request's secret link only, in its own commune."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clocher.demarches.models import EventKind
from clocher.demarches.services import journal
from clocher.demarches.tests.factories import make_procedure, submit


def _track(commune, token):
    return reverse("public:demarches:track", kwargs={"commune_slug": commune.slug, "token": token})


@pytest.mark.django_db
def test_the_secret_link_shows_status_dates_journal_and_answers(client, commune_a):
    """Number, status, receipt date, what silence means, journal with openings, answers."""
    submitted = submit(make_procedure(commune_a))
    request = submitted.request
    journal.log_event(request, EventKind.OPENED, label="Marie Dupont, mairie", visible=True)
    journal.log_event(request, EventKind.NOTE, label="Marie Dupont, mairie", body="Note secrète")
    response = client.get(_track(commune_a, submitted.token))
    assert response.status_code == 200
    content = response.content.decode()
    assert f"Demande n° {request.number}" in content
    assert "<strong>Reçue</strong>" in content
    assert "Demande déposée" in content
    assert "Dossier consulté par un agent" in content and "Marie Dupont, mairie" in content
    assert "Note secrète" not in content
    due = request.implicit_decision_on
    assert due is not None
    assert f"Sans réponse de la mairie au {due.day} " in content
    assert "votre demande sera acceptée" in content
    assert "Camille Martin" in content
    assert "Un nid-de-poule devant le 3 rue Haute." in content
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_a_wrong_token_is_a_french_404(client, commune_a):
    """An unknown secret answers 404 with an explanation in French."""
    submit(make_procedure(commune_a))
    response = client.get(_track(commune_a, "pas-le-bon-jeton"))
    assert response.status_code == 404
    assert "Ce lien de suivi n'est pas reconnu" in response.content.decode()


@pytest.mark.django_db
def test_another_communes_request_is_a_404(client, commune_a, commune_b):
    """A real token of commune B used under commune A's address answers 404."""
    submitted = submit(make_procedure(commune_b))
    response = client.get(_track(commune_a, submitted.token))
    assert response.status_code == 404
    assert submitted.request.number.encode() not in response.content
    assert client.get(_track(commune_b, submitted.token)).status_code == 200


@pytest.mark.django_db
def test_a_paused_clock_is_explained(client, commune_a):
    """While the town hall waits for corrections, the page says the delay is suspended."""
    submitted = submit(make_procedure(commune_a))
    request = submitted.request
    request.clock_paused_at = timezone.now() - datetime.timedelta(days=3)
    request.status, request.status_kind = "waiting_citizen", "waiting_citizen"
    request.save()
    journal.log_event(
        request, EventKind.CORRECTION_REQUESTED, visible=True, body="Joignez un justificatif."
    )
    content = client.get(_track(commune_a, submitted.token)).content.decode()
    assert "Suspendu depuis le" in content
    assert "La mairie attend votre réponse" in content
    assert "Joignez un justificatif." in content
    assert 'name="action" value="correction"' in content
