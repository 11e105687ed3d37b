"""``clocher commune export --commune SLUG --output DIR|ZIP``: a commune's data, decrypted.

See ``clocher.core.commune_export`` for the content. The export holds personal data in clear:
the file is created readable by its owner only. It is journaled for the commune.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from clocher.core.commune_export import export_commune
from clocher.core.vault import VaultKeyDestroyed


class Command(BaseCommand):
    help = "Commune operations: export (all of a commune's data, decrypted, in a zip)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="Export all of a commune's data in a zip.")
        export.add_argument("--commune", required=True, help="The commune's slug.")
        export.add_argument(
            "--output", required=True, type=Path, help="A folder, or a file name ending in .zip."
        )

    def handle(self, *args: Any, action: str, commune: str, output: Path, **options: Any) -> None:
        from clocher.tenancy.models import Commune

        target = Commune.objects.filter(slug=commune).first()
        if target is None:
            raise CommandError(f"No commune with slug {commune!r}.")
        try:
            result = export_commune(commune=target, output=output)
        except VaultKeyDestroyed as error:
            raise CommandError(
                f"The data key of {commune} was destroyed: its data can no longer be exported."
            ) from error
        self.stdout.write(
            f"Exported {result.rows} rows and {result.files} files of {target.name} to "
            f"{result.path} (sha256 {result.sha256})."
        )
