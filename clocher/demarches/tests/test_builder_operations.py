"""Builder operations on the draft: open, add, update, move, remove, conditions, discard — and
the refusals that keep the form valid, with messages that name what is wrong."""

from __future__ import annotations

import pytest

from clocher.demarches.formschema import parse_schema
from clocher.demarches.models import FormVersion
from clocher.demarches.services import builder
from clocher.demarches.services.builder import BuilderRefused
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
def draft(procedure, agent_a):
    return builder.draft_open(procedure=procedure, actor=agent_a)


def _names(draft, parent=None):
    draft.refresh_from_db()
    return [item["name"] for item in builder.fields_of(draft.schema, parent)]


def test_first_edit_opens_one_draft_copied_from_the_published_form(procedure, agent_a):
    """The draft is version 2, unpublished, a copy of version 1; opening again returns it."""
    draft = builder.draft_open(procedure=procedure, actor=agent_a)
    again = builder.draft_open(procedure=procedure, actor=agent_a)
    assert again.pk == draft.pk
    assert (draft.number, draft.published_at, draft.created_by) == (2, None, agent_a)
    assert draft.schema == SIMPLE_SCHEMA
    assert FormVersion.objects.filter(procedure=procedure, published_at__isnull=True).count() == 1
    assert _draft(procedure).pk == draft.pk


def test_field_add_inserts_at_the_position_with_a_name_from_its_label(draft):
    """A field without a name gets one made from its label, placed where asked."""
    name = builder.field_add(
        draft=draft,
        spec_dict={"type": "text", "label": "Numéro du lampadaire", "personal": False},
        position=1,
    )
    assert name == "numero_du_lampadaire"
    assert _names(draft) == [
        "topic",
        "numero_du_lampadaire",
        "details",
        "full_name",
        "phone",
        "photo",
    ]


def test_field_add_makes_a_second_name_unique(draft):
    """Two fields with the same label get distinct names."""
    first = builder.field_add(draft=draft, spec_dict={"type": "date", "label": "Date"})
    second = builder.field_add(draft=draft, spec_dict={"type": "date", "label": "Date"})
    assert (first, second) == ("date", "date_2")


def test_field_add_refuses_a_duplicate_name_naming_the_other_field(draft):
    """A technical name already used is refused with the label of the field that has it."""
    with pytest.raises(BuilderRefused) as refused:
        builder.field_add(draft=draft, spec_dict={"type": "text", "name": "details", "label": "X"})
    assert refused.value.errors == [
        "Le nom technique « details » est déjà utilisé par « Précisions »."
    ]
    assert _names(draft) == ["topic", "details", "full_name", "phone", "photo"]


def test_field_add_refuses_what_breaks_the_schema_and_keeps_the_draft(draft):
    """A choice field without choices is refused with the schema's message; nothing saved."""
    before = dict(draft.schema)
    with pytest.raises(BuilderRefused) as refused:
        builder.field_add(draft=draft, spec_dict={"type": "choice", "label": "Genre"})
    assert refused.value.errors == ["Champ « genre » : il faut au moins un choix."]
    draft.refresh_from_db()
    assert draft.schema == before


def test_field_add_refuses_a_forbidden_type_in_a_repeat_block(draft):
    """A page break cannot go inside a repeatable block."""
    builder.field_add(
        draft=draft,
        spec_dict={
            "type": "repeat",
            "label": "Enfants",
            "fields": [{"type": "text", "name": "first_name", "label": "Prénom"}],
        },
    )
    with pytest.raises(BuilderRefused) as refused:
        builder.field_add(
            draft=draft, spec_dict={"type": "page", "label": "Suite"}, parent="enfants"
        )
    assert refused.value.errors == ["Un bloc répétable ne peut pas contenir de « Saut de page »."]


def test_field_add_inside_a_repeat_block(draft):
    """A sub-field goes into the block; its personal flag is the block's."""
    builder.field_add(
        draft=draft,
        spec_dict={
            "type": "repeat",
            "label": "Enfants",
            "personal": True,
            "fields": [{"type": "text", "name": "first_name", "label": "Prénom"}],
        },
    )
    name = builder.field_add(
        draft=draft,
        spec_dict={"type": "date", "label": "Date de naissance", "personal": True},
        parent="enfants",
    )
    assert _names(draft, "enfants") == ["first_name", "date_de_naissance"]
    assert "personal" not in _field(draft.schema, name, "enfants")


def test_field_update_keeps_the_condition_and_refuses_a_type_change(draft):
    """Updating the label keeps the condition; changing the type is refused."""
    builder.field_update(
        draft=draft,
        field_name="photo",
        spec_dict={"type": "file", "label": "Photo du problème", "file_kinds": ["image"]},
    )
    photo = _field(draft.schema, "photo")
    assert photo["label"] == "Photo du problème"
    assert photo["condition"] == {"field": "topic", "op": "equals", "value": "road"}
    with pytest.raises(BuilderRefused) as refused:
        builder.field_update(
            draft=draft, field_name="photo", spec_dict={"type": "text", "label": "Photo"}
        )
    assert refused.value.errors == [
        "Le type d'un champ ne change pas : ajoutez un nouveau champ du type voulu, puis "
        "supprimez celui-ci."
    ]


