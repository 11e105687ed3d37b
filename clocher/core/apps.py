from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clocher.core"
    label = "core"
    verbose_name = "Clocher core"

    def ready(self) -> None:
        from clocher.core import rls

        rls.connect_signals()
