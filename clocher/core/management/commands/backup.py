"""``clocher backup [--output PATH]``: write an encrypted archive of the database and the files.

See ``clocher.core.backup`` for the format and docs/operations.md for the procedure. The key ring
(or ``CLOCHER_BACKUP_KEY``) is needed to restore and is not in the archive: keep it elsewhere.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from clocher.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Write an encrypted archive of the database and the files (MEDIA_ROOT)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="Archive file or folder (default: BACKUP_DIR/clocher-<date>.clocherbackup).",
        )

    def handle(self, *args: Any, output: Path | None, **options: Any) -> None:
        try:
            result = create_backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backup written to {result.path} ({result.size} bytes, {result.file_count} files, "
            f"sha256 {result.sha256})."
        )
        self.stdout.write(
            "Keep the key ring (or CLOCHER_BACKUP_KEY) in a separate safe place: "
            "the archive cannot be restored without it."
        )
