"""Publishing the draft: it becomes the procedure's form, requests already received keep the
version they answered; a broken, empty or unchanged draft is refused and nothing is published."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.demarches.models import FormVersion
from clocher.demarches.services import builder
from clocher.demarches.services.builder import BuilderRefused
from clocher.demarches.tests.factories import SIMPLE_SCHEMA, make_procedure, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure(commune_a):
    return make_procedure(commune_a)


def test_publish_makes_a_new_version_and_old_requests_keep_theirs(procedure, agent_a):
    """Version 2 is published and current; the request made on version 1 still points at it,
    and a new request answers version 2."""
    old_request = submit(procedure).request
    draft = builder.draft_open(procedure=procedure, actor=agent_a)
    builder.field_add(
        draft=draft, spec_dict={"type": "text", "label": "Numéro de rue", "personal": False}
    )
    version = builder.form_publish(procedure=procedure, actor=agent_a)
    procedure.refresh_from_db()
    old_request.refresh_from_db()
    assert (version.number, version.is_published) == (2, True)
    assert procedure.current_form_id == version.pk
    assert old_request.form_version.number == 1
    assert old_request.form_version.schema == SIMPLE_SCHEMA
    new_request = submit(procedure, numero_de_rue="12").request
    assert new_request.form_version_id == version.pk
    assert new_request.values["numero_de_rue"] == "12"
    assert builder.current_draft(procedure) is None


def test_publish_without_draft_is_refused(procedure, agent_a):
    """Nothing to publish without a draft."""
    with pytest.raises(BuilderRefused) as refused:
        builder.form_publish(procedure=procedure, actor=agent_a)
    assert refused.value.errors == ["Il n'y a pas de brouillon à publier."]


def test_publish_of_an_unchanged_draft_is_refused(procedure, agent_a):
    """A draft identical to the published form is not published."""
    builder.draft_open(procedure=procedure, actor=agent_a)
    with pytest.raises(BuilderRefused) as refused:
        builder.form_publish(procedure=procedure, actor=agent_a)
    assert refused.value.errors[0].startswith("Le brouillon est identique au formulaire publié")
    assert FormVersion.objects.filter(procedure=procedure, published_at__isnull=False).count() == 1


def test_publish_of_a_broken_draft_lists_errors_and_publishes_nothing(procedure, agent_a):
    """A draft made invalid behind the builder's back is refused with every error."""
    draft = builder.draft_open(procedure=procedure, actor=agent_a)
    draft.schema = {
        "fields": [
            {"type": "text", "name": "a", "label": "A"},
            {"type": "text", "name": "a", "label": "B"},
            {
                "type": "text",
                "name": "c",
                "label": "C",
                "condition": {"field": "z", "op": "filled"},
            },
        ]
    }
    draft.save()
    with pytest.raises(BuilderRefused) as refused:
        builder.form_publish(procedure=procedure, actor=agent_a)
    assert refused.value.errors == [
        "Le nom « a » est utilisé deux fois.",
        "Condition de « c » : le champ « z » n'existe pas.",
    ]
    procedure.refresh_from_db()
    assert procedure.current_form.number == 1
    draft.refresh_from_db()
    assert draft.published_at is None


def test_publish_of_a_form_without_question_is_refused(procedure, agent_a):
    """A form with only layout is refused."""
    builder.draft_replace(
        procedure=procedure,
        actor=agent_a,
        schema={"fields": [{"type": "help", "name": "intro", "help": "Bienvenue"}]},
    )
    with pytest.raises(BuilderRefused) as refused:
        builder.form_publish(procedure=procedure, actor=agent_a)
    assert refused.value.errors == [
        "Le formulaire ne pose aucune question : ajoutez au moins un champ à remplir."
    ]


def test_publish_takes_the_next_free_number(procedure, agent_a):
    """If another version was published meanwhile, the draft gets the number after it."""
    draft = builder.draft_open(procedure=procedure, actor=agent_a)
    builder.field_remove(draft=draft, field_name="phone")
    FormVersion.objects.create(
        commune=procedure.commune, procedure=procedure, number=3, schema=SIMPLE_SCHEMA
    )
    FormVersion.objects.filter(number=3, procedure=procedure).update(published_at=draft.created_at)
    version = builder.form_publish(procedure=procedure, actor=agent_a)
    assert version.number == 4


def test_schema_changes_lists_added_removed_and_changed_fields():
    """The publish confirmation says what the draft changes."""
    new = {
        "fields": [
            {**SIMPLE_SCHEMA["fields"][0], "label": "Sujet du signalement", "personal": False},
            SIMPLE_SCHEMA["fields"][2],
            SIMPLE_SCHEMA["fields"][1],
            SIMPLE_SCHEMA["fields"][4],
            {"type": "email", "name": "email", "label": "Courriel"},
        ]
    }
    changes = builder.schema_changes(SIMPLE_SCHEMA, new)
    assert changes.added == ["Courriel"]
    assert changes.removed == ["Téléphone"]
    assert [(change.title, change.what) for change in changes.changed] == [
        ("Sujet du signalement", ["libellé"])
    ]
    assert changes.reordered is True


def test_publish_page_shows_the_changes_then_publishes(procedure, agent_a):
    """The confirmation page lists the changes; confirming publishes version 2."""
    draft = builder.draft_open(procedure=procedure, actor=agent_a)
    builder.field_remove(draft=draft, field_name="phone")
    client = signed_in_client(agent_a)
    url = reverse(
        "staff:demarches:form-publish",
        kwargs={"commune_slug": procedure.commune.slug, "online_procedure": procedure.pk},
    )
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["changes"].removed == ["Téléphone"]
    assert "Champs retirés" in page.content.decode()
    response = client.post(url)
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.current_form.number == 2
    assert "phone" not in [item["name"] for item in procedure.current_form.schema["fields"]]


def test_publish_page_lists_errors_by_field(procedure, agent_a):
    """A refused publication shows the errors under the field they concern."""
    draft = builder.draft_open(procedure=procedure, actor=agent_a)
    draft.schema = {
        "fields": [
            {"type": "text", "name": "a", "label": "Question A"},
            {"type": "choice", "name": "b", "label": "Question B"},
        ]
    }
    draft.save()
    response = signed_in_client(agent_a).post(
        reverse(
            "staff:demarches:form-publish",
            kwargs={"commune_slug": procedure.commune.slug, "online_procedure": procedure.pk},
        )
    )
    assert response.status_code == 200
    assert response.context["refusal"] == [
        {"title": "Question B", "errors": ["Champ « b » : il faut au moins un choix."]}
    ]
    procedure.refresh_from_db()
    assert procedure.current_form.number == 1
