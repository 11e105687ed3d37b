"""Downloading the acknowledgment and decision PDFs: staff (capability and family grant) and the
citizen (secret tracking link)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from clocher.cimetiere.documents.pdf_text import pdf_text
from clocher.core.testing.clients import signed_in_client
from clocher.demarches.models import Acknowledgment, Decision, Family, StatusKind
from clocher.demarches.services.acknowledgment import acknowledgment_issue
from clocher.demarches.tests.factories import grant, make_procedure, submit

pytestmark = pytest.mark.django_db


def _staff_url(name, request):
    return reverse(
        f"staff:demarches:{name}",
        kwargs={"commune_slug": request.commune.slug, "citizen_request": request.pk},
    )


def _public_url(name, commune, token):
    return reverse(
        f"public:demarches:{name}", kwargs={"commune_slug": commune.slug, "token": token}
    )


def _social_request(commune):
    return submit(make_procedure(commune, family=Family.SOCIAL, slug="aide"))


def _decide(request, motivation="Dossier incomplet."):
    decision = Decision(
        commune=request.commune,
        request=request,
        family=request.family,
        outcome=StatusKind.REFUSED,
        decided_at=timezone.now(),
    )
    decision.motivation = motivation
    decision.save()
    return decision


def test_staff_acknowledgment_anonymous_is_sent_to_sign_in(commune_a, client):
    """Anonymous: redirected to sign in; nothing issued."""
    request = _social_request(commune_a).request
    assert client.get(_staff_url("acknowledgment-pdf-staff", request)).status_code == 302
    assert not Acknowledgment.objects.exists()


def test_staff_acknowledgment_other_commune_is_404(commune_a, admin_b):
    """A member of another commune: 404; nothing issued."""
    request = _social_request(commune_a).request
    response = signed_in_client(admin_b).get(_staff_url("acknowledgment-pdf-staff", request))
    assert response.status_code == 404
    assert not Acknowledgment.objects.exists()


def test_staff_acknowledgment_agent_without_the_family_is_404(commune_a, agent_a):
    """An agent granted another family only: 404; nothing issued."""
    grant(agent_a, commune_a, Family.ROADS)
    request = _social_request(commune_a).request
    response = signed_in_client(agent_a).get(_staff_url("acknowledgment-pdf-staff", request))
    assert response.status_code == 404
    assert not Acknowledgment.objects.exists()


def test_staff_acknowledgment_member_without_the_capability_is_403(commune_a, elected_a):
    """An elected official (no request processing), even with the family: 403."""
    grant(elected_a, commune_a, Family.SOCIAL)
    request = _social_request(commune_a).request
    response = signed_in_client(elected_a).get(_staff_url("acknowledgment-pdf-staff", request))
    assert response.status_code == 403
    assert not Acknowledgment.objects.exists()


def test_staff_acknowledgment_agent_with_the_family_prints_it(commune_a, agent_a):
    """An agent of the family gets the PDF (issued at once if the worker has not run yet)."""
    grant(agent_a, commune_a, Family.SOCIAL)
    request = _social_request(commune_a).request
    response = signed_in_client(agent_a).get(_staff_url("acknowledgment-pdf-staff", request))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'inline; filename="accuse-de-reception-{request.number}.pdf"'
    )
    assert response["Cache-Control"] == "private, no-store"
    assert "Accusé de réception" in pdf_text(response.content)
    assert Acknowledgment.objects.filter(request=request).count() == 1


def test_staff_decision_needs_a_decision(commune_a, agent_a):
    """No decision yet: 404; once decided, the letter."""
    grant(agent_a, commune_a, Family.SOCIAL)
    request = _social_request(commune_a).request
    client = signed_in_client(agent_a)
    assert client.get(_staff_url("decision-pdf-staff", request)).status_code == 404
    _decide(request)
    response = client.get(_staff_url("decision-pdf-staff", request))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'inline; filename="decision-{request.number}.pdf"'
    assert "Dossier incomplet." in " ".join(pdf_text(response.content).split())


def test_staff_decision_authorization(commune_a, admin_b, agent_a, elected_a, client):
    """Anonymous 302, other commune 404, agent without the family 404, elected 403."""
    request = _social_request(commune_a).request
    _decide(request)
    url = _staff_url("decision-pdf-staff", request)
    assert client.get(url).status_code == 302
    assert signed_in_client(admin_b).get(url).status_code == 404
    assert signed_in_client(agent_a).get(url).status_code == 404
    grant(elected_a, commune_a, Family.SOCIAL)
    assert signed_in_client(elected_a).get(url).status_code == 403


def test_citizen_downloads_the_acknowledgment_by_token(commune_a, client):
    """The secret link gives the acknowledgment; a wrong secret is a 404."""
    submitted = _social_request(commune_a)
    acknowledgment_issue(request=submitted.request, send_email=False)
    response = client.get(_public_url("acknowledgment-pdf", commune_a, submitted.token))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'inline; filename="accuse-de-reception-{submitted.request.number}.pdf"'
    )
    assert client.get(_public_url("acknowledgment-pdf", commune_a, "faux-jeton")).status_code == 404


def test_citizen_token_of_another_commune_is_404(commune_a, commune_b, client):
    """A valid secret under another commune's address is a 404."""
    submitted = _social_request(commune_a)
    acknowledgment_issue(request=submitted.request, send_email=False)
    assert (
        client.get(_public_url("acknowledgment-pdf", commune_b, submitted.token)).status_code == 404
    )


def test_citizen_acknowledgment_not_issued_yet_is_404(commune_a, client):
    """Before the acknowledgment exists, the citizen's link does not create it: 404."""
    submitted = _social_request(commune_a)
    response = client.get(_public_url("acknowledgment-pdf", commune_a, submitted.token))
    assert response.status_code == 404
    assert not Acknowledgment.objects.exists()


def test_citizen_downloads_the_decision_by_token(commune_a, client):
    """No decision: 404; decided: the letter; wiped request: 404."""
    submitted = _social_request(commune_a)
    url = _public_url("decision-pdf", commune_a, submitted.token)
    assert client.get(url).status_code == 404
    _decide(submitted.request)
    response = client.get(url)
    assert response.status_code == 200
    assert "Décision de refus" in pdf_text(response.content)
    assert client.get(_public_url("decision-pdf", commune_a, "faux-jeton")).status_code == 404
    submitted.request.anonymised_at = timezone.now()
    submitted.request.save(update_fields=["anonymised_at"])
    assert client.get(url).status_code == 404
