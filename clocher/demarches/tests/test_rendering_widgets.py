"""Rendering a form schema: one widget per field type, accessible and without JavaScript."""

from django.template.loader import render_to_string

from clocher.demarches.formschema import parse_schema
from clocher.demarches.formschema.rendering import page_view, whole_form_view

SCHEMA = {
    "fields": [
        {"type": "section", "name": "intro", "label": "Vous"},
        {"type": "help", "name": "note", "label": "À savoir", "help": "Une aide."},
        {"type": "text", "name": "name", "label": "Nom", "required": True, "help": "Tel quel"},
        {"type": "textarea", "name": "story", "label": "Récit"},
        {"type": "number", "name": "count", "label": "Combien", "integer": True},
        {"type": "date", "name": "day", "label": "Jour"},
        {"type": "email", "name": "mail", "label": "Courriel"},
        {"type": "phone", "name": "tel", "label": "Téléphone"},
        {"type": "choice", "name": "few", "label": "Peu", "choices": ["a", "b"]},
        {"type": "choice", "name": "many", "label": "Beaucoup", "choices": list("abcdefg")},
        {"type": "multichoice", "name": "multi", "label": "Plusieurs", "choices": ["x", "y"]},
        {"type": "checkbox", "name": "agree", "label": "J'accepte"},
        {"type": "address", "name": "place", "label": "Lieu", "with_coordinates": True},
        {"type": "file", "name": "doc", "label": "Document", "file_kinds": ["pdf"]},
        {
            "type": "repeat",
            "name": "kids",
            "label": "Enfants",
            "min_items": 2,
            "fields": [{"type": "text", "name": "first", "label": "Prénom"}],
        },
        {"type": "page", "name": "second", "label": "Suite"},
        {"type": "text", "name": "later", "label": "Plus tard"},
    ]
}


def _html(view):
    return render_to_string("demarches/form/fields.html", {"page": view})


def test_every_field_type_has_its_widget():
    """Each type renders its own input, labelled, with the right HTML type."""
    html = _html(page_view(parse_schema(SCHEMA), 0, {}))
    assert '<h3 id="field-intro">Vous</h3>' in html
    assert "<p><strong>À savoir</strong></p>" in html
    assert '<label for="field-name">Nom <span class="required">(obligatoire)</span></label>' in html
    assert 'aria-describedby="field-name-help"' in html
    assert '<textarea id="field-story" name="field-story"' in html
    assert 'id="field-count" name="field-count" value="" inputmode="numeric"' in html
    assert '<input type="date" id="field-day"' in html
    assert '<input type="email" id="field-mail"' in html
    assert '<input type="tel" id="field-tel"' in html
    assert '<input type="radio" id="field-few-1" name="field-few" value="a"' in html
    assert '<select id="field-many" name="field-many"' in html
    assert '<input type="checkbox" id="field-multi-2" name="field-multi" value="y"' in html
    assert '<input type="checkbox" id="field-agree" name="field-agree" value="on"' in html
    assert 'name="field-place-text"' in html and 'name="field-place-latitude"' in html
    assert (
        '<input type="file" id="field-doc" name="field-doc" accept="application/pdf,.pdf"' in html
    )
    assert "Formats acceptés : PDF." in html
    assert "réduite automatiquement" not in html.split('id="field-doc-help"')[1].split("</p>")[0]
    assert html.count('class="repeat-item"') == 2
    assert 'name="add_item" value="kids"' in html
    assert 'name="field-kids-2-first"' in html
    assert "Plus tard" not in html


def test_the_second_page_only_shows_its_fields():
    """Page 1 holds the fields after the page break, titled by it."""
    view = page_view(parse_schema(SCHEMA), 1, {})
    assert view.title == "Suite"
    assert [field.spec.name for field in view.fields] == ["later"]


def test_whole_form_shows_page_breaks_as_headings():
    """For the counter, the whole form is one page and a page break is a level-2 heading."""
    html = _html(whole_form_view(parse_schema(SCHEMA), {}))
    assert '<h2 id="field-second">Suite</h2>' in html
    assert "Plus tard" in html


def test_errors_are_tied_to_their_field():
    """An error is shown next to its input and referenced by aria-describedby."""
    view = page_view(parse_schema(SCHEMA), 0, {}, {"mail": ["Adresse invalide."]})
    html = _html(view)
    assert 'aria-describedby="field-mail-error" aria-invalid="true"' in html
    assert '<p class="error-text" id="field-mail-error">Adresse invalide. </p>' in html
    assert view.error_links == [("field-mail", "Courriel", "Adresse invalide.")]


def test_repeat_item_errors_land_on_the_item_field():
    """``kids.2.first`` errors appear on the second item's input."""
    view = page_view(parse_schema(SCHEMA), 0, {}, {"kids.2.first": ["Trop long."]})
    assert view.fields[-1].items[1].fields[0].errors == ["Trop long."]
    assert ("field-kids-2-first", "Prénom", "Trop long.") in view.error_links


def test_values_are_shown_back_escaped():
    """Saved answers fill the inputs, escaped."""
    values = {"name": '<b>"Lou"</b>', "few": "b", "multi": ["x"], "agree": True}
    html = _html(page_view(parse_schema(SCHEMA), 0, values))
    assert 'value="&lt;b&gt;&quot;Lou&quot;&lt;/b&gt;"' in html
    assert 'value="b" checked' in html
    assert 'value="x" data-kind="multichoice" checked' in html
    assert 'value="on" checked' in html