def test_field_update_keeps_keys_the_builder_does_not_edit(draft):
    """A key the builder has no form for (written in JSON) survives an edit; a managed key left
    out (here the maximum length) is cleared."""
    draft.schema["fields"][1].update({"max_length": 800, "autocomplete": "off"})
    draft.save()
    builder.field_update(
        draft=draft,
        field_name="details",
        spec_dict={"type": "textarea", "label": "Précisions", "required": True},
    )
    draft.refresh_from_db()
    assert _field(draft.schema, "details") == {
        "type": "textarea",
        "name": "details",
        "label": "Précisions",
        "required": True,
        "autocomplete": "off",
    }


def test_renaming_a_field_used_by_a_condition_is_refused_naming_the_condition(draft):
    """« topic » drives the photo's condition: its name cannot change."""
    with pytest.raises(BuilderRefused) as refused:
        builder.field_update(
            draft=draft,
            field_name="topic",
            spec_dict={
                "type": "choice",
                "name": "subject",
                "label": "Sujet",
                "choices": [
                    {"value": "road", "label": "Voirie"},
                    {"value": "lighting", "label": "Éclairage"},
                ],
            },
        )
    assert refused.value.errors == [
        "Le nom technique de « Sujet » ne peut pas changer : la condition de « Photo » "
        "(si Sujet = Voirie) en dépend. Modifiez d'abord cette condition."
    ]
    assert _names(draft)[0] == "topic"


def test_removing_a_choice_a_condition_uses_is_refused(draft):
    """The photo's condition needs the « road » choice: dropping it breaks the form."""
    with pytest.raises(BuilderRefused) as refused:
        builder.field_update(
            draft=draft,
            field_name="topic",
            spec_dict={
                "type": "choice",
                "label": "Sujet",
                "choices": [{"value": "lighting", "label": "Éclairage"}],
            },
        )
    assert refused.value.errors == [
        "Condition de « photo » : « road » n'est pas un choix de « topic »."
    ]


def test_field_move_swaps_with_the_neighbour(draft):
    """Moving « details » down puts it after « full_name »."""
    builder.field_move(draft=draft, field_name="details", direction="down")
    assert _names(draft) == ["topic", "full_name", "details", "phone", "photo"]
    builder.field_move(draft=draft, field_name="details", direction="up")
    assert _names(draft) == ["topic", "details", "full_name", "phone", "photo"]


def test_field_move_refuses_at_the_edges(draft):
    """The first field cannot go up, the last cannot go down."""
    with pytest.raises(BuilderRefused) as up:
        builder.field_move(draft=draft, field_name="topic", direction="up")
    with pytest.raises(BuilderRefused) as down:
        builder.field_move(draft=draft, field_name="photo", direction="down")
    assert up.value.errors == ["Ce champ est déjà le premier."]
    assert down.value.errors == ["Ce champ est déjà le dernier."]


def test_field_move_refuses_to_put_a_condition_before_its_field(draft):
    """Moving the photo above « topic », which its condition looks at, is refused."""
    builder.field_move(draft=draft, field_name="photo", direction="up")
    builder.field_move(draft=draft, field_name="photo", direction="up")
    builder.field_move(draft=draft, field_name="photo", direction="up")
    with pytest.raises(BuilderRefused) as refused:
        builder.field_move(draft=draft, field_name="photo", direction="up")
    assert refused.value.errors == [
        "Ce déplacement casserait une condition.",
        "Condition de « photo » : elle dépend de « topic », qui vient après dans le formulaire.",
    ]
    assert _names(draft) == ["topic", "photo", "details", "full_name", "phone"]


def test_field_remove_deletes_a_field(draft):
    """Removing « phone » takes it out of the draft only."""
    builder.field_remove(draft=draft, field_name="phone")
    assert _names(draft) == ["topic", "details", "full_name", "photo"]
    assert "phone" in [item["name"] for item in draft.procedure.current_form.schema["fields"]]


def test_field_remove_refuses_a_field_a_condition_uses(draft):
    """« topic » drives the photo: it cannot be removed, the message names the condition."""
    with pytest.raises(BuilderRefused) as refused:
        builder.field_remove(draft=draft, field_name="topic")
    assert refused.value.errors == [
        "« Sujet » ne peut pas être supprimé : la condition de « Photo » (si Sujet = Voirie) "
        "en dépend. Modifiez d'abord cette condition."
    ]


