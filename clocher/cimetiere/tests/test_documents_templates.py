"""Shared document templates: operator version, commune copy, built-in text, and the sandbox."""

from __future__ import annotations

import datetime

import pytest
from django.template import TemplateSyntaxError

from clocher.cimetiere.documents import pdf
from clocher.cimetiere.documents.pdf_text import pdf_text
from clocher.cimetiere.documents.templates import (
    TemplateSource,
    render_text,
    template_for,
    templates_of_commune,
)
from clocher.cimetiere.models import DocumentKind, DocumentTemplate
from clocher.cimetiere.services.documents import (
    commune_template_reset,
    commune_template_save,
    shared_template_publish,
)
from clocher.cimetiere.tests.factories import ConcessionFactory
from clocher.core.testing.factories import CommuneFactory, OperatorFactory

TODAY = datetime.date(2026, 11, 22)
DEED = DocumentKind.CONCESSION_DEED


def test_built_in_text_applies_when_nothing_is_published(commune_a):
    """Without any published version, the built-in French text (citing the CGCT) applies."""
    template = template_for(commune_a, DEED)
    assert template.source == TemplateSource.BUILT_IN
    assert "L2223-13 et L2223-14" in template.body


def test_every_kind_has_a_built_in_text_citing_its_article(commune_a):
    """Each document kind has a default; the legal ones cite their article."""
    expected = {
        DocumentKind.CONCESSION_DEED: "L2223-14",
        DocumentKind.RENEWAL_LETTER: "L2223-15",
        DocumentKind.EXHUMATION_AUTHORISATION: "R2213-40",
        DocumentKind.OSSUARY_REGISTER: "L2223-4",
        DocumentKind.ASH_REGISTER: "L2223-18-3",
    }
    templates = {template.kind: template for template in templates_of_commune(commune_a)}
    assert set(templates) == set(DocumentKind.values)
    for kind, article in expected.items():
        assert article in templates[kind].body


def test_operator_version_applies_to_all_its_communes(commune_a, commune_b, operator_admin):
    """The operator's shared version replaces the built-in text for every commune."""
    shared_template_publish(
        operator=commune_a.operator, actor=operator_admin, kind=DEED, title="Titre", body="Partagé"
    )
    assert template_for(commune_a, DEED).body == "Partagé"
    assert template_for(commune_b, DEED).source == TemplateSource.OPERATOR


def test_commune_copy_is_used_by_that_commune_only(commune_a, commune_b, admin_a):
    """A commune's adjusted copy applies to it, never to another commune."""
    concession_a = ConcessionFactory.create(
        plot__section__cemetery__commune=commune_a, number="A-1"
    )
    concession_b = ConcessionFactory.create(
        plot__section__cemetery__commune=commune_b, number="B-1"
    )
    commune_template_save(
        commune=commune_a,
        actor=admin_a,
        kind=DEED,
        title="Acte de concession {{ concession.number }}",
        body="Texte propre à {{ commune.name }}.",
    )
    text_a = pdf_text(pdf.concession_deed_pdf(concession_a, today=TODAY))
    text_b = pdf_text(pdf.concession_deed_pdf(concession_b, today=TODAY))
    assert "Acte de concession A-1" in text_a
    assert "Texte propre à Agey." in text_a
    assert "Titre de concession funéraire n° B-1" in text_b
    assert "Texte propre" not in text_b
    assert template_for(commune_b, DEED).source == TemplateSource.BUILT_IN


def test_commune_of_another_operator_never_sees_the_shared_version(commune_a, operator_admin):
    """The shared version belongs to one operator: another operator's communes keep theirs."""
    other = CommuneFactory.create(
        operator=OperatorFactory.create(slug="autre-operateur", name="Autre")
    )
    shared_template_publish(
        operator=commune_a.operator, actor=operator_admin, kind=DEED, title="T", body="Partagé"
    )
    assert template_for(other, DEED).source == TemplateSource.BUILT_IN


def test_reset_goes_back_to_the_shared_version(commune_a, admin_a, operator_admin):
    """Resetting drops the commune's copy; the operator's version applies again."""
    shared_template_publish(
        operator=commune_a.operator, actor=operator_admin, kind=DEED, title="T", body="Partagé"
    )
    commune_template_save(commune=commune_a, actor=admin_a, kind=DEED, title="T", body="Local")
    assert template_for(commune_a, DEED).body == "Local"
    assert commune_template_reset(commune=commune_a, kind=DEED) is True
    assert template_for(commune_a, DEED).body == "Partagé"
    assert DocumentTemplate.objects.filter(commune=commune_a).count() == 0


def test_saving_twice_keeps_one_copy(commune_a, admin_a):
    """A commune has at most one copy per kind: saving again updates it."""
    commune_template_save(commune=commune_a, actor=admin_a, kind=DEED, title="T", body="Un")
    commune_template_save(commune=commune_a, actor=admin_a, kind=DEED, title="T", body="Deux")
    rows = DocumentTemplate.objects.filter(commune=commune_a, kind=DEED)
    assert [(row.body, row.updated_by_id) for row in rows] == [("Deux", admin_a.pk)]


def test_a_template_cannot_reach_settings():
    """Names outside the values given render empty: no settings, no request, no database."""
    text = "[{{ settings.SECRET_KEY }}][{{ request.user }}][{{ commune.name }}]"
    assert render_text(text, {"commune": {"name": "Agey"}}) == "[][][Agey]"


def test_a_template_cannot_call_mutating_methods():
    """Values are read-only mappings: ``clear`` or ``pop`` do not exist for a template."""
    values = {"commune": {"name": "Agey"}}
    assert render_text("{{ commune.clear }}{{ commune.name }}", values) == "Agey"
    assert values == {"commune": {"name": "Agey"}}


@pytest.mark.parametrize(
    "text",
    [
        "{% load static %}",
        "{% include 'core/base.html' %}",
        "{% extends 'core/base.html' %}",
        "{% debug %}",
        "{% url 'portal:home' %}",
        "{% csrf_token %}",
    ],
)
def test_tags_reaching_outside_are_refused(text):
    """Loading libraries, including templates, dumping the context or the URL map: refused."""
    with pytest.raises(TemplateSyntaxError):
        render_text(text, {})


def test_autoescape_is_off_for_plain_text():
    """Documents are plain text: an apostrophe or ampersand is kept as typed."""
    assert render_text("{{ name }}", {"name": "L'Isle & Co <1>"}) == "L'Isle & Co <1>"


def test_publishing_a_broken_template_is_refused(commune_a, admin_a):
    """A template that does not compile is never stored."""
    with pytest.raises(TemplateSyntaxError):
        commune_template_save(
            commune=commune_a, actor=admin_a, kind=DEED, title="T", body="{% if %}"
        )
    assert DocumentTemplate.objects.count() == 0
