"""Mandate pages: authorization matrix on every view, and the agent's own families only."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from clocher.core.testing.clients import signed_in_client
from clocher.demarches.models import Family, Mandate
from clocher.demarches.services import mandates
from clocher.demarches.tests.factories import grant, make_procedure, submit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
POST = {
    "citizen_name": "Germaine Roux",
    "citizen_contact": "03 80 11 22 33",
    "families": ["social"],
    "valid_from": TODAY.isoformat(),
    "valid_until": (TODAY + datetime.timedelta(days=200)).isoformat(),
    "consent_reference": "Classeur Mandats",
}


@pytest.fixture
def mandate(commune_a, agent_a):
    grant(agent_a, commune_a, Family.SOCIAL)
    return mandates.mandate_record(
        commune=commune_a,
        actor=agent_a,
        citizen_name="Germaine Roux",
        citizen_contact="03 80 11 22 33",
        families=[Family.SOCIAL],
        valid_from=TODAY,
        valid_until=TODAY + datetime.timedelta(days=200),
        consent_reference="Classeur",
    )


def _url(name, mandate=None, slug="agey"):
    kwargs = {"commune_slug": slug}
    if mandate is not None:
        kwargs["mandate"] = mandate.pk
    return reverse(f"staff:demarches:{name}", kwargs=kwargs)


LIST_VIEWS = ["mandates", "mandate-create", "mandate-blank-form"]
OBJECT_VIEWS = ["mandate", "mandate-revoke", "mandate-scan"]


def _state():
    return list(Mandate.objects.values_list("pk", "revoked_at"))


@pytest.mark.parametrize("name", LIST_VIEWS)
def test_anonymous_is_sent_to_sign_in(commune_a, client, name):
    """Anonymous: 302; nothing recorded."""
    assert client.get(_url(name)).status_code == 302
    assert client.post(_url("mandate-create"), POST).status_code == 302
    assert not Mandate.objects.exists()


@pytest.mark.parametrize("name", OBJECT_VIEWS)
def test_anonymous_on_a_mandate_is_sent_to_sign_in(mandate, client, name):
    """Anonymous: 302; nothing changed."""
    before = _state()
    assert client.get(_url(name, mandate)).status_code == 302
    assert client.post(_url("mandate-revoke", mandate)).status_code == 302
    assert _state() == before


@pytest.mark.parametrize("name", LIST_VIEWS)
def test_other_commune_is_404(commune_a, admin_b, name):
    """A member of another commune: 404."""
    assert signed_in_client(admin_b).get(_url(name)).status_code == 404


@pytest.mark.parametrize("name", OBJECT_VIEWS)
def test_other_commune_on_a_mandate_is_404(mandate, admin_b, name):
    """A member of another commune: 404; nothing changed."""
    before = _state()
    client = signed_in_client(admin_b)
    assert client.get(_url(name, mandate)).status_code == 404
    assert client.post(_url("mandate-revoke", mandate)).status_code == 404
    assert _state() == before


@pytest.mark.parametrize("name", LIST_VIEWS)
def test_member_without_the_capability_is_403(commune_a, elected_a, name):
    """An elected official, even granted the family: 403; nothing recorded."""
    grant(elected_a, commune_a, Family.SOCIAL)
    client = signed_in_client(elected_a)
    assert client.get(_url(name)).status_code == 403
    assert client.post(_url("mandate-create"), POST).status_code == 403
    assert not Mandate.objects.exists()


@pytest.mark.parametrize("name", OBJECT_VIEWS)
def test_member_without_the_capability_on_a_mandate_is_403(mandate, commune_a, elected_a, name):
    """An elected official: 403; nothing changed."""
    grant(elected_a, commune_a, Family.SOCIAL)
    before = _state()
    client = signed_in_client(elected_a)
    assert client.get(_url(name, mandate)).status_code == 403
    assert client.post(_url("mandate-revoke", mandate)).status_code == 403
    assert _state() == before


@pytest.mark.parametrize("name", OBJECT_VIEWS)
def test_agent_of_another_family_gets_404(mandate, commune_a, admin_a, name):
    """An agent without the mandate's family: 404, as if it did not exist; nothing changed."""
    grant(admin_a, commune_a, Family.ROADS)
    before = _state()
    client = signed_in_client(admin_a)
    assert client.get(_url(name, mandate)).status_code == 404
    assert client.post(_url("mandate-revoke", mandate)).status_code == 404
    assert _state() == before


