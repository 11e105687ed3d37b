"""A new template version reaches a commune as an update to review, then to accept."""

from __future__ import annotations

import copy

import pytest

from clocher.demarches.catalogue import built_in
from clocher.demarches.models import FormVersion, Procedure, Request
from clocher.demarches.services.catalogue import (
    UpdateRefused,
    catalogue_load,
    procedure_publish,
    procedure_update_accept,
    template_adopt,
    template_update_available,
    template_update_diff,
    template_version_publish,
)
from clocher.demarches.services.submission import request_submit
from clocher.tenancy.services import commune_update

pytestmark = pytest.mark.django_db

CONTACT_ANSWERS = {
    "topic": "question",
    "subject": "Encombrants",
    "message": "Quand passe le ramassage ?",
    "full_name": "Lucas Gallois",
    "reply_by": "email",
}


@pytest.fixture
def contact(operator, commune_a, admin_a):
    """The contact template adopted and published by commune A."""
    catalogue_load(operator=operator)
    commune_update(
        commune=commune_a, address="1 place, 21000 Agey", email="m@agey.test", phone="0380000000"
    )
    version = operator.procedure_templates.get(slug="contact").latest_version()
    procedure = template_adopt(commune=commune_a, template_version=version, actor=admin_a)
    return procedure_publish(procedure=procedure, actor=admin_a)


def _publish_v2(operator, operator_admin, slug="contact", change=None, **texts):
    template = operator.procedure_templates.get(slug=slug)
    content = copy.deepcopy(built_in(slug).content())
    if change:
        change(content["schema"]["fields"])
    content.update(texts)
    return template_version_publish(
        template=template, actor=operator_admin, content=content, changelog="Nouvelle version."
    )


def _contact_v2_fields(fields):
    fields[:] = [item for item in fields if item["name"] != "complaint_help"]
    subject = next(item for item in fields if item["name"] == "subject")
    subject["label"] = "Objet de votre message"
    fields.append({"type": "text", "name": "best_time", "label": "Meilleur moment pour répondre"})


def test_nothing_to_review_while_the_template_is_unchanged(contact):
    """No newer version, no update."""
    assert template_update_available(contact) is None
    assert template_update_diff(contact) is None


def test_diff_lists_fields_and_texts(contact, operator, operator_admin):
    """Added, removed and changed fields with their labels; changed texts, customised or not."""
    contact.acknowledgment_text = "Merci, la mairie vous répond sous huit jours."
    contact.save()
    v2 = _publish_v2(
        operator,
        operator_admin,
        change=_contact_v2_fields,
        acknowledgment_text="Votre message est bien arrivé.",
        processing_days=10,
    )
    diff = template_update_diff(Procedure.objects.get(pk=contact.pk))
    assert diff is not None
    assert diff.available == v2
    assert diff.changelogs == [(2, "Nouvelle version.")]
    assert [(item.name, item.label) for item in diff.added] == [
        ("best_time", "Meilleur moment pour répondre")
    ]
    assert [item.name for item in diff.removed] == ["complaint_help"]
    assert [(item.label, item.what) for item in diff.changed] == [
        ("Objet de votre message", ("libellé",))
    ]
    assert [(text.name, text.old, text.new, text.is_customised) for text in diff.texts] == [
        (
            "acknowledgment_text",
            built_in("contact").acknowledgment_text,
            "Votre message est bien arrivé.",
            True,
        ),
        ("processing_days", "15 jours", "10 jours", False),
    ]
    assert diff.form_customised is False


def test_accepting_keeps_old_requests_on_their_version(contact, operator, operator_admin, admin_a):
    """A new published form version; old requests keep version 1, new ones get version 2."""
    contact.acknowledgment_text = "Merci, la mairie vous répond sous huit jours."
    contact.service_name = "Secrétariat"
    contact.save()
    old = request_submit(procedure=contact, data=CONTACT_ANSWERS, email="l@exemple.fr").request
    v2 = _publish_v2(
        operator,
        operator_admin,
        change=_contact_v2_fields,
        acknowledgment_text="Votre message est bien arrivé.",
        processing_days=10,
    )
    form = procedure_update_accept(procedure=contact, actor=admin_a)
    procedure = Procedure.objects.get(pk=contact.pk)
    assert (form.number, form.is_published, form.based_on) == (2, True, v2)
    assert procedure.current_form == form
    assert procedure.adopted_version == v2
    assert procedure.processing_days == 10
    assert procedure.acknowledgment_text == "Merci, la mairie vous répond sous huit jours."
    assert (procedure.service_name, procedure.is_published) == ("Secrétariat", True)
    assert Request.objects.get(pk=old.pk).form_version.number == 1  # still version 1
    new = request_submit(
        procedure=procedure, data={**CONTACT_ANSWERS, "best_time": "le soir"}, email="l@exemple.fr"
    ).request
    assert new.form_version == form
    assert template_update_available(procedure) is None
    with pytest.raises(UpdateRefused):
        procedure_update_accept(procedure=procedure, actor=admin_a)


def test_fields_inside_a_repeat_block_are_diffed_with_the_block_label(
    operator, commune_a, admin_a, operator_admin
):
    """A changed field of a repeatable block is named « Block › Field »."""
    catalogue_load(operator=operator)
    version = operator.procedure_templates.get(
        slug="inscription-cantine-periscolaire"
    ).latest_version()
    procedure = template_adopt(commune=commune_a, template_version=version, actor=admin_a)

    def rename(fields):
        children = next(item for item in fields if item["name"] == "children")
        children["fields"][1]["label"] = "Prénom usuel"

    _publish_v2(operator, operator_admin, slug="inscription-cantine-periscolaire", change=rename)
    diff = template_update_diff(procedure)
    assert diff is not None
    assert [(item.name, item.label) for item in diff.changed] == [
        ("children.first_name", "Enfants à inscrire › Prénom usuel")
    ]


def test_customised_form_is_flagged_then_replaced(contact, operator, operator_admin, admin_a):
    """A commune that changed its form is warned; accepting gives the template's form."""
    customised = FormVersion.objects.create(
        commune=contact.commune,
        procedure=contact,
        number=2,
        schema={"fields": [{"type": "text", "name": "only", "label": "Seule question"}]},
        published_at=contact.current_form.published_at,
    )
    contact.current_form = customised
    contact.save()
    _publish_v2(operator, operator_admin, change=_contact_v2_fields)
    diff = template_update_diff(contact)
    assert diff is not None
    assert diff.form_customised is True
    form = procedure_update_accept(procedure=contact, actor=admin_a)
    assert form.number == 3
    assert "best_time" in [item["name"] for item in form.schema["fields"]]
