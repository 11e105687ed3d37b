"""The builder's pages without JavaScript: forms, POST, redirect; refusals shown with what was
typed kept; the condition editor's buttons; the repeat block page; JSON download and upload."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.queries import rls_scope_queries
from clocher.demarches.formschema import evaluate
from clocher.demarches.services import builder
from clocher.demarches.tests.factories import SIMPLE_SCHEMA, make_procedure

pytestmark = pytest.mark.django_db


def _field(schema, name, parent=None):
    item = builder.find_field(schema, name, parent)
    assert item is not None
    return item


def _draft(procedure):
    draft = builder.current_draft(procedure)
    assert draft is not None
    return draft


@pytest.fixture
def procedure(commune_a):
    return make_procedure(commune_a)


@pytest.fixture
def client(agent_a):
    return signed_in_client(agent_a)


def _url(name, procedure, **kwargs):
    return reverse(
        f"staff:demarches:{name}",
        kwargs={"commune_slug": procedure.commune.slug, "online_procedure": procedure.pk, **kwargs},
    )


def _draft_fields(procedure, parent=None):
    return builder.fields_of(_draft(procedure).schema, parent)


def test_builder_page_lists_fields_with_condition_in_french(
    client, procedure, django_assert_max_num_queries
):
    """The list shows each field, its type in French, personal flag and condition summary."""
    with django_assert_max_num_queries(11 + rls_scope_queries()):
        response = client.get(_url("form-builder", procedure))
    html = response.content.decode()
    assert response.status_code == 200
    assert [row["type_label"] for row in response.context["rows"]] == [
        "Choix unique",
        "Texte long",
        "Texte court",
        "Téléphone",
        "Fichier joint",
    ]
    assert response.context["rows"][4]["condition"] == "si Sujet = Voirie"
    assert "si Sujet = Voirie" in html
    assert "Formulaire publié : version 1" in html


def test_add_a_choice_field_with_choices_one_per_line(client, procedure):
    """« valeur|Libellé » keeps the value, a bare label gets a slug value."""
    response = client.post(
        _url("form-field-add", procedure),
        {
            "type": "choice",
            "label": "Quartier",
            "choices": "Centre bourg\nhameau_nord|Hameau du Nord\n",
            "required": "yes",
            "personal": "no",
            "placement-position": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#champ-quartier")
    fields = _draft_fields(procedure)
    assert fields[1] == {
        "type": "choice",
        "name": "quartier",
        "label": "Quartier",
        "required": True,
        "personal": False,
        "choices": [
            {"value": "centre_bourg", "label": "Centre bourg"},
            {"value": "hameau_nord", "label": "Hameau du Nord"},
        ],
    }


def test_personal_defaults_to_yes_for_a_text_field(client, procedure):
    """The add form preselects « donnée personnelle » for a short text."""
    response = client.get(_url("form-field-add", procedure) + "?type=text")
    assert response.context["form"]["personal"].initial == "yes"
    number = client.get(_url("form-field-add", procedure) + "?type=number")
    assert number.context["form"]["personal"].initial == "no"


def test_bad_input_is_shown_on_the_field_and_kept(client, procedure):
    """Duplicate choice values are refused on the field; the typed text stays."""
    response = client.post(
        _url("form-field-add", procedure),
        {"type": "multichoice", "label": "Jours", "choices": "Lundi\nlundi|Lundi bis"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["choices"] == [
        "« Lundi bis » et « Lundi » ont la même valeur « lundi »."
    ]
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert "Lundi\nlundi|Lundi bis" in html
    assert builder.current_draft(procedure) is None


def test_refused_add_leaves_no_empty_draft(client, procedure):
    """A name already used is refused by the service: message shown, no draft created."""
    response = client.post(
        _url("form-field-add", procedure),
        {"type": "text", "label": "Autre", "name": "details"},
    )
    assert response.status_code == 200
    assert "Le nom technique « details » est déjà utilisé par « Précisions »." in (
        response.content.decode()
    )
    assert builder.current_draft(procedure) is None


def test_edit_a_field_and_refused_rename_shows_the_condition(client, procedure):
    """Editing the label works; renaming the condition's driver is refused with its summary."""
    response = client.post(
        _url("form-field-edit", procedure, field_name="details"),
        {"label": "Décrivez le problème", "required": "yes", "name": "details"},
    )
    assert response.status_code == 302
    assert _draft_fields(procedure)[1]["label"] == "Décrivez le problème"
    response = client.post(
        _url("form-field-edit", procedure, field_name="topic"),
        {"label": "Sujet", "choices": "road|Voirie\nlighting|Éclairage", "name": "sujet"},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Le nom technique de « Sujet » ne peut pas changer : la condition de « Photo » "
        "(si Sujet = Voirie) en dépend. Modifiez d'abord cette condition."
    ]


