"""``clocher bench <module>``: benchmarks that drive a module's real pipeline under load.

    clocher bench iot --devices N --messages M [--database-url URL] [--broker URL] …

Each prints its progress, then, as its last line, one JSON object with its figures (quoted in
docs/performance.md with the command that produced them).
"""

from __future__ import annotations

import json
import os
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Mesure les performances d'un module sur sa chaîne réelle (voir docs/performance.md)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        modules = parser.add_subparsers(dest="module", required=True)
        iot = modules.add_parser("iot", help="Réception des objets connectés de bout en bout.")
        iot.add_argument("--devices", type=int, default=1000)
        iot.add_argument("--messages", type=int, default=100_000)
        iot.add_argument(
            "--database-url",
            dest="database_url",
            default=None,
            help="Serveur PostgreSQL (postgres://…, base clocher_bench_iot recréée) ou "
            "fichier SQLite neuf (chemin ou sqlite:///chemin).",
        )
        iot.add_argument("--broker", default=None, help="mqtt://hôte:port")
        iot.add_argument(
            "--private-broker",
            dest="private_broker",
            action="store_true",
            help="Démarrer un Mosquitto propre à la mesure (file d'attente par client étendue).",
        )
        iot.add_argument(
            "--readings",
            type=int,
            default=6,
            choices=(3, 6),
            help="Mesures par message : les six d'un Elsys ERS CO2, ou température, humidité "
            "et CO2.",
        )
        iot.add_argument("--workers", type=int, default=None)
        iot.add_argument("--batch-size", dest="batch_size", type=int, default=500)
        iot.add_argument("--rate", type=float, default=0.0, help="Messages/s (0 : au plus vite).")
        iot.add_argument("--window", type=int, default=None)
        iot.add_argument("--probe-interval", dest="probe_interval", type=float, default=0.2)
        iot.add_argument("--in-this-database", dest="here", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        from clocher.iot import bench

        broker = (
            options["broker"]
            or settings.IOT_MQTT_URL
            or os.environ.get("CLOCHER_TEST_MQTT_URL", "")
        )
        if options["private_broker"]:
            if bench.mosquitto_path() is None:
                raise CommandError(_("--private-broker : Mosquitto n'est pas installé."))
            broker = "private"
        if not broker:
            raise CommandError(
                _("Aucun broker MQTT : --broker, CLOCHER_IOT_MQTT_URL ou CLOCHER_TEST_MQTT_URL.")
            )
        if options["devices"] < 1 or options["messages"] < 1:
            raise CommandError(_("--devices et --messages doivent être positifs."))
        database_url = options["database_url"]
        workers = options["workers"]
        if workers is None:
            postgres = (database_url or "").startswith("postgres")
            workers = (
                2
                if postgres
                or (
                    options["here"]
                    and settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
                )
                else 1
            )
        bench_options = bench.BenchOptions(
            devices=options["devices"],
            messages=options["messages"],
            workers=max(1, workers),
            batch_size=max(1, options["batch_size"]),
            rate=max(0.0, options["rate"]),
            # A default Mosquitto keeps about 1,000 messages per client (max_queued_messages,
            # what is in flight included) and drops QoS 1 messages beyond: stay well under it,
            # the shared subscription does not split the messages evenly at every moment.
            window=max(1, options["window"] or (4000 if options["private_broker"] else 800)),
            probe_interval=max(0.01, options["probe_interval"]),
            broker=broker,
            private_broker=options["private_broker"],
            readings=options["readings"],
        )
        try:
            if options["here"]:
                figures = bench.run_here(bench_options, self.stderr)
                self.stdout.write(json.dumps(figures))
                return
            code = bench.run(bench_options, database_url, self.stdout)
        except bench.BenchError as error:
            raise CommandError(str(error)) from error
        if code:
            raise CommandError(_("La mesure a échoué (code %(code)d).") % {"code": code})
