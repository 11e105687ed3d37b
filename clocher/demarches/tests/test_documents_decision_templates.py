"""The commune's decision texts: placeholder checks, the staff page (authorization, preview,
save, reset)."""

import pytest
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.demarches.documents.templates import fill, template_for, unknown_placeholders
from clocher.demarches.models import DecisionTemplate
from clocher.demarches.services.documents import TemplateRefused, decision_template_save

pytestmark = pytest.mark.django_db


def _url(commune):
    return reverse("staff:demarches:decision-templates", kwargs={"commune_slug": commune.slug})


def _post(commune, **data):
    payload = {
        "issue": "refused",
        "action": "save",
        "title": "Refus",
        "body": "Demande {numero} refusée : {motivation}",
        "signatory": "Marie Dupont, maire",
    }
    payload.update(data)
    return payload


def test_unknown_placeholders_are_named():
    """Unknown names are listed once, in order; known ones pass."""
    text = "{numero} {nom} {motivation} {nom} { commune } {}"
    assert unknown_placeholders(text) == ["nom", ""]


def test_fill_replaces_known_names_only():
    """Known names are replaced; unknown ones and stray braces stay as written."""
    assert fill("N° {numero}, {inconnu}, {", {"numero": "2026-00001"}) == (
        "N° 2026-00001, {inconnu}, {"
    )


def test_service_refuses_unknown_placeholders(commune_a):
    """Saving a text with an unknown placeholder writes nothing and names the field."""
    with pytest.raises(TemplateRefused) as caught:
        decision_template_save(
            commune=commune_a,
            actor=None,
            outcome="refused",
            title="Refus {nom}",
            body="ok {numero}",
            signatory="Le maire",
        )
    assert caught.value.errors == {
        "title": ["Champ variable inconnu : {nom}. Utilisez uniquement ceux de la liste."]
    }
    assert not DecisionTemplate.objects.exists()


def test_anonymous_is_sent_to_sign_in(commune_a, client):
    """Anonymous: redirected to the sign-in page."""
    response = client.get(_url(commune_a))
    assert response.status_code == 302


def test_other_commune_member_gets_404(commune_a, admin_b):
    """A member of another commune: 404, and nothing saved."""
    response = signed_in_client(admin_b).post(_url(commune_a), _post(commune_a))
    assert response.status_code == 404
    assert not DecisionTemplate.objects.exists()


@pytest.mark.parametrize("member", ["elected_a", "technician_a"])
def test_member_without_the_capability_gets_403(commune_a, member, request):
    """Elected officials and technicians do not manage procedures: 403, nothing saved."""
    user = request.getfixturevalue(member)
    client = signed_in_client(user)
    assert client.get(_url(commune_a)).status_code == 403
    assert client.post(_url(commune_a), _post(commune_a)).status_code == 403
    assert not DecisionTemplate.objects.exists()


def test_agent_sees_the_texts_in_force(commune_a, agent_a, django_assert_max_num_queries):
    """The list shows each outcome with the text in force, in few queries."""
    client = signed_in_client(agent_a)
    with django_assert_max_num_queries(12):
        response = client.get(_url(commune_a))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Acceptation" in page and "Refus" in page and "Classement sans suite" in page
    assert page.count("Texte fourni par Clocher") == 3


def test_edit_page_shows_a_preview(commune_a, agent_a):
    """Opening one outcome shows its text and a preview with example values."""
    response = signed_in_client(agent_a).get(_url(commune_a) + "?issue=refused")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Aperçu avec des valeurs d'exemple" in page
    assert "Réservation d&#x27;une salle communale" in page
    assert "{motivation}" in page


def test_unknown_placeholder_shows_an_error_and_keeps_the_input(commune_a, agent_a):
    """A wrong name is shown on its field; what was typed stays; nothing is saved."""
    response = signed_in_client(agent_a).post(
        _url(commune_a), _post(commune_a, body="Bonjour {prenom}, refus.")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Champ variable inconnu : {prenom}." in page
    assert 'aria-invalid="true"' in page
    assert "Bonjour {prenom}, refus." in page
    assert not DecisionTemplate.objects.exists()


def test_preview_does_not_save(commune_a, agent_a):
    """ "Prévisualiser" renders the typed text without saving it."""
    response = signed_in_client(agent_a).post(
        _url(commune_a), _post(commune_a, action="preview", body="Texte essayé {numero}.")
    )
    assert response.status_code == 200
    assert "Texte essayé " in response.content.decode()
    assert not DecisionTemplate.objects.exists()


def test_save_then_reset(commune_a, agent_a):
    """Saving creates the commune's copy; resetting brings the shared text back."""
    client = signed_in_client(agent_a)
    response = client.post(_url(commune_a), _post(commune_a))
    assert response.status_code == 302
    saved = DecisionTemplate.objects.get(commune=commune_a, outcome="refused")
    assert (saved.title, saved.signatory, saved.updated_by) == (
        "Refus",
        "Marie Dupont, maire",
        agent_a,
    )
    assert template_for(commune_a, "refused").body == "Demande {numero} refusée : {motivation}"
    response = client.post(_url(commune_a), {"issue": "refused", "action": "reset"})
    assert response.status_code == 302
    assert not DecisionTemplate.objects.exists()
    assert template_for(commune_a, "refused").source == "built_in"


def test_unknown_outcome_is_404(commune_a, agent_a):
    """A forged outcome answers 404."""
    assert signed_in_client(agent_a).get(_url(commune_a) + "?issue=maybe").status_code == 404