def test_edit_form_shows_choices_as_lines(client, procedure):
    """Stored choices come back as « valeur|Libellé » lines when the value is not the label's."""
    response = client.get(_url("form-field-edit", procedure, field_name="topic"))
    assert response.context["form"]["choices"].value() == "road|Voirie\nlighting|Éclairage"


def test_unknown_field_is_not_found(client, procedure):
    """A field name the form does not have answers 404."""
    assert client.get(_url("form-field-edit", procedure, field_name="ghost")).status_code == 404
    assert client.get(_url("form-field-condition", procedure, field_name="a.b")).status_code == 404


def test_move_buttons(client, procedure):
    """« Descendre » then a refused « Monter » on the first field, with its message."""
    client.post(_url("form-field-move", procedure, field_name="topic"), {"direction": "down"})
    assert [item["name"] for item in _draft_fields(procedure)][:2] == ["details", "topic"]
    response = client.post(
        _url("form-field-move", procedure, field_name="details"), {"direction": "up"}, follow=True
    )
    assert "Ce champ est déjà le premier." in response.content.decode()


def test_delete_asks_then_removes(client, procedure):
    """The confirmation page, then the POST removes the field."""
    page = client.get(_url("form-field-delete", procedure, field_name="phone"))
    assert "Supprimer « Téléphone » ?" in page.content.decode()
    client.post(_url("form-field-delete", procedure, field_name="phone"))
    assert "phone" not in [item["name"] for item in _draft_fields(procedure)]


def test_delete_page_names_the_conditions_that_use_the_field(client, procedure):
    """Deleting the condition's driver is explained and refused."""
    page = client.get(_url("form-field-delete", procedure, field_name="topic"))
    assert "« Photo », affiché si Sujet = Voirie" in page.content.decode()
    response = client.post(_url("form-field-delete", procedure, field_name="topic"), follow=True)
    assert "ne peut pas être supprimé" in response.content.decode()
    assert builder.current_draft(procedure) is None


def test_condition_editor_buttons_then_save(client, procedure):
    """Add a row on « Sujet », add a group with « Précisions » then save: AND/OR JSON."""
    url = _url("form-field-condition", procedure, field_name="phone")
    step = client.post(url, {"action": "add", "main-op": "all", "add-main": "topic"})
    assert step.status_code == 200
    assert [row["kind"] for row in step.context["rows"]] == ["leaf"]
    assert builder.current_draft(procedure) is None  # buttons do not save
    base = {"main-op": "all", "r0-kind": "leaf", "r0-field": "topic", "r0-op": "equals"}
    step = client.post(url, {**base, "r0-value": "road", "action": "group"})
    assert step.context["rows"][1]["group"].op == "any"
    step = client.post(
        url,
        {
            **base,
            "r0-value": "road",
            "r1-kind": "group",
            "r1-op": "any",
            "add-r1": "details",
            "action": "add:r1",
        },
    )
    assert [leaf.row.field for leaf in step.context["rows"][1]["leaves"]] == ["details"]
    response = client.post(
        url,
        {
            **base,
            "r0-value": "road",
            "r1-kind": "group",
            "r1-op": "any",
            "r1-c0-kind": "leaf",
            "r1-c0-field": "details",
            "r1-c0-op": "filled",
            "r1-c1-kind": "leaf",
            "r1-c1-field": "full_name",
            "r1-c1-op": "equals",
            "r1-c1-value": "Camille",
            "action": "save",
        },
    )
    assert response.status_code == 302
    condition = _field(_draft(procedure).schema, "phone")["condition"]
    assert condition == {
        "all": [
            {"field": "topic", "op": "equals", "value": "road"},
            {
                "any": [
                    {"field": "details", "op": "filled"},
                    {"field": "full_name", "op": "equals", "value": "Camille"},
                ]
            },
        ]
    }
    assert evaluate(condition, {"topic": "road", "details": "", "full_name": "Camille"})
    assert not evaluate(condition, {"topic": "lighting", "details": "x", "full_name": "Camille"})


