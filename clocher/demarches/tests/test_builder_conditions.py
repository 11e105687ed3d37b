"""The condition editor: rows and groups read from a POST become AND/OR JSON that ``evaluate``
honours, the buttons add and remove rows, bad rows get a message; and the plain-French summary."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from clocher.demarches.forms_builder import ConditionEditor
from clocher.demarches.formschema import evaluate, parse_schema
from clocher.demarches.services.builder import describe_condition

SCHEMA: dict[str, Any] = {
    "fields": [
        {
            "type": "choice",
            "name": "kind",
            "label": "Type",
            "choices": [
                {"value": "road", "label": "Voirie"},
                {"value": "lighting", "label": "Éclairage"},
                {"value": "dumping", "label": "Dépôt sauvage"},
            ],
        },
        {"type": "file", "name": "photo", "label": "Photo"},
        {"type": "checkbox", "name": "urgent", "label": "Urgent"},
        {"type": "number", "name": "size", "label": "Taille"},
        {"type": "text", "name": "notes", "label": "Notes"},
    ]
}
DRIVERS: list[dict[str, Any]] = SCHEMA["fields"]


def _post(**data):
    query = QueryDict(mutable=True)
    for key, value in data.items():
        key = key.replace("__", "-")
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = value
    return query


def test_editor_turns_rows_and_a_group_into_and_or_json():
    """« Type = Voirie ET (Photo renseignée OU Urgent coché) » from the POST rows."""
    post = _post(
        main__op="all",
        r0__kind="leaf",
        r0__field="kind",
        r0__op="equals",
        r0__value="road",
        r1__kind="group",
        r1__op="any",
        r1__c0__kind="leaf",
        r1__c0__field="photo",
        r1__c0__op="filled",
        r1__c1__kind="leaf",
        r1__c1__field="urgent",
        r1__c1__op="checked",
    )
    editor = ConditionEditor.from_post(post, DRIVERS)
    condition = editor.to_condition()
    assert editor.is_valid
    assert condition == {
        "all": [
            {"field": "kind", "op": "equals", "value": "road"},
            {"any": [{"field": "photo", "op": "filled"}, {"field": "urgent", "op": "checked"}]},
        ]
    }
    assert evaluate(condition, {"kind": "road", "photo": [], "urgent": True}) is True
    assert evaluate(condition, {"kind": "road", "photo": [{"file": "x"}], "urgent": False})
    assert evaluate(condition, {"kind": "road", "photo": [], "urgent": False}) is False
    assert evaluate(condition, {"kind": "lighting", "photo": [{"file": "x"}]}) is False
    assert describe_condition(condition, SCHEMA) == (
        "si Type = Voirie ET (Photo : renseigné OU Urgent : coché)"
    )


def test_editor_or_of_values_and_numbers():
    """« au moins une » with « est l'un de » and a number comparison."""
    post = _post(
        main__op="any",
        r0__kind="leaf",
        r0__field="kind",
        r0__op="in",
        r0__values=["lighting", "dumping"],
        r1__kind="leaf",
        r1__field="size",
        r1__op="gt",
        r1__value="2,5",
    )
    editor = ConditionEditor.from_post(post, DRIVERS)
    condition = editor.to_condition()
    assert condition == {
        "any": [
            {"field": "kind", "op": "in", "value": ["lighting", "dumping"]},
            {"field": "size", "op": "gt", "value": 2.5},
        ]
    }
    assert evaluate(condition, {"kind": "dumping", "size": 1}) is True
    assert evaluate(condition, {"kind": "road", "size": 3}) is True
    assert evaluate(condition, {"kind": "road", "size": 2}) is False
    assert describe_condition(condition, SCHEMA) == (
        "si Type = Éclairage ou Dépôt sauvage OU Taille > 2,5"
    )


def test_a_single_row_is_stored_as_a_plain_condition():
    """One row gives a leaf, not a group of one."""
    post = _post(r0__kind="leaf", r0__field="notes", r0__op="equals", r0__value="nid")
    assert ConditionEditor.from_post(post, DRIVERS).to_condition() == {
        "field": "notes",
        "op": "equals",
        "value": "nid",
    }


