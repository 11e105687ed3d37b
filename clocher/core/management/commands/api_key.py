"""``clocher api-key``: create, list and revoke a commune's API keys.

    clocher api-key create --commune agey --name "Logiciel SIG" --scope cimetiere:read
    clocher api-key list --commune agey
    clocher api-key revoke --commune agey clk_1a2b3c4d

The key is printed once, at creation; it is stored only as a hash and cannot be shown again.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from clocher.core.api import scopes as scope_registry
from clocher.core.api.selectors import api_key_of_commune_by_prefix, api_keys_of_commune
from clocher.core.api.services import api_key_create, api_key_revoke
from clocher.tenancy.models import Commune

ACTOR = "commande clocher api-key"


class Command(BaseCommand):
    help = "Crée, liste et révoque les clés d'API d'une commune."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{create,list,revoke,scopes}"
        )

        create = actions.add_parser("create", help="Crée une clé et l'affiche une seule fois.")
        create.add_argument("--commune", required=True, help="Slug de la commune.")
        create.add_argument("--name", required=True, help="Nom de la clé (à quoi elle sert).")
        create.add_argument(
            "--scope",
            action="append",
            default=[],
            dest="scopes",
            help="Portée accordée (répéter l'option pour en donner plusieurs).",
        )

        listing = actions.add_parser("list", help="Liste les clés de la commune (sans secret).")
        listing.add_argument("--commune", required=True, help="Slug de la commune.")

        revoke = actions.add_parser("revoke", help="Révoque une clé, désignée par son préfixe.")
        revoke.add_argument("--commune", required=True, help="Slug de la commune.")
        revoke.add_argument("prefix", help="Préfixe de la clé, par exemple clk_1a2b3c4d.")

        actions.add_parser("scopes", help="Liste les portées disponibles.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "scopes":
            self._scopes()
            return
        commune = self._commune(options["commune"])
        if action == "create":
            self._create(commune, options["name"], options["scopes"])
        elif action == "list":
            self._list(commune)
        else:
            self._revoke(commune, options["prefix"])

    def _commune(self, slug: str) -> Commune:
        commune = Commune.objects.filter(slug=slug).first()
        if commune is None:
            raise CommandError(_("Commune inconnue : « %(slug)s ».") % {"slug": slug})
        return commune

    def _create(self, commune: Commune, name: str, scopes: list[str]) -> None:
        if not commune.is_active:
            raise CommandError(
                _("La commune « %(slug)s » n'est plus active.") % {"slug": commune.slug}
            )
        try:
            api_key, token = api_key_create(commune=commune, name=name, scopes=scopes, actor=ACTOR)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            _("Clé d'API « %(name)s » créée pour %(commune)s (préfixe %(prefix)s).")
            % {"name": api_key.name, "commune": commune.name, "prefix": api_key.prefix}
        )
        self.stdout.write(_("Portées : %(scopes)s") % {"scopes": ", ".join(api_key.scopes) or "—"})
        self.stdout.write("")
        self.stdout.write(token)
        self.stdout.write("")
        self.stdout.write(
            self.style.WARNING(
                _(
                    "Attention : cette clé ne sera plus jamais affichée. Copiez-la maintenant dans "
                    "un endroit sûr ; si elle est perdue, révoquez-la et créez-en une autre."
                )
            )
        )

    def _list(self, commune: Commune) -> None:
        api_keys = list(api_keys_of_commune(commune))
        if not api_keys:
            self.stdout.write(_("Aucune clé d'API pour %(commune)s.") % {"commune": commune.name})
            return
        for api_key in api_keys:
            state = (
                _("révoquée le %(date)s") % {"date": _format(api_key.revoked_at)}
                if api_key.revoked_at
                else _("en service")
            )
            self.stdout.write(
                "\t".join(
                    [
                        api_key.prefix,
                        api_key.name,
                        ",".join(api_key.scopes) or "—",
                        _("créée le %(date)s") % {"date": _format(api_key.created_at)},
                        _("utilisée le %(date)s") % {"date": _format(api_key.last_used_at)}
                        if api_key.last_used_at
                        else _("jamais utilisée"),
                        state,
                    ]
                )
            )

    def _revoke(self, commune: Commune, prefix: str) -> None:
        api_key = api_key_of_commune_by_prefix(commune, prefix.strip())
        if api_key is None:
            raise CommandError(
                _("Aucune clé d'API de préfixe « %(prefix)s » dans la commune « %(slug)s ».")
                % {"prefix": prefix, "slug": commune.slug}
            )
        if api_key.revoked_at is not None:
            self.stdout.write(
                _("La clé %(prefix)s était déjà révoquée (le %(date)s).")
                % {"prefix": api_key.prefix, "date": _format(api_key.revoked_at)}
            )
            return
        api_key_revoke(api_key=api_key, actor=ACTOR)
        self.stdout.write(
            self.style.SUCCESS(
                _("Clé %(prefix)s (« %(name)s ») révoquée : elle est refusée dès maintenant.")
                % {"prefix": api_key.prefix, "name": api_key.name}
            )
        )

    def _scopes(self) -> None:
        available = scope_registry.all_scopes()
        if not available:
            self.stdout.write(_("Aucune portée n'est déclarée par les modules installés."))
        for scope in available:
            self.stdout.write(f"{scope.name}\t{scope.description}")


def _format(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else "—"
