"""A citizen fills a multi-page form with a condition, reviews it and sends it."""

import pytest
from django.urls import reverse

from clocher.demarches.models import Channel, Draft, Request
from clocher.demarches.tests.support_public import make_multi_page, post_page, start, url


@pytest.mark.django_db
def test_catalogue_lists_published_procedures_with_what_to_prepare(client, commune_a):
    """The catalogue shows each published procedure, its description and documents to join."""
    make_multi_page(commune_a)
    make_multi_page(commune_a, slug="cachee", title="Démarche cachée", is_published=False)
    response = client.get(reverse("public:demarches:catalogue", args=[commune_a.slug]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Signaler un problème" in content
    assert "Une démarche de test." in content
    assert "Photo (selon vos réponses)" in content
    assert "Démarche cachée" not in content


@pytest.mark.django_db
def test_full_path_skips_the_page_whose_condition_fails(client, commune_a):
    """Lighting: the road page is skipped, the summary lists the answers, the request is stored."""
    procedure = make_multi_page(commune_a)
    start(client, procedure)
    response = post_page(client, procedure, 0, {"field-topic": "lighting", "field-pole": "L-12"})
    assert response.status_code == 302
    assert response["Location"] == url("fill", procedure)
    page = client.get(url("fill", procedure))
    assert "Votre nom" in page.content.decode()
    assert "Dégâts constatés" not in page.content.decode()
    response = post_page(client, procedure, 2, {"field-full_name": "Camille Martin"})
    assert response["Location"] == url("summary", procedure)
    summary = client.get(url("summary", procedure)).content.decode()
    assert "Éclairage" in summary and "L-12" in summary and "Camille Martin" in summary
    response = client.post(
        url("summary", procedure),
        {"email": "camille@example.test", "consent": "on", "action": "submit"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("confirmation", procedure)
    stored = Request.objects.get(procedure=procedure)
    assert stored.channel == Channel.WEB
    assert stored.values == {"topic": "lighting", "pole": "L-12"}
    assert stored.personal() == {"full_name": "Camille Martin"}
    assert stored.email == "camille@example.test"
    assert not Draft.objects.filter(procedure=procedure).exists()
    confirmation = client.get(url("confirmation", procedure)).content.decode()
    assert stored.number in confirmation
    assert "/suivi/" in confirmation
    assert "camille@example.test" in confirmation
    again = client.get(url("confirmation", procedure)).content.decode()
    assert "/suivi/" not in again


@pytest.mark.django_db
def test_same_page_condition_is_hinted_and_ignored_when_it_does_not_hold(client, commune_a):
    """A field conditioned on the same page shows a hint; left empty while hidden, no error."""
    procedure = make_multi_page(commune_a)
    start(client, procedure)
    page = client.get(url("fill", procedure)).content.decode()
    assert "(à remplir seulement si « Sujet » est « Éclairage »)" in page
    assert "data-condition=" in page
    assert "demarches/conditions.js" in page
    response = post_page(client, procedure, 0, {"field-topic": "road", "field-pole": ""})
    assert response.status_code == 302
    road_page = client.get(url("fill", procedure)).content.decode()
    assert "Dégâts constatés" in road_page


@pytest.mark.django_db
def test_required_field_missing_shows_an_error_and_keeps_the_answers(client, commune_a):
    """Lighting without a pole number: the page comes back with the error and the choice kept."""
    procedure = make_multi_page(commune_a)
    start(client, procedure)
    response = post_page(client, procedure, 0, {"field-topic": "lighting"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ce champ est obligatoire." in content
    assert 'value="lighting" checked' in content
    assert 'aria-describedby="field-pole-hint field-pole-error"' in content


@pytest.mark.django_db
def test_back_button_returns_to_the_previous_shown_page(client, commune_a):
    """From the last page, "back" skips the hidden road page and keeps what was typed."""
    procedure = make_multi_page(commune_a)
    start(client, procedure)
    post_page(client, procedure, 0, {"field-topic": "lighting", "field-pole": "L-1"})
    response = post_page(client, procedure, 2, {"field-full_name": "Lou", "action": "back"})
    assert response.status_code == 302
    page = client.get(url("fill", procedure)).content.decode()
    assert 'value="L-1"' in page
    post_page(client, procedure, 0, {"field-topic": "lighting", "field-pole": "L-1"})
    assert 'value="Lou"' in client.get(url("fill", procedure)).content.decode()


@pytest.mark.django_db
def test_unknown_procedure_is_404(client, commune_a):
    """A procedure that does not exist (or is not published) answers 404."""
    procedure = make_multi_page(commune_a, is_published=False)
    assert client.get(url("start", procedure)).status_code == 404