def test_editor_round_trips_a_stored_condition():
    """A stored condition loads into rows that give it back unchanged."""
    condition = {
        "any": [
            {"field": "urgent", "op": "checked"},
            {
                "all": [
                    {"field": "kind", "op": "equals", "value": "road"},
                    {"field": "size", "op": "lt", "value": 3},
                ]
            },
        ]
    }
    editor = ConditionEditor.from_condition(condition, DRIVERS)
    post = _post(main__op=editor.op)
    for index, row in enumerate(editor.display()):
        if row["kind"] == "leaf":
            leaf = row["leaf"]
            post[f"r{index}-kind"] = "leaf"
            post[f"r{index}-field"] = leaf.row.field
            post[f"r{index}-op"] = leaf.row.op
            post[f"r{index}-value"] = leaf.row.value
        else:
            post[f"r{index}-kind"] = "group"
            post[f"r{index}-op"] = row["group"].op
            for inner, leaf in enumerate(row["leaves"]):
                post[f"r{index}-c{inner}-kind"] = "leaf"
                post[f"r{index}-c{inner}-field"] = leaf.row.field
                post[f"r{index}-c{inner}-op"] = leaf.row.op
                post[f"r{index}-c{inner}-value"] = leaf.row.value
    assert ConditionEditor.from_post(post, DRIVERS).to_condition() == condition


def test_buttons_add_a_row_a_group_a_row_in_the_group_and_remove():
    """Add a row, add a group, add a row in it, then remove the first row."""
    editor = ConditionEditor(DRIVERS)
    editor.apply("add", _post(add__main="kind"))
    editor.apply("group", _post())
    editor.apply("add:r1", _post(add__r1="urgent"))
    rows = editor.display()
    assert [row["kind"] for row in rows] == ["leaf", "group"]
    assert rows[0]["leaf"].row.op == "equals"
    assert rows[0]["leaf"].widget == "select"
    assert [leaf.row.field for leaf in rows[1]["leaves"]] == ["urgent"]
    assert rows[1]["group"].op == "any"
    editor.apply("remove:0", _post())
    assert [row["kind"] for row in editor.display()] == ["group"]
    editor.apply("remove:0:0", _post())
    assert editor.display()[0]["leaves"] == []


def test_adding_a_row_on_an_unknown_field_says_so():
    """A forged field in the « add » select is not added."""
    editor = ConditionEditor(DRIVERS)
    editor.apply("add", _post(add__main="ghost"))
    assert editor.rows == []
    assert editor.errors == ["Choisissez d'abord le champ sur lequel porte la condition."]


def test_bad_rows_get_a_message_each():
    """A missing value, a forged choice, a non-number and an empty group are each reported."""
    post = _post(
        r0__kind="leaf",
        r0__field="kind",
        r0__op="equals",
        r0__value="",
        r1__kind="leaf",
        r1__field="kind",
        r1__op="equals",
        r1__value="forged",
        r2__kind="leaf",
        r2__field="size",
        r2__op="gt",
        r2__value="grand",
        r3__kind="group",
        r3__op="any",
        r4__kind="leaf",
        r4__field="urgent",
        r4__op="equals",
        r4__value="x",
    )
    editor = ConditionEditor.from_post(post, DRIVERS)
    assert editor.to_condition() is None
    assert not editor.is_valid
    assert [row.error for row in editor.rows] == [
        "Indiquez la valeur.",
        "Choisissez la valeur parmi les choix de ce champ.",
        "Indiquez un nombre (exemple : 12 ou 12,5).",
        "Ce groupe est vide : ajoutez-y une condition ou retirez-le.",
        "Choisissez une comparaison dans la liste proposée pour ce champ.",
    ]


def test_a_field_placed_after_cannot_be_used():
    """A row on a field that is not among the drivers (placed after) is refused."""
    post = _post(r0__kind="leaf", r0__field="notes", r0__op="filled")
    editor = ConditionEditor.from_post(post, DRIVERS[:2])
    assert editor.to_condition() is None
    assert editor.rows[0].error == (
        "Ce champ ne peut pas servir ici : une condition porte sur un champ placé avant."
    )


def test_deeper_nesting_is_flagged_too_complex():
    """Three levels of groups cannot be edited here (the JSON page can)."""
    condition = {"all": [{"any": [{"all": [{"field": "urgent", "op": "checked"}]}]}]}
    assert ConditionEditor.from_condition(condition, DRIVERS).too_complex


def test_summary_in_plain_french_for_every_operator():
    """Each operator reads in French with the choice labels."""
    parse_schema(SCHEMA)
    cases = [
        ({"field": "kind", "op": "not_equals", "value": "road"}, "si Type ≠ Voirie"),
        ({"field": "urgent", "op": "not_checked"}, "si Urgent : non coché"),
        ({"field": "photo", "op": "empty"}, "si Photo : vide"),
        ({"field": "size", "op": "lt", "value": 3}, "si Taille < 3"),
        ({"field": "notes", "op": "equals", "value": "x"}, "si Notes = x"),
    ]
    assert [describe_condition(condition, SCHEMA) for condition, _text in cases] == [
        text for _condition, text in cases
    ]
    assert describe_condition(None, SCHEMA) == ""
