"""Loading the built-in catalogue: idempotent, and a changed built-in becomes a new version."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.management import call_command

from clocher.demarches import catalogue as built_in_catalogue
from clocher.demarches.catalogue import BUILT_IN
from clocher.demarches.models import ProcedureTemplate, TemplateVersion
from clocher.demarches.services.catalogue import catalogue_load, template_version_publish

pytestmark = pytest.mark.django_db


def _numbers(operator):
    return dict(
        TemplateVersion.objects.filter(template__operator=operator).values_list(
            "template__slug", "number"
        )
    )


def test_first_load_publishes_eight_templates(operator):
    """Each built-in template gets version 1, published, with its family and texts."""
    assert catalogue_load(operator=operator) == len(BUILT_IN)
    contact = TemplateVersion.objects.get(template__operator=operator, template__slug="contact")
    assert contact.number == 1
    assert contact.published_at is not None
    assert contact.title == "Écrire à la mairie"
    assert contact.template.family == "general"
    assert contact.changelog == "Version fournie avec Clocher."


def test_second_load_changes_nothing(operator):
    """Loading again creates no template and no version."""
    catalogue_load(operator=operator)
    assert catalogue_load(operator=operator) == 0
    assert ProcedureTemplate.objects.filter(operator=operator).count() == len(BUILT_IN)
    assert TemplateVersion.objects.filter(template__operator=operator).count() == len(BUILT_IN)


def test_changed_built_in_becomes_a_new_version(operator, monkeypatch):
    """A built-in whose text changed is published as version 2; the others stay at 1."""
    catalogue_load(operator=operator)
    changed = [
        dataclasses.replace(item, processing_days=3, changelog="Délai raccourci.")
        if item.slug == "acte-etat-civil"
        else item
        for item in BUILT_IN
    ]
    monkeypatch.setattr("clocher.demarches.services.catalogue.BUILT_IN", tuple(changed))
    assert catalogue_load(operator=operator) == 1
    version = TemplateVersion.objects.get(template__slug="acte-etat-civil", number=2)
    assert (version.processing_days, version.changelog) == (3, "Délai raccourci.")
    assert _numbers(operator)["contact"] == 1
    assert catalogue_load(operator=operator) == 0


def test_operator_edit_is_not_overwritten_by_an_unchanged_built_in(operator, operator_admin):
    """After the operator published version 2, loading the same built-in again does nothing."""
    catalogue_load(operator=operator)
    template = ProcedureTemplate.objects.get(operator=operator, slug="contact")
    content = built_in_catalogue.built_in("contact").content()
    template_version_publish(
        template=template,
        actor=operator_admin,
        content={**content, "title": "Contacter la mairie"},
        changelog="Titre plus court.",
    )
    assert catalogue_load(operator=operator) == 0
    assert template.versions.latest("number").title == "Contacter la mairie"


def test_operators_have_their_own_catalogue(operator):
    """Another operator's load does not touch this one's templates."""
    from clocher.core.testing.factories import OperatorFactory

    catalogue_load(operator=operator)
    other = OperatorFactory.create(slug="autre-operateur", name="Autre opérateur")
    assert catalogue_load(operator=other) == len(BUILT_IN)
    assert TemplateVersion.objects.filter(template__operator=operator).count() == len(BUILT_IN)


def test_command_loads_the_catalogue(operator, capsys):
    """``clocher demarches-catalogue --operator SLUG`` loads, then says it is up to date."""
    call_command("demarches_catalogue", operator=operator.slug)
    call_command("demarches_catalogue", operator=operator.slug)
    out = capsys.readouterr().out
    assert f"{len(BUILT_IN)} template version(s) published" in out
    assert "is up to date" in out


def test_command_refuses_an_unknown_operator(db):
    """An unknown slug is a clear error."""
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No operator with slug 'nope'"):
        call_command("demarches_catalogue", operator="nope")
