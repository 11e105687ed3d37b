"""Drafts: saved at every page, resumed by the secret link, kept after a failed submission."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from clocher.core.models import VaultFile
from clocher.demarches.models import Draft, FormVersion, Request
from clocher.demarches.services import drafts
from clocher.demarches.tests.support_public import (
    jpeg_bytes,
    make_multi_page,
    post_page,
    start,
    upload,
    url,
)


def _resume_link(client, procedure):
    content = client.get(url("saved", procedure)).content.decode()
    marker = "/reprendre/"
    begin = content.index("http", content.index(marker) - 200)
    return content[begin : content.index('"', begin)]


@pytest.mark.django_db
def test_save_and_continue_later_gives_a_link_that_resumes_elsewhere(client, commune_a):
    """ "Enregistrer et continuer plus tard" shows a link; another browser resumes with it."""
    procedure = make_multi_page(commune_a)
    start(client, procedure)
    response = post_page(
        client, procedure, 0, {"field-topic": "lighting", "field-pole": "L-7", "action": "save"}
    )
    assert response["Location"] == url("saved", procedure)
    link = _resume_link(client, procedure)
    other = Client()
    response = other.get(link.split("127.0.0.1:8000", 1)[-1])
    assert response.status_code == 302
    assert response["Location"] == url("fill", procedure)
    page = other.get(url("fill", procedure)).content.decode()
    assert 'value="L-7"' in page
    assert 'value="lighting" checked' in page


@pytest.mark.django_db
def test_wrong_resume_link_is_a_french_404(client, commune_a):
    """A resume link that matches no draft answers 404 with an explanation."""
    procedure = make_multi_page(commune_a)
    response = client.get(url("resume", procedure, token="pas-un-jeton"))
    assert response.status_code == 404
    assert "Ce lien de reprise ne fonctionne plus" in response.content.decode()


@pytest.mark.django_db
def test_draft_survives_a_failed_submission_and_resumes_by_link(client, commune_a):
    """The e-mail is refused at submission: the draft stays, and the link brings it all back."""
    procedure = make_multi_page(commune_a)
    start(client, procedure)
    post_page(client, procedure, 0, {"field-topic": "lighting", "field-pole": "L-3"})
    post_page(client, procedure, 2, {"field-full_name": "Camille Martin"})
    response = client.post(
        url("summary", procedure),
        {"email": "pas-une-adresse", "consent": "on", "action": "submit"},
    )
    assert response.status_code == 200
    assert "Saisissez une adresse de courriel valide." in response.content.decode()
    assert not Request.objects.exists()
    draft = Draft.objects.get(procedure=procedure)
    assert drafts.draft_content(draft).values["full_name"] == "Camille Martin"
    assert drafts.draft_content(draft).email == "pas-une-adresse"
    link = _resume_link(client, procedure)
    other = Client()
    other.get(link.split("127.0.0.1:8000", 1)[-1])
    summary = other.get(url("summary", procedure)).content.decode()
    assert "Camille Martin" in summary and "L-3" in summary
    response = other.post(
        url("summary", procedure),
        {"email": "camille@example.test", "consent": "on", "action": "submit"},
    )
    assert response.status_code == 302
    assert Request.objects.get().personal() == {"full_name": "Camille Martin"}


@pytest.mark.django_db
def test_refused_submission_shows_the_error_on_its_page(client, commune_a):
    """The form changed under the draft: the refusal sends the citizen to the page to fix."""
    procedure = make_multi_page(commune_a)
    start(client, procedure)
    post_page(client, procedure, 0, {"field-topic": "lighting", "field-pole": "L-3"})
    post_page(client, procedure, 2, {"field-full_name": "Camille Martin"})
    draft = Draft.objects.get()
    # Corrupt the saved answer as a stale or tampered draft would be.
    content = drafts.draft_content(draft)
    content.values["topic"] = "forged"
    drafts.draft_save(draft=draft, values=content.values)
    response = client.post(
        url("summary", procedure),
        {"email": "camille@example.test", "consent": "on", "action": "submit"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Votre demande n&#x27;a pas pu être envoyée" in page
    assert "Choisissez une des réponses proposées." in page
    assert 'name="page" value="0"' in page
    assert Draft.objects.filter(pk=draft.pk).exists()
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_consent_is_required(client, commune_a):
    """Without the consent box, nothing is sent and the e-mail typed is kept."""
    procedure = make_multi_page(commune_a)
    start(client, procedure)
    post_page(client, procedure, 0, {"field-topic": "lighting", "field-pole": "L-3"})
    post_page(client, procedure, 2, {"field-full_name": "Camille"})
    response = client.post(
        url("summary", procedure), {"email": "camille@example.test", "action": "submit"}
    )
    assert response.status_code == 200
    assert "Cochez cette case pour envoyer votre demande." in response.content.decode()
    assert 'value="camille@example.test"' in response.content.decode()
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_draft_moves_to_the_new_form_version(client, commune_a):
    """When the procedure's form changes, the draft keeps the answers to fields still there."""
    procedure = make_multi_page(commune_a)
    start(client, procedure)
    post_page(client, procedure, 0, {"field-topic": "lighting", "field-pole": "L-3"})
    schema = {"fields": [{"type": "text", "name": "pole", "label": "Lampadaire"}]}
    new_form = FormVersion.objects.create(
        commune=commune_a, procedure=procedure, number=2, schema=schema, published_at=timezone.now()
    )
    procedure.current_form = new_form
    procedure.save(update_fields=["current_form"])
    page = client.get(url("fill", procedure)).content.decode()
    assert 'value="L-3"' in page
    draft = Draft.objects.get()
    assert draft.form_version_id == new_form.pk
    assert drafts.draft_content(draft).values == {"pole": "L-3"}


@pytest.mark.django_db
def test_expired_drafts_are_deleted_with_their_files(client, commune_a):
    """The periodic cleanup removes expired drafts and the files nobody submitted."""
    procedure = make_multi_page(commune_a)
    start(client, procedure)
    post_page(client, procedure, 0, {"field-topic": "road"})
    post_page(
        client,
        procedure,
        1,
        {
            "field-damage": "Trou",
            "field-photo": upload("trou.jpg", jpeg_bytes(width=400, height=300)),
        },
    )
    assert VaultFile.objects.count() == 1
    kept, _token = drafts.draft_create(procedure=procedure)
    Draft.objects.exclude(pk=kept.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert drafts.drafts_expire() == 1
    assert list(Draft.objects.values_list("pk", flat=True)) == [kept.pk]
    assert VaultFile.objects.count() == 0
