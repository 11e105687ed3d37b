from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clocher.core"
    label = "core"
    verbose_name = "Clocher core"

    def ready(self) -> None:
        from clocher.core import rls
        from clocher.core.models import ApiKey
        from clocher.core.scoping import url_objects

        rls.connect_signals()
        url_objects.register("api_key", ApiKey)
