from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from clocher.core.modules import ModuleInfo


class IotConfig(AppConfig):
    name = "clocher.iot"
    label = "iot"
    verbose_name = "Cité IoT"
    # No pages yet: the ingestion endpoints and the measurements API (issue 4, in progress).
    clocher_module = ModuleInfo(
        url_prefix="iot",
        title=_("Cité IoT"),
        description=_("Objets connectés de la commune : capteurs, compteurs, commandes."),
        api_router="clocher.iot.api.router",
        api_prefix="",
        order=60,
    )

    def ready(self) -> None:
        from clocher.core.api import scopes
        from clocher.core.scoping import register_plain_parameter

        register_plain_parameter("dev_eui", sample="0000000000000000")
        scopes.register("iot:read", _("Lire les mesures des objets connectés"))
