"""Benchmark: the cemetery import (issue 5: a 10,000-line spreadsheet in < 20 s).

Generates a 10,000-line CSV like a secretary's (Windows-1252, semicolons, French headers and
dates, 3,500 plots of every kind, concession columns repeated on each burial line, holders with
addresses), then, in a throwaway SQLite database (a temporary ``CLOCHER_DATA_DIR``, migrated):

- baseline: decode the file and read it with ``csv.reader`` (no checks);
- parse + validate: ``parse_file`` (every value and every cross-line rule);
- full import into an empty commune (parse, validate, write, quality report), each run in a
  new commune so that everything is created; write = full import − parse;
- re-import of the same file (everything found unchanged).

Medians of 3 runs. Run: ``.venv/bin/python bench/cemetery_import.py`` (figures go to
docs/performance.md).
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

LINES = 10_000
RUNS = 3
TODAY = date(2026, 6, 15)
HEADER = (
    "Cimetière;Carré;Emplacement;Type;Numéro de concession;Type de concession;Date de l'acte;"
    "Durée;Concessionnaire;Adresse;Défunt;Né le;Décédé le;Inhumé le"
)
PLOT_WORDS = ["terrain", "caveau", "case", "cavurne", "pleine terre"]
KINDS = [("temporaire", "15"), ("trentenaire", ""), ("cinquantenaire", ""), ("perpétuelle", "")]
NAMES = ["MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "LEFÈVRE"]
FIRST = ["Jean", "Marie", "Émilie", "Pierre", "Louise", "André", "Hélène", "Paul"]


def _french(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def generate(lines: int = LINES, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    rows = [HEADER]
    plot = 0
    while len(rows) <= lines:
        plot += 1
        section = f"{chr(65 + plot % 12)}"
        if plot % 10 == 0:
            # Common ground: no concession, one burial.
            death = date(1900, 1, 1) + timedelta(days=rng.randrange(40_000))
            rows.append(
                f"Cimetière communal;{section};{plot};terrain commun;;;;;;;"
                f"{rng.choice(NAMES)} {rng.choice(FIRST)};;{_french(death)};"
                f"{_french(death + timedelta(days=4))}"
            )
            continue
        act = date(1920, 1, 1) + timedelta(days=rng.randrange(36_000))
        kind, duration = KINDS[plot % 4]
        holder = f"{rng.choice(NAMES)} {rng.choice(FIRST)}"
        address = f"{rng.randrange(1, 80)} rue de l'Église, 21000 Agey"
        concession = (
            f"Cimetière communal;{section};{plot};{PLOT_WORDS[plot % 5]};C-{plot};{kind};"
            f"{act.isoformat() if plot % 3 else _french(act)};{duration};{holder};{address}"
        )
        for _burial in range(rng.choice([0, 1, 2, 3, 4])):
            birth = act - timedelta(days=rng.randrange(20_000, 30_000))
            death = act + timedelta(days=rng.randrange(0, 3_000))
            if death >= TODAY:
                death = act
            rows.append(
                f"{concession};{rng.choice(NAMES)} {rng.choice(FIRST)} {len(rows)};"
                f"{_french(birth)};{_french(death)};{_french(death + timedelta(days=3))}"
            )
        if len(rows) <= lines:
            rows.append(f"{concession};;;;")
    return ("\r\n".join(rows[: lines + 1]) + "\r\n").encode("cp1252")


def _setup(data_dir: str) -> None:
    os.environ["CLOCHER_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clocher.config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _median(function: Callable[[], Any]) -> tuple[float, Any]:
    times = []
    result = None
    for _run in range(RUNS):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    data_dir = tempfile.mkdtemp(prefix="clocher-bench-import-")
    try:
        _setup(data_dir)
        from django.utils import translation

        from clocher.cimetiere.services.imports import import_cemetery_file, parse_file
        from clocher.tenancy.models import Operator
        from clocher.tenancy.services import commune_create

        translation.activate("fr")
        data = generate()
        operator = Operator.objects.create(name="Bench", slug="bench")
        communes = iter(
            commune_create(
                operator=operator, insee_code=f"21{n:03d}", name=f"Banc {n}", slug=f"banc-{n}"
            )
            for n in range(RUNS + 1)
        )

        def baseline() -> int:
            return sum(1 for _row in csv.reader(io.StringIO(data.decode("cp1252")), delimiter=";"))

        baseline_time, rows = _median(baseline)
        parse_time, parsed = _median(lambda: parse_file(data, today=TODAY))
        assert not parsed.errors, [str(message) for message in parsed.errors[:5]]
        import_time, result = _median(
            lambda: import_cemetery_file(commune=next(communes), data=data, today=TODAY)
        )
        commune = next(communes)
        import_cemetery_file(commune=commune, data=data, today=TODAY)
        again_time, again = _median(
            lambda: import_cemetery_file(commune=commune, data=data, today=TODAY)
        )
        counts = {key: value.created for key, value in result.counts.items()}
        print(f"file: {rows - 1} lines, {len(data) / 1024:.0f} KiB; created {counts}")
        print(f"baseline: csv.reader only                 median {baseline_time * 1000:8.1f} ms")
        print(f"parse + validate                          median {parse_time * 1000:8.1f} ms")
        print(
            f"write (full import − parse)               median "
            f"{(import_time - parse_time) * 1000:8.1f} ms"
        )
        print(f"full import into an empty commune         median {import_time * 1000:8.1f} ms")
        unchanged = sum(value.unchanged for value in again.counts.values())
        print(f"re-import, all {unchanged} objects unchanged   median {again_time * 1000:8.1f} ms")
        target = 20.0
        verdict = "OK" if import_time < target else "TOO SLOW"
        print(f"target < {target:.0f} s for 10,000 lines: {verdict}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
