"""``clocher cemetery import --commune SLUG FILE.csv [--dry-run]``: load a cemetery spreadsheet.

Prints what was created, updated or left unchanged, and the warnings; with errors, prints them
line by line, writes nothing and exits with status 1. See
``clocher.cimetiere.services.imports`` for the accepted columns and words.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from clocher.cimetiere.services.imports import (
    MAX_IMPORT_BYTES,
    ImportFileRejected,
    import_cemetery_file,
)


class Command(BaseCommand):
    help = "Cemetery operations: import (a spreadsheet of plots, concessions and burials)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("import", help="Import a CSV of plots, concessions, burials.")
        load.add_argument("--commune", required=True, help="The commune's slug.")
        load.add_argument("file", type=Path, help="The CSV file (UTF-8 or Windows-1252).")
        load.add_argument(
            "--dry-run", action="store_true", help="Check and count, but write nothing."
        )
        load.add_argument(
            "--cemetery",
            default="",
            help="Cemetery name for lines that do not give one.",
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        from clocher.tenancy.models import Commune

        translation.activate("fr")
        commune = Commune.objects.filter(slug=options["commune"]).first()
        if commune is None:
            raise CommandError(f"Commune inconnue : {options['commune']!r}.")
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Lecture impossible de {path} : {error.strerror}.") from error
        if len(data) > MAX_IMPORT_BYTES:
            raise CommandError(
                f"{path} dépasse la taille maximale de {MAX_IMPORT_BYTES // (1024 * 1024)} Mo."
            )
        try:
            result = import_cemetery_file(
                commune=commune,
                data=data,
                today=timezone.localdate(),
                dry_run=options["dry_run"],
                default_cemetery=options["cemetery"],
            )
        except ImportFileRejected as error:
            raise CommandError(str(error)) from error
        for message in result.errors:
            self.stderr.write(f"ERREUR  {message}")
        for message in result.warnings:
            self.stderr.write(f"ATTENTION  {message}")
        if result.errors:
            raise CommandError(
                f"{len(result.errors)} erreur(s) : rien n'a été importé. "
                "Corrigez le fichier puis relancez l'import.",
                returncode=1,
            )
        parsed = result.parsed
        heading = "Simulation (rien n'est écrit)" if options["dry_run"] else "Import terminé"
        self.stdout.write(
            f"{heading} : {parsed.line_count} lignes lues "
            f"({parsed.encoding}, séparateur {parsed.delimiter!r})."
        )
        self.stdout.write(f"{'':18} {'créés':>8} {'modifiés':>9} {'inchangés':>10}")
        for label, counts in result.count_rows():
            self.stdout.write(
                f"{label:18} {counts.created:>8} {counts.updated:>9} {counts.unchanged:>10}"
            )
        if result.quality is not None and result.quality.count:
            self.stdout.write(
                f"Qualité des données : score moyen {result.quality.average_score}/100 "
                f"sur {result.quality.count} concession(s)."
            )
            for label, count in result.quality.issue_counts:
                self.stdout.write(f"  {label} : {count}")
