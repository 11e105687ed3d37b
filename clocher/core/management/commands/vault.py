"""``clocher vault …``: key-encryption key rotation and crypto-shredding of a commune.

- ``new-kek [--id ID]`` prints a new key ring line (nothing is stored).
- ``status`` shows the key ring and which key wraps how many commune data keys.
- ``rotate-kek`` re-wraps every commune data key with the active (first) key of the ring.
- ``destroy-key --commune SLUG`` erases a commune's data key: all its sealed data, in the
  database, in files and in every backup, becomes unreadable for good. It refuses unless an
  export of the commune is in the audit journal (``clocher commune export``), or
  ``--without-export`` is given; it asks to type the commune's slug unless ``--yes``.

Rotation procedure (docs/operations.md): ``clocher vault new-kek`` → put the printed line FIRST
in the key ring file (or CLOCHER_KEK) of every process → restart them → ``clocher vault
rotate-kek`` → ``clocher vault status`` shows no data key left on the old key → remove the old
line → restart. Keep old key rings as long as backups made with them are kept.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from clocher.core import audit
from clocher.core.vault import envelope, keyring


class Command(BaseCommand):
    help = "Manage the vault: new key-encryption key, rotation, destruction of a commune's key."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        new = actions.add_parser("new-kek", help="Print a new key ring line.")
        new.add_argument("--id", dest="key_id", default=None, help="Key id (default: random).")
        actions.add_parser("status", help="Show the key ring and what each key wraps.")
        actions.add_parser("rotate-kek", help="Re-wrap every data key with the active key.")
        destroy = actions.add_parser("destroy-key", help="Crypto-shred one commune's data.")
        destroy.add_argument("--commune", required=True, help="The commune's slug.")
        destroy.add_argument(
            "--without-export",
            action="store_true",
            help="Destroy even though no export of the commune was recorded.",
        )
        destroy.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        destroy.add_argument("--reason", default="commune left the platform")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "new-kek":
            self.stdout.write(keyring.new_key_line(options["key_id"]))
            self.stderr.write(
                "Put this line FIRST in the key ring of every Clocher process, restart them, "
                "then run `clocher vault rotate-kek`."
            )
        elif action == "status":
            self._status()
        elif action == "rotate-kek":
            try:
                changed = envelope.rotate_kek()
            except envelope.VaultError as error:
                raise CommandError(str(error)) from error
            active = keyring.load_keyring().active_id
            self.stdout.write(f"{changed} data keys re-wrapped with {active}.")
        else:
            self._destroy(**options)

    def _status(self) -> None:
        from clocher.core.models import CommuneKey

        ring = keyring.load_keyring()
        used = Counter(
            CommuneKey.objects.filter(destroyed_at__isnull=True).values_list("kek_id", flat=True)
        )
        for key_id in ring.keys:
            marker = "active" if key_id == ring.active_id else "old"
            self.stdout.write(f"{key_id} ({marker}): wraps {used.pop(key_id, 0)} data keys")
        for key_id, count in used.items():
            self.stdout.write(f"{key_id} (MISSING from the ring): wraps {count} data keys")
        destroyed = CommuneKey.objects.filter(destroyed_at__isnull=False).count()
        self.stdout.write(f"{destroyed} destroyed data keys")

    def _destroy(
        self, *, commune: str, without_export: bool, yes: bool, reason: str, **options: Any
    ) -> None:
        from clocher.core.models import CommuneKey
        from clocher.tenancy.models import Commune

        target = Commune.objects.filter(slug=commune).first()
        if target is None:
            raise CommandError(f"No commune with slug {commune!r}.")
        key = CommuneKey.objects.filter(commune=target).first()
        if key is None or key.is_destroyed:
            raise CommandError(f"The commune {commune} has no live data key.")
        exported = audit.AuditEntry.objects.filter(
            commune=target, action=audit.AuditAction.EXPORT
        ).exists()
        if not exported and not without_export:
            raise CommandError(
                f"No export of {commune} is recorded in the audit journal: run "
                f"`clocher commune export --commune {commune} --output DIR` first, or pass "
                "--without-export if the commune really wants its data gone without a copy."
            )
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError("Refusing to destroy a key without --yes when not interactive.")
            answer = input(
                f"This makes ALL personal data of {target.name} unreadable, for good, including "
                f"in backups. Type the commune's slug ({commune}) to confirm: "
            )
            if answer.strip() != commune:
                raise CommandError("Not confirmed; nothing was destroyed.")
        envelope.destroy_commune_key(
            commune=target, reason=reason + ("" if exported else " (without export)")
        )
        self.stdout.write(
            f"The data key of {target.name} is destroyed; its sealed data can no longer be read. "
            "Other running processes drop their cached copy within a minute: restart them "
            "to be sure."
        )
