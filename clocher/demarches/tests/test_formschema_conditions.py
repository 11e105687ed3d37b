"""Conditional display: AND/OR conditions on fields, sections and pages, and path listing."""

from clocher.demarches.formschema import enumerate_paths, parse_schema, visible_fields

SCHEMA = {
    "fields": [
        {"type": "page", "name": "first", "label": "Votre demande"},
        {
            "type": "choice",
            "name": "kind",
            "label": "Type",
            "choices": ["birth", "marriage", "death"],
        },
        {"type": "checkbox", "name": "full_copy", "label": "Copie intégrale"},
        {
            "type": "section",
            "name": "parents",
            "label": "Filiation",
            "condition": {
                "all": [
                    {"field": "full_copy", "op": "checked"},
                    {
                        "any": [
                            {"field": "kind", "op": "equals", "value": "birth"},
                            {"field": "kind", "op": "equals", "value": "marriage"},
                        ]
                    },
                ]
            },
        },
        {"type": "text", "name": "father", "label": "Père"},
        {"type": "text", "name": "mother", "label": "Mère"},
        {"type": "section", "name": "other", "label": "Autre"},
        {"type": "text", "name": "notes", "label": "Notes"},
        {
            "type": "page",
            "name": "death_page",
            "label": "Décès",
            "condition": {"field": "kind", "op": "equals", "value": "death"},
        },
        {"type": "date", "name": "death_date", "label": "Date du décès"},
    ]
}


def _names(values):
    return [spec.name for spec in visible_fields(parse_schema(SCHEMA), values)]


def test_section_condition_with_and_of_or_shows_its_fields_only_when_it_holds():
    """A section whose condition is A AND (B OR C) shows its fields only when that holds."""
    assert "father" in _names({"kind": "marriage", "full_copy": True})
    assert "father" not in _names({"kind": "marriage", "full_copy": False})
    assert "father" not in _names({"kind": "death", "full_copy": True})


def test_section_condition_stops_at_the_next_section():
    """Fields after the next section do not inherit the previous section's condition."""
    assert "notes" in _names({"kind": "death", "full_copy": False})


def test_page_condition_hides_the_whole_page():
    """A page's condition applies to every field on it."""
    assert "death_date" in _names({"kind": "death"})
    assert "death_date" not in _names({"kind": "birth"})


def test_enumerate_paths_lists_each_distinct_path_once():
    """The preview lists each distinct set of shown fields with the answers leading to it."""
    paths, truncated = enumerate_paths(parse_schema(SCHEMA))
    shown = {tuple(spec.name for spec in path.fields if spec.has_value) for path in paths}
    assert not truncated
    assert shown == {
        ("kind", "full_copy", "father", "mother", "notes"),
        ("kind", "full_copy", "notes"),
        ("kind", "full_copy", "notes", "death_date"),
    }
