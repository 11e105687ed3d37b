"""``clocher audit verify`` and ``clocher audit head``: check the hash chain of the audit journal.

``verify`` walks the whole journal and exits 1, listing every break, if an entry was altered,
inserted or removed. A removal *at the end* leaves a shorter valid chain: to catch it, keep the
hash that ``head`` prints somewhere else (a ticket, a mail, a printed register) and pass it later
with ``verify --expect HASH``, which also checks that entry is still in the chain.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from clocher.core import audit


class Command(BaseCommand):
    help = "Verify the audit journal's hash chain, or print its head."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{verify,head}")
        verify = actions.add_parser("verify", help="Walk the whole chain; exit 1 on a break.")
        verify.add_argument(
            "--expect",
            metavar="HASH",
            default="",
            help="A head printed earlier by `clocher audit head`, that must still be in the chain.",
        )
        actions.add_parser("head", help="Print the hash of the last entry.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "head":
            last = audit.AuditEntry.objects.order_by("-id").first()
            if last is None:
                self.stdout.write(f"{audit.head()} (empty journal)")
            else:
                self.stdout.write(
                    f"{last.entry_hash} (entry {last.pk}, {last.created_at.isoformat()})"
                )
            return
        checked, breaks = audit.verify_chain()
        expected = options.get("expect", "").strip()
        if expected and not audit.AuditEntry.objects.filter(entry_hash=expected).exists():
            breaks.append(
                audit.ChainBreak(
                    0,
                    f"the expected head {expected} is not in the journal: "
                    "entries were removed from its end",
                )
            )
        if not breaks:
            self.stdout.write(f"{checked} entries, chain intact")
            return
        for item in breaks:
            where = f"entry {item.entry_id}" if item.entry_id else "journal"
            self.stdout.write(f"BREAK at {where}: {item.reason}")
        raise CommandError(f"{checked} entries, {len(breaks)} break(s) in the chain", returncode=1)
