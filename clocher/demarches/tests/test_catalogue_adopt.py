"""A commune adopts a template: its own procedure, offline, with a first published form."""

from __future__ import annotations

import pytest

from clocher.core.models.audit import AuditEntry
from clocher.demarches.models import FormVersion, Procedure, ProcedureTemplate, TemplateVersion
from clocher.demarches.services.catalogue import (
    AdoptionRefused,
    ProcedureContact,
    catalogue_load,
    template_adopt,
)
from clocher.tenancy.services import commune_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions(operator):
    catalogue_load(operator=operator)
    return {
        version.template.slug: version
        for version in TemplateVersion.objects.filter(template__operator=operator).select_related(
            "template"
        )
    }


def test_adoption_creates_an_offline_procedure_with_form_version_one(commune_a, admin_a, versions):
    """The procedure copies the template; its form version 1 is published; it is not online."""
    version = versions["reservation-salle"]
    procedure = template_adopt(commune=commune_a, template_version=version, actor=admin_a)
    form = FormVersion.objects.get(procedure=procedure)
    assert (procedure.slug, procedure.family, procedure.is_published) == (
        "reservation-salle",
        "facilities",
        False,
    )
    assert (procedure.title, procedure.retention_months, procedure.silence_rule) == (
        version.title,
        60,
        "refusal",
    )
    assert procedure.adopted_version == version
    assert procedure.current_form == form
    assert (form.number, form.schema, form.based_on, form.created_by) == (
        1,
        version.schema,
        version,
        admin_a,
    )
    assert form.is_published


def test_contact_details_come_from_the_commune(commune_a, admin_a, versions):
    """Name, address, e-mail and phone are the town hall's; appeals name the Dijon court."""
    commune_update(
        commune=commune_a,
        address="1 place de la Mairie\n21000 Agey",
        email="mairie@agey.test",
        phone="03 80 11 22 33",
    )
    procedure = template_adopt(
        commune=commune_a, template_version=versions["concession-funeraire"], actor=admin_a
    )
    assert (
        procedure.service_name,
        procedure.service_address,
        procedure.service_email,
        procedure.service_phone,
    ) == ("Mairie d'Agey", "1 place de la Mairie\n21000 Agey", "mairie@agey.test", "03 80 11 22 33")
    assert "par un recours gracieux adressé au maire d'Agey ;" in procedure.appeal_routes
    assert "devant le tribunal administratif de Dijon" in procedure.appeal_routes
    assert "Télérecours citoyens" in procedure.appeal_routes


def test_civil_status_appeals_go_to_the_procureur(commune_a, admin_a, versions):
    """The civil-status default points to the procureur, not to the administrative court."""
    procedure = template_adopt(
        commune=commune_a, template_version=versions["acte-etat-civil"], actor=admin_a
    )
    assert "procureur de la République" in procedure.appeal_routes
    assert "tribunal administratif" not in procedure.appeal_routes
    assert procedure.service_name == "Mairie d'Agey — service de l'état civil"


def test_social_help_is_addressed_to_the_ccas_president(commune_a, admin_a, versions):
    """The gracious appeal of a CCAS decision goes to the CCAS president."""
    procedure = template_adopt(
        commune=commune_a, template_version=versions["aide-sociale-ccas"], actor=admin_a
    )
    assert (
        "adressé au président du centre communal d'action sociale d'Agey ;"
        in procedure.appeal_routes
    )
    assert procedure.service_name == "Mairie d'Agey — action sociale"


def test_report_without_decision_says_so(commune_a, admin_a, versions):
    """A report has no implicit decision: the default text says there is no decision."""
    procedure = template_adopt(
        commune=commune_a, template_version=versions["signalement"], actor=admin_a
    )
    assert procedure.appeal_routes.startswith(
        "Cette démarche ne donne pas lieu à une décision administrative."
    )


def test_given_contact_replaces_the_defaults(commune_a, admin_a, versions):
    """Contact details given at adoption are the procedure's."""
    contact = ProcedureContact(
        service_name="Services techniques",
        service_address="Atelier municipal, 21000 Agey",
        service_email="technique@agey.test",
        service_phone="03 80 99 99 99",
        appeal_routes="Recours auprès du maire.",
    )
    procedure = template_adopt(
        commune=commune_a, template_version=versions["signalement"], actor=admin_a, contact=contact
    )
    assert (procedure.service_name, procedure.appeal_routes) == (
        "Services techniques",
        "Recours auprès du maire.",
    )


def test_adopting_twice_is_refused(commune_a, admin_a, versions):
    """A template is adopted once per commune."""
    template_adopt(commune=commune_a, template_version=versions["contact"], actor=admin_a)
    with pytest.raises(AdoptionRefused) as refused:
        template_adopt(commune=commune_a, template_version=versions["contact"], actor=admin_a)
    assert refused.value.messages == ["Votre commune a déjà adopté « Écrire à la mairie »."]
    assert Procedure.objects.for_commune(commune_a).count() == 1


def test_another_operators_template_is_refused(commune_a, admin_a):
    """A commune cannot adopt the template of an operator it does not belong to."""
    from clocher.core.testing.factories import OperatorFactory

    other = OperatorFactory.create(slug="autre-operateur", name="Autre opérateur")
    catalogue_load(operator=other)
    foreign = ProcedureTemplate.objects.get(operator=other, slug="contact").versions.latest(
        "number"
    )
    with pytest.raises(AdoptionRefused):
        template_adopt(commune=commune_a, template_version=foreign, actor=admin_a)
    assert not Procedure.objects.for_commune(commune_a).exists()


def test_slug_taken_by_a_commune_procedure_gets_a_suffix(commune_a, admin_a, versions):
    """A commune's own procedure keeps its address; the adopted one gets ``-2``."""
    from clocher.demarches.tests.factories import make_procedure

    make_procedure(commune_a, slug="contact")
    procedure = template_adopt(
        commune=commune_a, template_version=versions["contact"], actor=admin_a
    )
    assert procedure.slug == "contact-2"


def test_adoption_is_journaled(commune_a, admin_a, versions):
    """The audit journal records the adoption for the commune."""
    procedure = template_adopt(
        commune=commune_a, template_version=versions["contact"], actor=admin_a
    )
    entry = AuditEntry.objects.filter(commune=commune_a, target=f"procedure:{procedure.pk}").get()
    assert (entry.action, entry.actor, entry.data["change"]) == (
        "procedure_published",
        admin_a,
        "adopted",
    )