def test_agent_records_a_mandate_with_a_scan(commune_a, agent_a):
    """A valid form records the mandate (scan sealed) and shows it."""
    grant(agent_a, commune_a, Family.SOCIAL)
    client = signed_in_client(agent_a)
    scan = SimpleUploadedFile("mandat.pdf", b"%PDF-1.4\n% signed form\n", "application/pdf")
    response = client.post(_url("mandate-create"), {**POST, "consent_scan": scan})
    assert response.status_code == 302
    mandate = Mandate.objects.get()
    assert (mandate.citizen_name, mandate.families) == ("Germaine Roux", ["social"])
    page = client.get(response["Location"]).content.decode()
    assert "Germaine Roux" in page and "03 80 11 22 33" in page
    scan_response = client.get(_url("mandate-scan", mandate))
    assert scan_response.status_code == 200
    assert scan_response["Content-Type"] == "application/pdf"


def test_create_form_refuses_a_family_not_granted(commune_a, agent_a):
    """A family not granted is not offered, and forcing it is an error on the field."""
    grant(agent_a, commune_a, Family.SOCIAL)
    client = signed_in_client(agent_a)
    assert 'value="roads"' not in client.get(_url("mandate-create")).content.decode()
    response = client.post(_url("mandate-create"), {**POST, "families": ["roads"]})
    assert response.status_code == 400
    assert 'id="id_families_error"' in response.content.decode()
    assert not Mandate.objects.exists()


def test_create_form_keeps_input_and_says_why(commune_a, agent_a):
    """More than a year: error on the end date, what was typed is still there."""
    grant(agent_a, commune_a, Family.SOCIAL)
    too_late = (TODAY + datetime.timedelta(days=400)).isoformat()
    response = signed_in_client(agent_a).post(
        _url("mandate-create"), {**POST, "valid_until": too_late}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Un mandat vaut un an au plus" in page
    assert 'value="Germaine Roux"' in page
    assert not Mandate.objects.exists()


def test_list_shows_states_and_filters(mandate, commune_a, agent_a, django_assert_max_num_queries):
    """Valid, expired and revoked mandates; the filter narrows; few queries."""
    expired = mandates.mandate_record(
        commune=commune_a,
        actor=agent_a,
        citizen_name="Ancien Mandant",
        citizen_contact="x",
        families=[Family.SOCIAL],
        valid_from=TODAY,
        valid_until=TODAY,
        consent_reference="c",
    )
    Mandate.objects.filter(pk=expired.pk).update(
        valid_from=TODAY - datetime.timedelta(days=30),
        valid_until=TODAY - datetime.timedelta(days=1),
    )
    client = signed_in_client(agent_a)
    client.get(_url("mandates"))
    with django_assert_max_num_queries(12):
        page = client.get(_url("mandates")).content.decode()
    assert "Germaine Roux" in page and "Ancien Mandant" in page
    assert "En cours de validité" in page and "Expiré" in page
    filtered = client.get(_url("mandates"), {"state": "expired"}).content.decode()
    assert "Ancien Mandant" in filtered and "Germaine Roux" not in filtered


def test_revoke_then_detail_shows_it(mandate, agent_a):
    """GET asks to confirm; POST revokes."""
    client = signed_in_client(agent_a)
    assert client.get(_url("mandate-revoke", mandate)).status_code == 200
    assert Mandate.objects.get(pk=mandate.pk).revoked_at is None
    assert client.post(_url("mandate-revoke", mandate)).status_code == 302
    assert Mandate.objects.get(pk=mandate.pk).revoked_at is not None
    assert "Révoqué" in client.get(_url("mandate", mandate)).content.decode()


def test_detail_lists_requests_entered_under_it(mandate, commune_a, agent_a):
    """Requests of the agent's families entered under the mandate are listed."""
    from clocher.demarches.models import Channel
    from clocher.demarches.services.submission import request_submit

    procedure = make_procedure(commune_a, family=Family.SOCIAL, slug="ccas", title="Aide CCAS")
    submitted = request_submit(
        procedure=procedure,
        data={"topic": "road", "details": "Aide", "full_name": "Germaine Roux"},
        channel=Channel.COUNTER,
        actor=agent_a,
        mandate=mandate,
    )
    submit(procedure)  # not under the mandate
    page = signed_in_client(agent_a).get(_url("mandate", mandate)).content.decode()
    assert submitted.request.number in page
    assert page.count("Aide CCAS") == 1


def test_blank_form_is_a_pdf(commune_a, agent_a):
    """The blank consent form downloads as PDF."""
    response = signed_in_client(agent_a).get(_url("mandate-blank-form"))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_scan_missing_is_404(mandate, agent_a):
    """No scan recorded: 404."""
    assert signed_in_client(agent_a).get(_url("mandate-scan", mandate)).status_code == 404
