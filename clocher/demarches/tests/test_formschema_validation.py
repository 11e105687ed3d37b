"""Validating submissions: types, limits, forged values, hidden fields, repeat blocks."""

import datetime

import pytest

from clocher.demarches.formschema import SchemaError, parse_schema, validate_submission

SCHEMA = parse_schema(
    {
        "fields": [
            {"type": "text", "name": "name", "label": "Nom", "required": True, "personal": True},
            {
                "type": "number",
                "name": "count",
                "label": "Nombre",
                "min": 1,
                "max": 10,
                "integer": True,
            },
            {"type": "date", "name": "day", "label": "Jour", "date_range": "future"},
            {"type": "email", "name": "mail", "label": "E-mail", "personal": True},
            {"type": "choice", "name": "kind", "label": "Type", "choices": ["a", "b"]},
            {"type": "multichoice", "name": "tags", "label": "Tags", "choices": ["x", "y"]},
            {"type": "checkbox", "name": "consent", "label": "J'accepte", "required": True},
            {
                "type": "text",
                "name": "only_b",
                "label": "Si b",
                "required": True,
                "condition": {"field": "kind", "op": "equals", "value": "b"},
            },
            {
                "type": "repeat",
                "name": "children",
                "label": "Enfants",
                "max_items": 2,
                "personal": True,
                "fields": [
                    {"type": "text", "name": "first_name", "label": "Prénom", "required": True},
                ],
            },
        ]
    }
)
TODAY = datetime.date(2026, 11, 22)


def _validate(data):
    return validate_submission(SCHEMA, data, today=TODAY)


def test_valid_submission_splits_personal_from_other_values():
    """Personal values go apart from the others, cleaned to their types."""
    result = _validate(
        {
            "name": " Léa ",
            "count": "3",
            "day": "01/12/2026",
            "kind": "a",
            "tags": ["y"],
            "consent": "on",
            "children": [{"first_name": "Tom"}],
        }
    )
    assert result.errors == {}
    assert result.personal == {"name": "Léa", "children": [{"first_name": "Tom"}]}
    assert result.values == {
        "count": 3,
        "day": "2026-12-01",
        "kind": "a",
        "tags": ["y"],
        "consent": True,
    }


def test_each_bad_value_gets_its_own_message():
    """Wrong types, limits, forged choices and unknown fields each get an error on the field."""
    result = _validate(
        {
            "name": "x" * 300,
            "count": 11,
            "day": "2020-01-01",
            "mail": "pas une adresse",
            "kind": "z",
            "tags": ["x", "evil"],
            "consent": False,
            "hacker": "1",
            "children": [{"first_name": ""}, {"first_name": "a"}, {"first_name": "b"}],
        }
    )
    assert set(result.errors) == {
        "name",
        "count",
        "day",
        "mail",
        "kind",
        "tags",
        "consent",
        "hacker",
        "children",
    }


def test_hidden_fields_are_neither_required_nor_kept():
    """A field hidden by its condition is not required and its value is dropped."""
    shown = _validate({"name": "A", "consent": True, "kind": "b"})
    assert shown.errors == {"only_b": ["Ce champ est obligatoire."]}
    hidden = _validate({"name": "A", "consent": True, "kind": "a", "only_b": "sneaky"})
    assert hidden.errors == {}
    assert "only_b" not in hidden.all_values


def test_repeat_item_errors_name_the_item():
    """An error inside a repeatable block names the item and the field."""
    result = _validate({"name": "A", "consent": True, "children": [{"first_name": ""}]})
    assert result.errors == {"children.1.first_name": ["Ce champ est obligatoire."]}


def test_non_object_data_is_refused_with_a_message():
    """Data that is not an object is one clear error, not an exception."""
    assert "__all__" in _validate(["not", "a", "dict"]).errors


def test_schema_errors_name_the_field():
    """A broken form lists each problem naming its field."""
    with pytest.raises(SchemaError) as caught:
        parse_schema(
            {
                "fields": [
                    {"type": "wat", "name": "a", "label": "A"},
                    {
                        "type": "text",
                        "name": "b",
                        "label": "B",
                        "condition": {"field": "c", "op": "filled"},
                    },
                    {"type": "text", "name": "c", "label": "C"},
                ]
            }
        )
    assert len(caught.value.errors) == 2
    assert "wat" in caught.value.errors[0]
    assert "« c »" in caught.value.errors[1]
