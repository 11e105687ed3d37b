"""``clocher iot-ingest``: the MQTT ingestion worker of one integration.

    clocher iot-ingest --integration-prefix cit_1a2b3c4d [--broker mqtt://127.0.0.1:1883]
    clocher iot-ingest --commune agey --kind chirpstack [--application 42] [--group clocher]

The broker defaults to ``CLOCHER_IOT_MQTT_URL``. Several workers with the same ``--group`` share
the load (MQTT shared subscription); each needs its own ``--client-id`` (by default one per
integration and host), kept across restarts so the broker redelivers what was not acknowledged.
SIGTERM or SIGINT: the message in hand is finished, the worker disconnects and exits.
"""

from __future__ import annotations

import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from clocher.iot.models import IntegrationKind
from clocher.iot.mqtt import (
    BATCH_SIZE,
    DEFAULT_GROUP,
    MQTT_VERSIONS,
    BrokerUrlError,
    IngestWorker,
    parse_broker_url,
    settle_garbage_collector,
    worker_integration,
)


class Command(BaseCommand):
    help = "Reçoit les messages d'une intégration ChirpStack ou TTS depuis un broker MQTT."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--integration-prefix", dest="prefix", default=None, help="Préfixe du jeton."
        )
        parser.add_argument("--commune", default=None, help="Slug de la commune.")
        parser.add_argument(
            "--kind", default=None, choices=[IntegrationKind.CHIRPSTACK, IntegrationKind.TTS]
        )
        parser.add_argument("--broker", default=None, help="mqtt://hôte:port (mqtts:// en TLS).")
        parser.add_argument(
            "--application",
            action="append",
            default=[],
            help="Identifiant d'application à suivre (répétable ; toutes par défaut).",
        )
        parser.add_argument(
            "--group",
            default=DEFAULT_GROUP,
            help="Groupe d'abonnement partagé (vide : abonnement non partagé).",
        )
        parser.add_argument("--client-id", dest="client_id", default=None)
        parser.add_argument(
            "--mqtt-version", dest="mqtt_version", default="5", choices=MQTT_VERSIONS
        )
        parser.add_argument(
            "--batch-size",
            dest="batch_size",
            type=int,
            default=BATCH_SIZE,
            help="Messages au plus enregistrés dans une même transaction.",
        )
        parser.add_argument(
            "--stats-interval",
            dest="stats_interval",
            type=float,
            default=60.0,
            help="Secondes entre deux journalisations des compteurs.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["broker"] or settings.IOT_MQTT_URL
        if not url:
            raise CommandError(_("Aucun broker MQTT : --broker ou CLOCHER_IOT_MQTT_URL."))
        try:
            broker = parse_broker_url(url)
        except BrokerUrlError as error:
            raise CommandError(
                _("Adresse de broker invalide : %(error)s") % {"error": error}
            ) from error
        try:
            integration = worker_integration(
                prefix=options["prefix"], commune_slug=options["commune"], kind=options["kind"]
            )
        except LookupError as error:
            raise CommandError(
                _("Intégration introuvable : %(error)s") % {"error": error}
            ) from error
        try:
            worker = IngestWorker(
                integration=integration,
                broker=broker,
                applications=options["application"],
                group=options["group"],
                client_id=options["client_id"],
                mqtt_version=options["mqtt_version"],
                stats_interval_s=options["stats_interval"],
                batch_size=options["batch_size"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGTERM, signal.SIGINT):
                signal.signal(number, lambda _signum, _frame: worker.stop())
        self.stdout.write(
            _("Réception MQTT de l'intégration %(prefix)s (%(commune)s) depuis %(broker)s.")
            % {
                "prefix": integration.token_prefix,
                "commune": integration.commune.name,
                "broker": broker,
            }
        )
        settle_garbage_collector()
        counters = worker.run()
        self.stdout.write(" ".join(f"{name}={value}" for name, value in counters.as_dict().items()))
