from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "clocher.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        from clocher.core.scoping import url_objects
        from clocher.tenancy.models import Membership

        url_objects.register("membership", Membership)
