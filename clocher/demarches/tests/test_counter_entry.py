"""Counter entry: an agent enters a request for a citizen; channel, agent and mandate recorded."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clocher.core.models import VaultFile
from clocher.core.testing.clients import signed_in_client
from clocher.demarches.models import Channel, Draft, EventKind, Family, Mandate, Request
from clocher.demarches.tests.factories import grant, make_procedure
from clocher.demarches.tests.support_public import (
    MULTI_PAGE_SCHEMA,
    jpeg_bytes,
    upload,
)


@pytest.fixture
def procedure(commune_a):
    return make_procedure(
        commune_a, family=Family.ROADS, slug="voirie", title="Voirie", schema=MULTI_PAGE_SCHEMA
    )


@pytest.fixture
def agent(commune_a, agent_a):
    grant(agent_a, commune_a, Family.ROADS)
    return agent_a


def _entry(procedure):
    return reverse(
        "staff:demarches:counter-entry",
        kwargs={"commune_slug": procedure.commune.slug, "online_procedure": procedure.pk},
    )


ANSWERS = {"field-topic": "road", "field-damage": "Trou", "field-full_name": "Jean Usager"}


@pytest.mark.django_db
def test_the_whole_form_is_on_one_page(procedure, agent):
    """Every page of the form shows at once, conditional parts with their hint."""
    content = signed_in_client(agent).get(_entry(procedure)).content.decode()
    for label in ("Sujet", "Numéro du lampadaire", "Dégâts constatés", "Votre nom"):
        assert label in content
    assert "(seulement si « Sujet » est « Voirie »)" in content
    assert 'name="channel"' in content and 'name="received_on"' in content


@pytest.mark.django_db
def test_a_phone_request_records_channel_and_agent(procedure, agent):
    """The request is stored with the channel, the agent who entered it, without e-mail."""
    client = signed_in_client(agent)
    response = client.post(_entry(procedure), {"channel": "phone", **ANSWERS})
    stored = Request.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "staff:demarches:counter-done",
        kwargs={"commune_slug": "agey", "citizen_request": stored.pk},
    )
    assert stored.channel == Channel.PHONE
    assert stored.entered_by_id == agent.pk
    assert stored.email == ""
    assert stored.values == {"topic": "road", "damage": "Trou"}
    event = stored.events.get(kind=EventKind.SUBMITTED)
    assert event.actor_id == agent.pk
    done = client.get(response["Location"]).content.decode()
    assert stored.number in done


@pytest.mark.django_db
def test_a_letter_keeps_its_date_of_receipt(procedure, agent):
    """A letter received three days ago is dated then, and its clock starts then."""
    received = timezone.localdate() - datetime.timedelta(days=3)
    signed_in_client(agent).post(
        _entry(procedure),
        {"channel": "letter", "received_on": received.isoformat(), **ANSWERS},
    )
    stored = Request.objects.get()
    assert stored.channel == Channel.LETTER
    assert timezone.localdate(stored.received_at) == received


@pytest.mark.django_db
def test_a_future_date_is_refused_and_everything_is_kept(procedure, agent):
    """A wrong date: error on the field, answers and uploaded photo kept in the agent's draft."""
    client = signed_in_client(agent)
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    response = client.post(
        _entry(procedure),
        {
            "channel": "letter",
            "received_on": future,
            **ANSWERS,
            "field-photo": upload("trou.jpg", jpeg_bytes(width=300, height=200)),
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "La date de réception ne peut pas être dans le futur." in content
    assert 'value="Jean Usager"' in content
    photo = VaultFile.objects.get()
    assert f'value="{photo.pk}" checked' in content
    assert not Request.objects.exists()
    token = content.split('name="draft" value="')[1].split('"')[0]
    response = client.post(
        _entry(procedure),
        {"channel": "letter", "draft": token, **ANSWERS, "field-photo-keep": str(photo.pk)},
    )
    assert response.status_code == 302
    stored = Request.objects.get()
    assert stored.files.get().vault_file_id == photo.pk
    assert not Draft.objects.exists()


@pytest.mark.django_db
def test_a_missing_answer_is_shown_on_its_field(procedure, agent):
    """Validation errors of the schema show on the fields, nothing is stored."""
    response = signed_in_client(agent).post(_entry(procedure), {"channel": "counter"})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_a_valid_mandate_of_the_family_is_recorded(procedure, agent, commune_a):
    """The agent acts under a mandate covering the family; other mandates are not offered."""

    def mandate(families, name):
        record = Mandate(
            commune=commune_a,
            families=families,
            valid_until=timezone.localdate() + datetime.timedelta(days=30),
            consent_reference="Formulaire signé",
        )
        record.citizen_name = name
        record.citizen_contact = ""
        record.save()
        return record

    covering = mandate([Family.ROADS], "Mme Covering")
    mandate([Family.SOCIAL], "M. Autre")
    client = signed_in_client(agent)
    page = client.get(_entry(procedure)).content.decode()
    assert "Mme Covering" in page and "M. Autre" not in page
    client.post(_entry(procedure), {"channel": "counter", "mandate": str(covering.pk), **ANSWERS})
    assert Request.objects.get().mandate_id == covering.pk


@pytest.mark.django_db
def test_a_forged_mandate_is_refused_on_its_field(procedure, agent):
    """A mandate id that is not offered gets an error; nothing is stored, answers kept."""
    response = signed_in_client(agent).post(
        _entry(procedure), {"channel": "counter", "mandate": "999999", **ANSWERS}
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide." in response.content.decode()
    assert 'value="Jean Usager"' in response.content.decode()
    assert not Request.objects.exists()
