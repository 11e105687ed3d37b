"""Conditions in rendering: decided between pages, hinted within a page, described in French."""

from clocher.demarches.formschema import parse_schema
from clocher.demarches.formschema.rendering import (
    describe_condition,
    next_page,
    page_view,
    previous_page,
)

SCHEMA = {
    "fields": [
        {"type": "choice", "name": "kind", "label": "Type", "choices": ["birth", "death"]},
        {"type": "checkbox", "name": "full", "label": "Copie intégrale"},
        {
            "type": "text",
            "name": "father",
            "label": "Père",
            "condition": {
                "all": [
                    {"field": "full", "op": "checked"},
                    {
                        "any": [
                            {"field": "kind", "op": "equals", "value": "birth"},
                            {"field": "kind", "op": "equals", "value": "death"},
                        ]
                    },
                ]
            },
        },
        {
            "type": "page",
            "name": "death_page",
            "label": "Décès",
            "condition": {"field": "kind", "op": "equals", "value": "death"},
        },
        {"type": "date", "name": "died_on", "label": "Date du décès"},
        {
            "type": "text",
            "name": "place",
            "label": "Lieu",
            "condition": {"field": "full", "op": "checked"},
        },
        {"type": "page", "name": "end", "label": "Fin"},
        {"type": "text", "name": "name", "label": "Nom"},
    ]
}


def test_a_same_page_condition_is_hinted_in_french():
    """AND/OR conditions on the same page become a readable hint and a live condition."""
    view = page_view(parse_schema(SCHEMA), 0, {})
    father = view.fields[2]
    assert father.hint == (
        "(à remplir seulement si la case « Copie intégrale » est cochée et "
        "(« Type » est « birth » ou « Type » est « death »))"
    )
    assert '"op": "checked"' in father.condition


def test_an_earlier_page_condition_is_decided_on_the_server():
    """On page 1, the field conditioned on page 0's checkbox is shown or not rendered."""
    schema = parse_schema(SCHEMA)
    shown = page_view(schema, 1, {"kind": "death", "full": True})
    hidden = page_view(schema, 1, {"kind": "death", "full": False})
    assert [f.spec.name for f in shown.fields] == ["died_on", "place"]
    assert shown.fields[1].hint == ""
    assert [f.spec.name for f in hidden.fields] == ["died_on"]


def test_navigation_skips_pages_whose_condition_fails():
    """Births skip the death page both ways."""
    schema = parse_schema(SCHEMA)
    assert next_page(schema, 0, {"kind": "birth"}) == 2
    assert next_page(schema, 0, {"kind": "death"}) == 1
    assert previous_page(schema, 2, {"kind": "birth"}) == 0
    assert next_page(schema, 2, {"kind": "birth"}) is None


def test_describe_every_operator():
    """Each operator reads as French."""
    schema = parse_schema(SCHEMA)
    cases = {
        "not_equals": "« Type » n'est pas « birth »",
        "in": "« Type » est « birth » ou « death »",
        "filled": "« Type » est rempli",
        "empty": "« Type » est vide",
        "gt": "« Type » est supérieur à 3",
        "lt": "« Type » est inférieur à 3",
    }
    for operator, expected in cases.items():
        value = ["birth", "death"] if operator == "in" else ("birth" if "equals" in operator else 3)
        condition = {"field": "kind", "op": operator, "value": value}
        assert describe_condition(condition, schema) == expected
    unchecked = {"field": "full", "op": "not_checked"}
    assert describe_condition(unchecked, schema) == "la case « Copie intégrale » n'est pas cochée"
