"""Publishing a procedure: refused while a mandatory mention (CRPA R112-5) is empty."""

from __future__ import annotations

import pytest

from clocher.core.models.audit import AuditEntry
from clocher.demarches.models import Procedure, SilenceRule
from clocher.demarches.services.catalogue import (
    PublicationRefused,
    catalogue_load,
    missing_mentions,
    procedure_publish,
    procedure_unpublish,
    template_adopt,
)
from clocher.demarches.tests.factories import make_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def adopted(operator, commune_a, admin_a):
    """The contact template adopted by a commune that has no address, e-mail or phone yet."""
    catalogue_load(operator=operator)
    version = operator.procedure_templates.get(slug="contact").latest_version()
    return template_adopt(commune=commune_a, template_version=version, actor=admin_a)


def test_missing_mentions_name_each_empty_one(adopted):
    """The commune's empty details are listed by their French label."""
    assert missing_mentions(adopted) == [
        "Adresse postale du service",
        "Adresse électronique du service",
        "Téléphone du service",
    ]


def test_publication_is_refused_with_the_missing_mention(adopted, admin_a):
    """The refusal names the missing mention; the procedure stays offline."""
    adopted.service_address = "1 place de la Mairie, 21000 Agey"
    adopted.service_email = "mairie@agey.test"
    adopted.save()
    with pytest.raises(PublicationRefused) as refused:
        procedure_publish(procedure=adopted, actor=admin_a)
    assert refused.value.messages == ["Mention obligatoire manquante : Téléphone du service."]
    assert Procedure.objects.get(pk=adopted.pk).is_published is False


def test_every_mention_is_checked(commune_a):
    """Each of the R112-5 mentions and the acknowledgment text is required."""
    procedure = make_procedure(commune_a, is_published=False)
    procedure.service_name = " "
    procedure.appeal_routes = ""
    procedure.acknowledgment_text = ""
    procedure.silence_delay_months = 0
    assert missing_mentions(procedure) == [
        "Nom du service chargé du dossier",
        "Délai de décision implicite",
        "Voies et délais de recours",
        "Texte de l'accusé de réception",
    ]
    procedure.silence_rule = SilenceRule.NOT_APPLICABLE
    assert "Délai de décision implicite" not in missing_mentions(procedure)


def test_invalid_form_is_refused(commune_a, admin_a):
    """A broken or unpublished form blocks publication, with the form's own messages."""
    procedure = make_procedure(commune_a, is_published=False)
    form = procedure.current_form
    assert form is not None
    form.schema = {"fields": [{"type": "text", "name": "Nom", "label": "Nom"}]}
    form.save()
    with pytest.raises(PublicationRefused) as refused:
        procedure_publish(procedure=procedure, actor=admin_a)
    assert len(refused.value.messages) == 1
    assert refused.value.messages[0].startswith("Formulaire : Champ « Nom » : le nom doit")


def test_complete_procedure_is_published_and_journaled(adopted, admin_a):
    """With every mention filled, the procedure goes online and the journal says so."""
    adopted.service_address = "1 place de la Mairie, 21000 Agey"
    adopted.service_email = "mairie@agey.test"
    adopted.service_phone = "03 80 11 22 33"
    adopted.save()
    procedure_publish(procedure=adopted, actor=admin_a)
    procedure = Procedure.objects.get(pk=adopted.pk)
    assert procedure.is_published is True
    assert procedure.published_at is not None
    changes = list(
        AuditEntry.objects.filter(target=f"procedure:{adopted.pk}").values_list(
            "data__change", flat=True
        )
    )
    assert changes == ["adopted", "published"]


def test_unpublish_takes_it_offline(commune_a, admin_a):
    """Withdrawing keeps the procedure and its requests, offline."""
    procedure = make_procedure(commune_a)
    procedure_unpublish(procedure=procedure, actor=admin_a)
    assert Procedure.objects.get(pk=procedure.pk).is_published is False
    entry = AuditEntry.objects.get(target=f"procedure:{procedure.pk}")
    assert entry.data["change"] == "unpublished"