def test_field_remove_refuses_the_last_field_of_a_block(draft):
    """A repeatable block keeps at least one field."""
    builder.field_add(
        draft=draft,
        spec_dict={
            "type": "repeat",
            "label": "Enfants",
            "fields": [{"type": "text", "name": "first_name", "label": "Prénom"}],
        },
    )
    with pytest.raises(BuilderRefused) as refused:
        builder.field_remove(draft=draft, field_name="first_name", parent="enfants")
    assert "Un bloc répétable garde au moins un champ" in refused.value.errors[0]


def test_unknown_field_is_refused(draft):
    """An operation on a name the draft does not have says so."""
    with pytest.raises(BuilderRefused) as refused:
        builder.field_remove(draft=draft, field_name="nope")
    assert refused.value.errors == ["Le champ « nope » n'existe pas dans le brouillon."]


def test_condition_set_stores_an_and_or_group(draft):
    """A nested AND/OR condition is stored as given, and the form stays valid."""
    condition = {
        "all": [
            {"field": "topic", "op": "equals", "value": "road"},
            {"any": [{"field": "details", "op": "filled"}, {"field": "full_name", "op": "empty"}]},
        ]
    }
    builder.condition_set(draft=draft, field_name="phone", condition=condition)
    draft.refresh_from_db()
    assert _field(draft.schema, "phone")["condition"] == condition
    parse_schema(draft.schema)


def test_condition_set_refuses_a_later_field_a_missing_one_and_a_forged_choice(draft):
    """Conditions on a later field, an unknown field or a choice that does not exist are
    refused with the schema's messages."""
    cases = {
        "later": {"field": "phone", "op": "filled"},
        "missing": {"field": "ghost", "op": "filled"},
        "forged": {"field": "topic", "op": "equals", "value": "forged"},
    }
    errors = {}
    for key, condition in cases.items():
        with pytest.raises(BuilderRefused) as refused:
            builder.condition_set(draft=draft, field_name="details", condition=condition)
        errors[key] = refused.value.errors
    assert errors == {
        "later": [
            "Condition de « details » : elle dépend de « phone », qui vient après dans le "
            "formulaire."
        ],
        "missing": ["Condition de « details » : le champ « ghost » n'existe pas."],
        "forged": ["Condition de « details » : « forged » n'est pas un choix de « topic »."],
    }
    assert "condition" not in _field(draft.schema, "details")


def test_condition_set_none_clears_it(draft):
    """Without a condition, the field is always shown."""
    builder.condition_set(draft=draft, field_name="photo", condition=None)
    draft.refresh_from_db()
    assert "condition" not in _field(draft.schema, "photo")


def test_condition_set_refuses_an_empty_group(draft):
    """An « any » group without any condition is refused."""
    with pytest.raises(BuilderRefused) as refused:
        builder.condition_set(draft=draft, field_name="photo", condition={"any": []})
    assert refused.value.errors == ["Un groupe de conditions doit contenir au moins une condition."]


def test_draft_discard_removes_it_and_keeps_the_published_form(procedure, draft):
    """Discarding deletes the draft; the published version is untouched."""
    builder.field_remove(draft=draft, field_name="phone")
    builder.draft_discard(draft=draft)
    assert builder.current_draft(procedure) is None
    procedure.refresh_from_db()
    assert procedure.current_form.schema == SIMPLE_SCHEMA


def test_a_published_version_cannot_be_edited(procedure):
    """Operations on a published version are refused."""
    published = procedure.current_form
    with pytest.raises(BuilderRefused) as refused:
        builder.field_remove(draft=published, field_name="phone")
    assert refused.value.errors == [
        "Cette version du formulaire est publiée : elle ne peut plus être modifiée."
    ]
    with pytest.raises(BuilderRefused):
        builder.draft_discard(draft=published)


def test_personal_by_default_for_identifying_types():
    """Text, e-mail, phone, address, date (and repeat blocks) are personal unless said not."""
    personal = {kind for kind in builder.FIELD_TYPE_LABELS if builder.is_personal_by_default(kind)}
    assert personal == {"text", "email", "phone", "address", "date", "repeat"}


def test_draft_replace_checks_the_whole_json(procedure, agent_a):
    """An uploaded form replaces the draft when valid; a broken one is refused untouched."""
    with pytest.raises(BuilderRefused) as refused:
        builder.draft_replace(
            procedure=procedure,
            actor=agent_a,
            schema={"fields": [{"type": "text", "name": "a", "label": "A"}] * 2},
        )
    assert refused.value.errors == ["Le nom « a » est utilisé deux fois."]
    assert builder.current_draft(procedure) is None
    builder.draft_replace(
        procedure=procedure,
        actor=agent_a,
        schema={"fields": [{"type": "text", "name": "a", "label": "A"}]},
    )
    assert _draft(procedure).schema == {"fields": [{"type": "text", "name": "a", "label": "A"}]}
