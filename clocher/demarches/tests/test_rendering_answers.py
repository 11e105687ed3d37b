"""Reading a POST back into the schema's value shapes, and showing answers to a person."""

from django.http import QueryDict

from clocher.demarches.formschema import parse_schema, validate_submission
from clocher.demarches.formschema.rendering import (
    answer_groups,
    for_submission,
    page_view,
    read_answers,
)

SCHEMA = parse_schema(
    {
        "fields": [
            {"type": "text", "name": "name", "label": "Nom", "required": True},
            {"type": "number", "name": "count", "label": "Nombre"},
            {"type": "multichoice", "name": "days", "label": "Jours", "choices": ["mon", "tue"]},
            {"type": "checkbox", "name": "agree", "label": "D'accord"},
            {"type": "address", "name": "place", "label": "Lieu", "with_coordinates": True},
            {"type": "date", "name": "day", "label": "Jour"},
            {
                "type": "repeat",
                "name": "kids",
                "label": "Enfants",
                "fields": [
                    {"type": "text", "name": "first", "label": "Prénom", "required": True},
                    {"type": "number", "name": "age", "label": "Âge"},
                ],
            },
        ]
    }
)


def _post(text: str) -> QueryDict:
    return QueryDict(text, mutable=False)


def test_a_post_becomes_raw_values_that_validate():
    """Every type reads back into what validate_submission accepts."""
    post = _post(
        "field-name=Lou&field-count=12,5&field-days=mon&field-days=tue&field-agree=on"
        "&field-place-text=1+rue+Haute&field-place-latitude=47,3&field-place-longitude=5,04"
        "&field-day=2024-03-01&field-kids-count=2&field-kids-1-first=Ana&field-kids-1-age=7"
        "&field-kids-2-first=&field-kids-2-age="
    )
    answers = read_answers(page_view(SCHEMA, 0, {}), post)
    assert answers.values == {
        "name": "Lou",
        "count": "12,5",
        "days": ["mon", "tue"],
        "agree": True,
        "place": {"text": "1 rue Haute", "latitude": "47,3", "longitude": "5,04"},
        "day": "2024-03-01",
        "kids": [{"first": "Ana", "age": "7"}],
    }
    validated = validate_submission(SCHEMA, for_submission(SCHEMA, answers.values))
    assert validated.errors == {}
    assert validated.values["count"] == 12.5
    assert validated.values["place"] == {"text": "1 rue Haute", "latitude": 47.3, "longitude": 5.04}


def test_add_and_remove_repeat_items_without_javascript():
    """ "Add" appends an empty item; "remove" drops the chosen one."""
    view = page_view(SCHEMA, 0, {"kids": [{"first": "Ana"}]})
    added = read_answers(view, _post("field-kids-count=1&field-kids-1-first=Ana&add_item=kids"))
    assert added.values["kids"] == [{"first": "Ana", "age": ""}, {}]
    assert added.focus == "kids"
    view = page_view(SCHEMA, 0, {"kids": [{"first": "Ana"}, {"first": "Bo"}]})
    assert len(view.fields[-1].items) == 2
    removed = read_answers(
        view,
        _post("field-kids-count=2&field-kids-1-first=Ana&field-kids-2-first=Bo&remove_item=kids-1"),
    )
    assert removed.values["kids"] == [{"first": "Bo", "age": ""}]


def test_a_forged_item_count_is_capped():
    """A huge item count is cut at the block's maximum."""
    answers = read_answers(page_view(SCHEMA, 0, {}), _post("field-kids-count=100000000"))
    assert answers.values["kids"] == []


def test_answers_read_back_with_labels():
    """The summary shows labels, formatted dates and checkbox words, items in order."""
    values = {
        "name": "Lou",
        "days": ["tue"],
        "agree": True,
        "day": "2024-03-01",
        "kids": [{"first": "Ana", "age": "7"}],
    }
    groups = answer_groups(SCHEMA, values)
    rows = {row.label: row for row in groups[0].rows}
    assert rows["Nom"].text == "Lou"
    assert rows["Jours"].text == "tue"
    assert rows["D'accord"].text == "Oui"
    assert rows["Jour"].text == "01/03/2024"
    assert rows["Nombre"].text == "Non renseigné"
    assert [[(sub.label, sub.text) for sub in item] for item in rows["Enfants"].items] == [
        [("Prénom", "Ana"), ("Âge", "7")]
    ]
