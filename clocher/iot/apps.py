from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from clocher.core.modules import ModuleInfo


class IotConfig(AppConfig):
    name = "clocher.iot"
    label = "iot"
    verbose_name = "Cité IoT"
    # Issue 4: registry, ingestion (HTTP, MQTT), dashboards, alerts, reports, remote control,
    # ingestion health, open data.
    clocher_module = ModuleInfo(
        url_prefix="iot",
        title=_("Cité IoT"),
        description=_("Objets connectés de la commune : capteurs, compteurs, commandes."),
        api_router="clocher.iot.api.router",
        api_prefix="",
        staff_urls="clocher.iot.staff_urls",
        staff_home="staff:iot:overview",
        demo_data="clocher.iot.demo.load",
        order=60,
    )

    def ready(self) -> None:
        from clocher.core.api import scopes
        from clocher.core.scoping import register_plain_parameter

        register_plain_parameter("dev_eui", sample="0000000000000000")
        scopes.register("iot:read", _("Lire les mesures des objets connectés"))

        from clocher.core.scoping import url_objects
        from clocher.iot.models import Device

        url_objects.register("device", Device)
        # A commune's adoption of a shared device profile (stopping it).
        from clocher.iot.models import ProfileAdoption

        url_objects.register("profile_adoption", ProfileAdoption)
        # A building's name as typed in the registry (``Device.building``): the staff building page.
        register_plain_parameter("building", sample="Batiment-inconnu")
        # Open data (SensorThings API): Things and Locations are devices, Datastreams published
        # datastreams; a Sensor is a shared device profile, an ObservedProperty a quantity name.
        from clocher.iot.models import PublishedDatastream

        url_objects.register("thing_id", Device)
        url_objects.register("location_id", Device)
        url_objects.register("datastream_id", PublishedDatastream)
        register_plain_parameter("sensor_id", sample=0)
        register_plain_parameter("observation_id", sample=0)
        register_plain_parameter("quantity", sample="grandeur-inconnue")

        # Periodic upkeep (partitions ahead, raw-uplink retention): the scheduler's
        # autodiscovery imports ``tasks`` modules only.
        from clocher.iot import tasks_ops  # noqa: F401

        # Remote control: commands and schedules are commune objects; a command name is the
        # profile's (an unknown one is a 404). Its periodic jobs live in tasks_control.
        from clocher.iot.models import Command, Schedule

        url_objects.register("command", Command)
        url_objects.register("schedule", Schedule)
        register_plain_parameter("command_name", sample="commande-inconnue")
        import clocher.iot.tasks_control  # noqa: F401  (registers the periodic jobs)

        # Alerts: an alert, a rule, a person on the on-duty list.
        from clocher.iot.models import Alert, AlertRecipient, AlertRule

        url_objects.register("alert", Alert)
        url_objects.register("alert_rule", AlertRule)
        url_objects.register("alert_recipient", AlertRecipient)

        # The demo's live feed: one reading per demo sensor every five minutes (demo only).
        from clocher.iot import tasks_demo  # noqa: F401  (registers the periodic job)
