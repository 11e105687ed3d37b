"""Factories of démarches objects, and their isolation factories (marker in a displayed field)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from clocher.core.testing.isolation import isolation_factory, isolation_member_setup
from clocher.demarches.models import (
    Channel,
    Export,
    ExportFormat,
    Family,
    FamilyGrant,
    FormVersion,
    Mailbox,
    MailItem,
    Mandate,
    Procedure,
    Request,
    RequestFile,
    SilenceRule,
)
from clocher.demarches.services.submission import Submitted, request_submit

SIMPLE_SCHEMA: dict[str, Any] = {
    "fields": [
        {
            "type": "choice",
            "name": "topic",
            "label": "Sujet",
            "required": True,
            "choices": [
                {"value": "road", "label": "Voirie"},
                {"value": "lighting", "label": "Éclairage"},
            ],
        },
        {"type": "textarea", "name": "details", "label": "Précisions", "required": True},
        {"type": "text", "name": "full_name", "label": "Nom", "required": True, "personal": True},
        {"type": "phone", "name": "phone", "label": "Téléphone", "personal": True},
        {
            "type": "file",
            "name": "photo",
            "label": "Photo",
            "file_kinds": ["image"],
            "condition": {"field": "topic", "op": "equals", "value": "road"},
        },
    ]
}


def make_procedure(
    commune: Any,
    *,
    family: str = Family.GENERAL,
    slug: str = "contact",
    title: str = "Nous écrire",
    schema: dict[str, Any] | None = None,
    is_published: bool = True,
    silence_rule: str = SilenceRule.ACCEPTANCE,
) -> Procedure:
    """A procedure with every mandatory mention filled in and one published form version."""
    procedure = Procedure.objects.create(
        commune=commune,
        slug=slug,
        title=title,
        family=family,
        description="Une démarche de test.",
        legal_basis="Code des relations entre le public et l'administration.",
        retention_months=12,
        acknowledgment_text="Votre demande a bien été reçue.",
        silence_rule=silence_rule,
        silence_delay_months=2,
        service_name="Secrétariat de mairie",
        service_address="1 place de la Mairie, 21000 Testville",
        service_email="mairie@example.test",
        service_phone="03 80 00 00 00",
        appeal_routes="Recours gracieux auprès du maire, recours contentieux devant le "
        "tribunal administratif de Dijon dans les deux mois.",
        is_published=is_published,
        published_at=timezone.now() if is_published else None,
    )
    form = FormVersion.objects.create(
        commune=commune,
        procedure=procedure,
        number=1,
        schema=schema or SIMPLE_SCHEMA,
        published_at=timezone.now(),
    )
    procedure.current_form = form
    procedure.save(update_fields=["current_form"])
    return procedure


def submit(
    procedure: Procedure,
    *,
    full_name: str = "Camille Martin",
    details: str = "Un nid-de-poule devant le 3 rue Haute.",
    email: str = "camille@example.test",
    channel: Channel = Channel.WEB,
    **extra: Any,
) -> Submitted:
    data = {"topic": "lighting", "details": details, "full_name": full_name, **extra}
    return request_submit(procedure=procedure, data=data, email=email, channel=channel)


def grant(user: Any, commune: Any, *families: str) -> None:
    from clocher.demarches.selectors import forget_granted_families

    for family in families or [choice.value for choice in Family]:
        FamilyGrant.objects.get_or_create(commune=commune, user=user, family=family)
    forget_granted_families(user, commune)


@isolation_member_setup
def grant_every_family(commune: Any, user: Any) -> None:
    grant(user, commune)


@isolation_factory(Procedure)
def procedure_for_isolation(commune: Any, marker: str) -> Procedure:
    return make_procedure(commune, slug=f"p-{marker.lower()}", title=f"Démarche {marker}")


@isolation_factory(FormVersion)
def form_version_for_isolation(commune: Any, marker: str) -> FormVersion:
    procedure = make_procedure(commune, slug=f"f-{marker.lower()}", title=f"Formulaire {marker}")
    assert procedure.current_form is not None
    return procedure.current_form


@isolation_factory(Request)
def request_for_isolation(commune: Any, marker: str) -> Request:
    procedure = make_procedure(commune, slug=f"r-{marker.lower()}", title=f"Demande {marker}")
    return submit(procedure, full_name=f"{marker} Usager", details=f"{marker} précisions").request


@isolation_factory(Mandate)
def mandate_for_isolation(commune: Any, marker: str) -> Mandate:
    mandate = Mandate(
        commune=commune,
        families=[Family.SOCIAL],
        valid_until=timezone.localdate() + datetime.timedelta(days=365),
        consent_reference=f"{marker} formulaire signé",
    )
    mandate.citizen_name = f"{marker} Mandant"
    mandate.citizen_contact = "03 80 00 00 01"
    mandate.save()
    return mandate


@isolation_factory(Mailbox)
def mailbox_for_isolation(commune: Any, marker: str) -> Mailbox:
    mailbox = Mailbox(
        commune=commune, label=f"Boîte {marker}", host="127.0.0.1", username=f"{marker}@mairie"
    )
    mailbox.password = "secret"
    mailbox.save()
    return mailbox


@isolation_factory(MailItem)
def mail_item_for_isolation(commune: Any, marker: str) -> MailItem:
    mailbox = mailbox_for_isolation(commune, f"{marker}M")
    assert isinstance(mailbox, Mailbox)
    item = MailItem(
        commune=commune,
        mailbox=mailbox,
        message_key=marker.lower().ljust(64, "0")[:64],
        received_at=timezone.now(),
    )
    item.sender = f"{marker}@example.test"
    item.subject = f"Objet {marker}"
    item.body = f"Message {marker}"
    item.save()
    return item


@isolation_factory(Export)
def export_for_isolation(commune: Any, marker: str) -> Export:
    return Export.objects.create(
        commune=commune, family=Family.GENERAL, format=ExportFormat.CSV, error=marker
    )


@isolation_factory(FamilyGrant)
def family_grant_for_isolation(commune: Any, marker: str) -> FamilyGrant:
    from clocher.core.testing.factories import MembershipFactory

    membership = MembershipFactory(commune=commune, user__last_name=f"{marker} Agent")
    return FamilyGrant.objects.create(
        commune=commune,
        user=membership.user,
        family=Family.SOCIAL,  # type: ignore[misc]
    )


@isolation_factory(RequestFile)
def request_file_for_isolation(commune: Any, marker: str) -> RequestFile:
    from clocher.core.vault import store_file

    citizen_request = request_for_isolation(commune, f"{marker}F")
    assert isinstance(citizen_request, Request)
    vault_file = store_file(
        commune=commune,
        data=f"{marker} contenu".encode(),
        name=f"{marker}.txt",
        content_type="text/plain",
        compartment=citizen_request.family,
    )
    return RequestFile.objects.create(
        commune=commune,
        request=citizen_request,
        family=citizen_request.family,
        field_name="photo",
        vault_file=vault_file,
    )
