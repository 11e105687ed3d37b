"""``clocher iot``: integrations, device profiles and devices of Cité IoT.

    clocher iot create-integration --commune agey --kind chirpstack [--label "ChirpStack SDEC"]
    clocher iot profiles [--operator SLUG]
    clocher iot add-device --commune agey --dev-eui A81758FFFE0312E4 --profile elsys-ers-co2
    clocher iot purge-uplinks [--dry-run]

The integration token is printed once, at creation; only its hash is stored.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from clocher.iot import partitions
from clocher.iot.models import AdoptionChannel, DeviceProfile, IntegrationKind
from clocher.iot.services import retention
from clocher.iot.services.devices import device_add, profile_of_commune
from clocher.iot.services.integrations import integration_create
from clocher.iot.services.profiles import profiles_load
from clocher.tenancy.models import Commune, Operator


class Command(BaseCommand):
    help = "Intégrations, profils et objets de Cité IoT."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(
            dest="action",
            required=True,
            metavar="{create-integration,profiles,add-device,purge-uplinks}",
        )
        create = actions.add_parser(
            "create-integration", help="Crée une intégration et affiche son jeton une seule fois."
        )
        create.add_argument("--commune", required=True, help="Slug de la commune.")
        create.add_argument("--kind", required=True, choices=IntegrationKind.values)
        create.add_argument("--label", default="", help="Nom de l'intégration.")

        profiles = actions.add_parser("profiles", help="Liste les profils d'objets (slug, modèle).")
        profiles.add_argument("--operator", default=None, help="Slug de l'opérateur.")

        add = actions.add_parser("add-device", help="Enregistre un objet dans une commune.")
        add.add_argument("--commune", required=True, help="Slug de la commune.")
        add.add_argument("--dev-eui", required=True, dest="dev_eui", help="DevEUI (16 hexa).")
        add.add_argument("--profile", required=True, help="Slug du profil d'objet.")
        add.add_argument("--name", default="", help="Nom de l'objet (par défaut son DevEUI).")

        purge = actions.add_parser(
            "purge-uplinks",
            help="Supprime les remontées brutes et messages rejetés au-delà de leur durée "
            "de conservation (CLOCHER_IOT_RAW_RETENTION_DAYS).",
        )
        purge.add_argument(
            "--dry-run",
            action="store_true",
            dest="dry_run",
            help="Affiche ce qui serait supprimé, sans rien supprimer.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create-integration":
            self._create_integration(options["commune"], options["kind"], options["label"])
        elif action == "profiles":
            self._profiles(options["operator"])
        elif action == "purge-uplinks":
            self._purge_uplinks(dry_run=options["dry_run"])
        else:
            self._add_device(options["commune"], options["dev_eui"], options["profile"], options)

    def _commune(self, slug: str) -> Commune:
        commune = Commune.objects.select_related("operator").filter(slug=slug).first()
        if commune is None:
            raise CommandError(_("Commune inconnue : « %(slug)s ».") % {"slug": slug})
        if not commune.is_active:
            raise CommandError(_("La commune « %(slug)s » n'est plus active.") % {"slug": slug})
        return commune

    def _create_integration(self, slug: str, kind: str, label: str) -> None:
        commune = self._commune(slug)
        try:
            integration, token = integration_create(commune=commune, kind=kind, label=label)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            _("Intégration %(kind)s créée pour %(commune)s (préfixe %(prefix)s).")
            % {"kind": kind, "commune": commune.name, "prefix": integration.token_prefix}
        )
        self.stdout.write(token)

    def _operators(self, slug: str | None) -> list[Operator]:
        operators = Operator.objects.order_by("pk")
        if slug is not None:
            operators = operators.filter(slug=slug)
            if not operators.exists():
                raise CommandError(_("Opérateur inconnu : « %(slug)s ».") % {"slug": slug})
        return list(operators)

    def _profiles(self, operator_slug: str | None) -> None:
        for operator in self._operators(operator_slug):
            profiles = DeviceProfile.objects.filter(operator=operator)
            if not profiles.exists():
                profiles_load(operator=operator)
            for profile in profiles.order_by("slug"):
                self.stdout.write(f"{profile.slug}\t{profile.model}")

    def _add_device(self, slug: str, dev_eui: str, profile_slug: str, options: Any) -> None:
        commune = self._commune(slug)
        profile = profile_of_commune(commune, profile_slug)
        if (
            profile is None
            and not DeviceProfile.objects.filter(operator_id=commune.operator_id).exists()
        ):
            profiles_load(operator=commune.operator)
            profile = profile_of_commune(commune, profile_slug)
        if profile is None:
            raise CommandError(
                _("Profil inconnu : « %(slug)s » (voir « clocher iot profiles »).")
                % {"slug": profile_slug}
            )
        try:
            # A profile the commune had not adopted is adopted with the device (recorded).
            device = device_add(
                commune=commune,
                dev_eui=dev_eui,
                profile=profile,
                name=options["name"],
                adoption_channel=AdoptionChannel.COMMAND,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            _("Objet %(dev_eui)s (« %(name)s », %(profile)s) enregistré dans %(commune)s.")
            % {
                "dev_eui": device.dev_eui,
                "name": device.name,
                "profile": profile.slug,
                "commune": commune.name,
            }
        )

    def _purge_uplinks(self, *, dry_run: bool) -> None:
        if not dry_run:
            created = partitions.partitions_create_ahead()
            for name in created:
                self.stdout.write(_("Partition créée : %(name)s") % {"name": name})
        report = retention.uplinks_purge(dry_run=dry_run)
        local_cutoff = timezone.localtime(report.cutoff)
        self.stdout.write(
            (
                _("Simulation : rien n'est supprimé. Limite : %(cutoff)s (%(days)d jours).")
                if dry_run
                else _("Limite de conservation : %(cutoff)s (%(days)d jours).")
            )
            % {"cutoff": f"{local_cutoff:%Y-%m-%d %H:%M}", "days": retention.retention_days()}
        )
        labels = {
            "partition": _("partition %(name)s : %(count)d remontées brutes"),
            "uplinks": _("remontées brutes : %(count)d"),
            "rejected_messages": _("messages rejetés : %(count)d"),
            "health_counters": _("compteurs de santé : %(count)d"),
        }
        for item in report.items:
            line = labels[item.kind] % {"name": item.name, "count": item.count}
            if item.kind == "uplinks" and item.name:
                line += f" ({item.name})"
            self.stdout.write(("- " if dry_run else "✓ ") + line)
        if not report.items:
            self.stdout.write(_("Rien à supprimer."))
        self.stdout.write(
            (
                _("À supprimer : %(count)d remontées brutes.")
                if dry_run
                else _("Supprimé : %(count)d remontées brutes.")
            )
            % {"count": report.total()}
        )
