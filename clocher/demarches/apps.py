from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from clocher.core.modules import ModuleInfo


class DemarchesConfig(AppConfig):
    name = "clocher.demarches"
    label = "demarches"
    verbose_name = "Démarches"
    clocher_module = ModuleInfo(
        url_prefix="demarches",
        title=_("Démarches"),
        description=_(
            "Démarches en ligne et demandes reçues au guichet, par téléphone, courrier ou e-mail : "
            "instruction, messages, accusés de réception et décisions."
        ),
        staff_urls="clocher.demarches.staff_urls",
        public_urls="clocher.demarches.public_urls",
        public_home="public:demarches:catalogue",
        public_available="clocher.demarches.selectors.has_published_procedures",
        api_router="clocher.demarches.api.router",
        api_prefix="communes/{commune_slug}",
        staff_home="staff:demarches:inbox",
        demo_data="clocher.demarches.demo.load",
        order=20,
    )

    def ready(self) -> None:
        from clocher.core.api import scopes
        from clocher.core.scoping import register_plain_parameter, url_objects
        from clocher.demarches import selectors
        from clocher.demarches.models import (
            Export,
            Family,
            FamilyGrant,
            FormVersion,
            Mailbox,
            MailItem,
            Mandate,
            Procedure,
            Request,
            RequestFile,
        )

        url_objects.register("online_procedure", Procedure)
        url_objects.register("form_version", FormVersion)
        url_objects.register("citizen_request", Request, restrict=selectors.restrict_requests)
        url_objects.register("request_file", RequestFile, restrict=selectors.restrict_requests)
        url_objects.register("mandate", Mandate)
        url_objects.register("mailbox", Mailbox)
        url_objects.register("mail_item", MailItem)
        url_objects.register("export", Export)
        url_objects.register("family_grant", FamilyGrant)
        # The secret of a tracking link (public pages); a wrong one answers 404.
        register_plain_parameter("token", sample="jeton-inconnu-0000")
        # A published procedure's address in the public catalogue (commune-scoped lookup).
        register_plain_parameter("procedure_slug", sample="demarche-inconnue")
        # A field's technical name in the form builder (``block.field`` inside a repeat block).
        register_plain_parameter("field_name", sample="details")
        # API: a request's tracking number, looked up in the key's commune and families.
        register_plain_parameter("request_number", sample="2000-99999")
        # Triage: the n-th attachment of a mail item (the item itself is a URL object).
        register_plain_parameter("attachment_number", sample=1)
        for family in Family:
            scopes.register(
                f"requests_{family.value}:read",
                _("Lire les demandes de la famille « %(family)s »") % {"family": family.label},
            )
            scopes.register(
                f"requests_{family.value}:write",
                _("Changer le statut des demandes de la famille « %(family)s »")
                % {"family": family.label},
            )