def test_condition_editor_refusal_keeps_the_rows(client, procedure):
    """A row without a value is not saved; the page shows the message and keeps the row."""
    response = client.post(
        _url("form-field-condition", procedure, field_name="phone"),
        {
            "main-op": "all",
            "r0-kind": "leaf",
            "r0-field": "topic",
            "r0-op": "equals",
            "action": "save",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Indiquez la valeur." in html
    assert 'name="r0-field" value="topic"' in html
    assert builder.current_draft(procedure) is None


def test_condition_clear(client, procedure):
    """« Retirer la condition » makes the field always shown."""
    client.post(_url("form-field-condition", procedure, field_name="photo"), {"action": "clear"})
    assert "condition" not in _field(_draft(procedure).schema, "photo")


def test_condition_page_of_the_first_field_explains_there_is_nothing_before(client, procedure):
    """The first field has no question before it to depend on."""
    response = client.get(_url("form-field-condition", procedure, field_name="topic"))
    assert "Aucune question n'est posée avant ce champ" in response.content.decode()


def test_repeat_block_page_adds_and_edits_sub_fields(client, procedure):
    """A repeat block is created with its first question; its own page adds another."""
    response = client.post(
        _url("form-field-add", procedure),
        {
            "type": "repeat",
            "label": "Enfants",
            "first_sub_label": "Prénom",
            "min_items": "1",
            "max_items": "6",
        },
    )
    assert response.status_code == 302
    block = _draft_fields(procedure)[-1]
    assert block == {
        "type": "repeat",
        "name": "enfants",
        "label": "Enfants",
        "personal": True,
        "min_items": 1,
        "max_items": 6,
        "fields": [{"type": "text", "name": "prenom", "label": "Prénom"}],
    }
    page = client.get(_url("form-repeat", procedure, field_name="enfants"))
    assert page.status_code == 200
    assert [row["path"] for row in page.context["rows"]] == ["enfants.prenom"]
    assert "Saut de page" not in [label for _value, label, _hint in page.context["type_options"]]
    response = client.post(
        _url("form-field-add", procedure),
        {"type": "date", "bloc": "enfants", "label": "Date de naissance", "required": "yes"},
    )
    assert response["Location"].endswith("/champs/enfants/bloc/#champ-date_de_naissance")
    assert [item["name"] for item in _draft_fields(procedure, "enfants")] == [
        "prenom",
        "date_de_naissance",
    ]
    client.post(
        _url("form-field-edit", procedure, field_name="enfants.prenom"),
        {"label": "Prénom de l'enfant", "name": "prenom"},
    )
    assert _draft_fields(procedure, "enfants")[0]["label"] == "Prénom de l'enfant"


def test_json_download_and_upload(client, procedure):
    """The form downloads as JSON; a valid upload replaces the draft."""
    download = client.get(_url("form-json-download", procedure))
    assert download["Content-Disposition"] == (
        'attachment; filename="formulaire-contact-publie.json"'
    )
    assert json.loads(download.content) == SIMPLE_SCHEMA
    schema = {"fields": [{"type": "email", "name": "email", "label": "Courriel"}]}
    upload = SimpleUploadedFile("f.json", json.dumps(schema).encode(), "application/json")
    response = client.post(_url("form-json", procedure), {"file": upload})
    assert response.status_code == 302
    assert _draft(procedure).schema == schema


def test_json_upload_refusals(client, procedure):
    """Malformed JSON, non-UTF-8 and an invalid form are refused with a message; no draft."""
    malformed = client.post(_url("form-json", procedure), {"text": '{"fields": [}'})
    assert malformed.context["form"].errors["text"] == [
        "JSON mal formé, ligne 1, colonne 13 : Expecting value."
    ]
    latin = SimpleUploadedFile("f.json", '{"é": 1}'.encode("latin-1"), "application/json")
    assert client.post(_url("form-json", procedure), {"file": latin}).context["form"].errors[
        "file"
    ] == ["Ce fichier n'est pas du texte UTF-8."]
    invalid = client.post(
        _url("form-json", procedure), {"text": '{"fields": [{"type": "bogus", "name": "a"}]}'}
    )
    assert invalid.context["refusal"] == ["Champ « a » : type inconnu « bogus »."]
    assert builder.current_draft(procedure) is None


def test_discard_page(client, procedure, agent_a):
    """Discarding asks first, then removes the draft."""
    draft = builder.draft_open(procedure=procedure, actor=agent_a)
    builder.field_remove(draft=draft, field_name="phone")
    page = client.get(_url("form-discard", procedure))
    assert page.context["changes"].removed == ["Téléphone"]
    client.post(_url("form-discard", procedure))
    assert builder.current_draft(procedure) is None


def test_preview_query_count(client, procedure, django_assert_max_num_queries):
    """The preview does not query per path."""
    with django_assert_max_num_queries(11 + rls_scope_queries()):
        response = client.get(_url("form-preview", procedure))
    assert len(response.context["paths"]) == 2


def test_condition_of_a_field_inside_a_block_uses_the_fields_before_it(client, procedure, agent_a):
    """A block's field may depend on the form's fields before the block and on the block's
    fields before it; the editor offers exactly those."""
    draft = builder.draft_open(procedure=procedure, actor=agent_a)
    builder.field_add(
        draft=draft,
        spec_dict={
            "type": "repeat",
            "label": "Enfants",
            "fields": [
                {"type": "checkbox", "name": "canteen", "label": "Cantine"},
                {"type": "text", "name": "diet", "label": "Régime alimentaire"},
            ],
        },
    )
    url = _url("form-field-condition", procedure, field_name="enfants.diet")
    page = client.get(url)
    assert [name for name, _label in page.context["drivers"]] == [
        "topic",
        "details",
        "full_name",
        "phone",
        "photo",
        "canteen",
    ]
    response = client.post(
        url,
        {"r0-kind": "leaf", "r0-field": "canteen", "r0-op": "checked", "action": "save"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/champs/enfants/bloc/#champ-diet")
    assert _field(_draft(procedure).schema, "diet", "enfants")["condition"] == {
        "field": "canteen",
        "op": "checked",
    }
    block_page = client.get(_url("form-repeat", procedure, field_name="enfants"))
    assert block_page.context["rows"][1]["condition"] == "si Cantine : coché"


EVERY_TYPE: dict[str, Any] = {
    "fields": [
        {"type": "page", "name": "first", "label": "Votre demande"},
        {"type": "section", "name": "about", "label": "À propos"},
        {"type": "help", "name": "intro", "help": "Lisez ceci."},
        {"type": "text", "name": "t", "label": "Texte", "pattern": "^[0-9]{5}$"},
        {"type": "textarea", "name": "ta", "label": "Long", "max_length": 900},
        {"type": "number", "name": "n", "label": "Nombre", "min": 1, "max": 9, "integer": True},
        {"type": "date", "name": "d", "label": "Date", "date_range": "past"},
        {"type": "email", "name": "e", "label": "Courriel"},
        {"type": "phone", "name": "p", "label": "Téléphone"},
        {"type": "choice", "name": "c", "label": "Choix", "choices": ["a", "b"]},
        {"type": "multichoice", "name": "m", "label": "Plusieurs", "choices": ["x", "y"]},
        {"type": "checkbox", "name": "k", "label": "J'accepte"},
        {"type": "address", "name": "a", "label": "Adresse", "with_coordinates": True},
        {"type": "file", "name": "f", "label": "Fichier", "file_kinds": ["pdf"], "max_files": 2},
        {
            "type": "repeat",
            "name": "r",
            "label": "Bloc",
            "fields": [{"type": "text", "name": "s", "label": "Sous"}],
        },
    ]
}


def test_every_type_has_an_add_and_an_edit_page_that_round_trip(client, commune_a):
    """Each type's add page renders; each field's edit page, sent back unchanged, leaves the
    form as it was (same settings, perhaps written another way)."""
    procedure = make_procedure(commune_a, slug="tous-types", schema=EVERY_TYPE)
    for field_type in builder.FIELD_TYPE_LABELS:
        add = client.get(_url("form-field-add", procedure) + f"?type={field_type}")
        assert add.status_code == 200, field_type
    for item in EVERY_TYPE["fields"]:
        url = _url("form-field-edit", procedure, field_name=item["name"])
        page = client.get(url)
        assert page.status_code == 200, item["name"]
        form = page.context["form"]
        data: dict[str, Any] = {}
        for bound in form:
            value = bound.value()
            if isinstance(value, list):
                data[bound.html_name] = value
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif value is not None:
                data[bound.html_name] = value
        response = client.post(url, data)
        assert response.status_code == 302, (item["name"], response.context["form"].errors)
    assert builder.schema_changes(EVERY_TYPE, _draft(procedure).schema).is_empty
