from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from clocher.core.modules import ModuleInfo


class CimetiereConfig(AppConfig):
    name = "clocher.cimetiere"
    label = "cimetiere"
    verbose_name = "Cimetière"
    clocher_module = ModuleInfo(
        url_prefix="cimetiere",
        title=_("Cimetière"),
        description=_(
            "Emplacements, concessions et défunts, échéances légales, renouvellements, plan, "
            "registres et documents."
        ),
        staff_urls="clocher.cimetiere.staff_urls",
        public_urls="clocher.cimetiere.public_urls",
        public_home="public:cimetiere:find-grave",
        public_available="clocher.cimetiere.selectors.public_search_enabled",
        api_router="clocher.cimetiere.api.router",
        api_prefix="communes/{commune_slug}/cemetery",
        staff_home="staff:cimetiere:home",
        demo_data="clocher.cimetiere.demo.load",
        order=40,
    )

    def ready(self) -> None:
        from clocher.cimetiere.models import (
            Cemetery,
            Concession,
            Deceased,
            Operation,
            Plot,
            Section,
        )
        from clocher.core.api import scopes
        from clocher.core.scoping import url_objects

        url_objects.register("cemetery", Cemetery)
        url_objects.register("plot", Plot)
        url_objects.register("concession", Concession)
        url_objects.register("deceased", Deceased)
        url_objects.register("operation", Operation)
        url_objects.register("section", Section)
        scopes.register("cemetery:read", _("Lire les concessions et les emplacements du cimetière"))

        from clocher.cimetiere.models import AbandonmentProcedure
        from clocher.core.scoping import register_plain_parameter

        url_objects.register("procedure", AbandonmentProcedure)
        # A report's photo: a vault file UUID, checked against the procedure by the view.
        register_plain_parameter("photo", sample="00000000-0000-4000-8000-000000000000")

        from clocher.cimetiere.models import Holder

        url_objects.register("holder", Holder)
