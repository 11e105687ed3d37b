"""The built-in templates: valid forms, every conditional path reachable, legal facts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from clocher.demarches.catalogue import BUILT_IN, built_in
from clocher.demarches.formschema import (
    FIELD_TYPES,
    FieldSpec,
    FormSchema,
    enumerate_paths,
    parse_schema,
    validate_submission,
    visible_fields,
)
from clocher.demarches.models import Family, SilenceRule

SLUGS = [template.slug for template in BUILT_IN]
TODAY = datetime.date(2026, 3, 10)
PATTERN_SAMPLES = {"W[0-9]{9}": "W123456789", "[0-9]{14}": "12345678901234"}
EMPTY_ANSWERS = {"sans réponse", "vide", "aucun choix", "renseigné"}


def _sample(spec: FieldSpec) -> Any:
    """A valid answer for a field that does not drive any condition."""
    if spec.type in ("text", "textarea"):
        return PATTERN_SAMPLES.get(spec.pattern, "Exemple")
    if spec.type == "email":
        return "exemple@exemple.fr"
    if spec.type == "phone":
        return "03 80 00 00 00"
    if spec.type == "number":
        return int(spec.min_value) if spec.min_value is not None else 1
    if spec.type == "date":
        days = {"past": -3650, "future": 30}.get(spec.date_range, 0)
        return (TODAY + datetime.timedelta(days=days)).isoformat()
    if spec.type == "choice":
        return spec.choices[0].value
    if spec.type == "multichoice":
        return [spec.choices[0].value]
    if spec.type == "checkbox":
        return True
    if spec.type == "address":
        return {"text": "1 place de la Mairie"}
    if spec.type == "file":
        return [{"file": "00000000-0000-0000-0000-000000000001", "name": "a.jpg", "size": 10}]
    if spec.type == "repeat":
        item = {sub.name: _sample(sub) for sub in spec.fields if sub.has_value and sub.required}
        return [item] * max(spec.min_items, 1)
    raise AssertionError(spec.type)


def _answer(spec: FieldSpec, label: str) -> Any:
    """The value behind an answer label of a path (see ``conditions._candidates``)."""
    if spec.type == "checkbox":
        return label == "cochée"
    if spec.type in ("choice", "multichoice"):
        value = next(choice.value for choice in spec.choices if choice.label == label)
        return [value] if spec.type == "multichoice" else value
    if spec.type == "number":
        return float(label)
    return label


def _reach(schema: FormSchema, answers: tuple[tuple[str, str], ...]) -> dict[str, Any] | None:
    """A complete submission that follows the path, or None when the path needs a required
    driver left empty (which validation refuses, as it should)."""
    by_label = {spec.label: spec for spec in schema.fields if spec.has_value}
    values: dict[str, Any] = {}
    for label, answer in answers:
        spec = by_label[label]
        if answer in EMPTY_ANSWERS:
            if spec.required:
                return None
            continue
        values[spec.name] = _answer(spec, answer)
    for spec in visible_fields(schema, values):
        needed = spec.required or (spec.type == "repeat" and spec.min_items > 0)
        if spec.has_value and spec.name not in values and needed:
            values[spec.name] = _sample(spec)
    return values


@pytest.mark.parametrize("slug", SLUGS)
def test_every_path_is_reached_by_a_valid_submission(slug):
    """Each previewed path is reached by a submission that validates, and shows its fields."""
    schema = parse_schema(built_in(slug).schema)
    paths, truncated = enumerate_paths(schema)
    assert not truncated
    reached: set[str] = set()
    for path in paths:
        values = _reach(schema, path.answers)
        if values is None:
            continue
        result = validate_submission(schema, values, today=TODAY)
        assert result.errors == {}, (path.description, result.errors)
        shown = [spec.name for spec in visible_fields(schema, values)]
        assert shown == [spec.name for spec in path.fields], path.description
        reached.update(shown)
    assert reached == {spec.name for spec in schema.fields}


@pytest.mark.parametrize("slug", SLUGS)
def test_forms_use_pages_or_sections_and_conditions(slug):
    """Every built-in form is structured and has conditional questions."""
    schema = parse_schema(built_in(slug).schema)
    types = {spec.type for spec in schema.fields}
    assert types & {"page", "section"}
    assert any(spec.condition for spec in schema.fields)


def test_catalogue_covers_every_field_type_and_and_or_conditions():
    """Together, the templates use every field type, AND and OR conditions and repeat blocks."""
    types: set[str] = set()
    groups: set[str] = set()
    for template in BUILT_IN:
        for spec in parse_schema(template.schema).fields:
            types.add(spec.type)
            types.update(sub.type for sub in spec.fields)
            groups.update(key for key in ("all", "any") if key in (spec.condition or {}))
    # The citizen's e-mail is asked by the submission itself (acknowledgment), not by the forms.
    assert types == set(FIELD_TYPES) - {"email"}
    assert groups == {"all", "any"}


def test_families_and_silence_rules():
    """Each template has its family and the meaning of silence the law gives it."""
    facts = {
        template.slug: (template.family, template.silence_rule, template.silence_delay_months)
        for template in BUILT_IN
    }
    assert facts == {
        "signalement": (Family.ROADS, SilenceRule.NOT_APPLICABLE, 2),
        "reservation-salle": (Family.FACILITIES, SilenceRule.REFUSAL, 2),
        "acte-etat-civil": (Family.CIVIL_STATUS, SilenceRule.REFUSAL, 2),
        "concession-funeraire": (Family.FUNERAL, SilenceRule.REFUSAL, 2),
        "renouvellement-concession": (Family.FUNERAL, SilenceRule.ACCEPTANCE, 2),
        "exhumation": (Family.FUNERAL, SilenceRule.REFUSAL, 2),
        "ayant-droit-concession": (Family.FUNERAL, SilenceRule.NOT_APPLICABLE, 2),
        "inscription-cantine-periscolaire": (Family.SCHOOL, SilenceRule.ACCEPTANCE, 2),
        "aide-sociale-ccas": (Family.SOCIAL, SilenceRule.REFUSAL, 2),
        "rendez-vous-maire": (Family.GENERAL, SilenceRule.NOT_APPLICABLE, 2),
        "contact": (Family.GENERAL, SilenceRule.NOT_APPLICABLE, 2),
    }


@pytest.mark.parametrize("template", BUILT_IN, ids=SLUGS)
def test_legal_texts_are_filled(template):
    """Legal basis, acknowledgment text, retention and processing delay are all given."""
    assert template.legal_basis.strip()
    assert template.acknowledgment_text.strip()
    assert 12 <= template.retention_months <= 120
    assert 1 <= template.processing_days <= 30


@pytest.mark.parametrize("slug", SLUGS)
def test_identity_and_contact_fields_are_personal(slug):
    """Names, phones, addresses, birth dates and files are flagged personal everywhere."""
    not_personal = []
    for spec in parse_schema(built_in(slug).schema).fields:
        identifying = spec.type in ("phone", "address") and not spec.with_coordinates
        identifying |= spec.type in ("file", "repeat")
        identifying |= "name" in spec.name and spec.name not in ("organisation_name", "pole_number")
        identifying |= "birth_date" in spec.name
        if identifying and not spec.personal:
            not_personal.append(spec.name)
    assert not_personal == []


def test_social_request_keeps_only_kinds_of_help_in_clear():
    """The CCAS form leaves nothing about the household outside the sealed values."""
    schema = parse_schema(built_in("aide-sociale-ccas").schema)
    clear = [spec.name for spec in schema.input_fields() if not spec.personal]
    assert clear == ["help_kinds", "urgent", "contact_preference", "consent"]
