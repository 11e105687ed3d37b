"""``clocher iot-school-holidays FILE``: import the national school calendar.

    clocher iot-school-holidays fr-en-calendrier-scolaire.csv

FILE is the Éducation nationale's open-data export ``fr-en-calendrier-scolaire`` (CSV, semicolon-
separated), downloaded by the operator from data.education.gouv.fr; Clocher never fetches it. The
periods of every (zone, school year) found in the file replace those already imported; all or
nothing. Schedules with a school-holiday condition read them for the commune's zone.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from clocher.iot.calendars import SchoolCalendarInvalid, school_holidays_import

MAX_BYTES = 20 * 1024 * 1024


class Command(BaseCommand):
    help = "Importe le calendrier scolaire national (fichier CSV de l'Éducation nationale)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="fr-en-calendrier-scolaire.csv")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(f"{path}: larger than {MAX_BYTES // 2**20} MB")
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        try:
            count = school_holidays_import(content)
        except (SchoolCalendarInvalid, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: {error}") from None
        self.stdout.write(f"{count} school holiday periods imported")
