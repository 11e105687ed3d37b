"""``clocher restore PATH [--yes] [--check]``: verify an archive, then restore it.

The whole archive is decrypted and checked (every part authenticated, every file's SHA-256)
before anything is replaced. Then the files under MEDIA_ROOT and the database are replaced by the
archive's. Stop `clocher run` and the workers first; run `clocher migrate` afterwards if the
archive comes from an older version.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from clocher.core.backup import BackupError, restore_backup, verify_backup


class Command(BaseCommand):
    help = "Verify a backup archive, then replace the database and files with its content."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("archive", type=Path, help="The .clocherbackup file.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument(
            "--check", action="store_true", help="Only verify the archive; change nothing."
        )

    def handle(self, *args: Any, archive: Path, yes: bool, check: bool, **options: Any) -> None:
        try:
            if check:
                manifest = verify_backup(archive)
                self.stdout.write(
                    f"Archive intact: {manifest['database']['vendor']} database and "
                    f"{len(manifest['members']) - 1} files, made {manifest['created_at']}."
                )
                return
            if not yes:
                self._confirm()
            result = restore_backup(archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the database and {result.file_count} files from {archive} "
            f"(made {result.manifest['created_at']})."
        )
        if result.pending_migrations:
            self.stdout.write(
                f"The archive predates {len(result.pending_migrations)} migrations: "
                "run `clocher migrate` now."
            )

    def _confirm(self) -> None:
        if not sys.stdin.isatty():
            raise CommandError("Refusing to restore without --yes when not run interactively.")
        database = connection.settings_dict["NAME"]
        answer = input(
            f"This REPLACES the database {database} and every file under MEDIA_ROOT. "
            "Type 'restore' to go on: "
        )
        if answer.strip() != "restore":
            raise CommandError("Restore cancelled; nothing was changed.")
