"""Benchmark: the legal clock of a whole commune (issue 5: < 1 s for 10,000 plots, 30,000 burials).

Builds, in a throwaway SQLite database (a temporary ``CLOCHER_DATA_DIR``, migrated), one commune
with a cemetery of 10,000 plots, ~8,000 concessions of every kind and age (about 1,500 of them
renewed) and 30,000 burials, then times ``clocks_for_commune`` and ``plot_states`` (median of 5
runs) against a baseline that only reads the same rows (``values_list``, no computation).

Run: ``.venv/bin/python bench/cemetery_legal_clock.py`` (figures go to docs/performance.md).
"""

from __future__ import annotations

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

PLOTS = 10_000
CONCESSIONS = 8_000
BURIALS = 30_000
RENEWED = 1_500
RUNS = 5
TODAY = date(2026, 6, 15)


def _setup(data_dir: str) -> None:
    os.environ["CLOCHER_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clocher.config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _build() -> Any:
    from django.db import transaction

    from clocher.cimetiere.models import (
        Burial,
        Cemetery,
        Concession,
        ConcessionKind,
        ConcessionRenewal,
        Deceased,
        Plot,
        PlotKind,
        Section,
    )
    from clocher.tenancy.models import Operator
    from clocher.tenancy.services import commune_create

    rng = random.Random(5)
    operator = Operator.objects.create(name="Bench", slug="bench")
    commune = commune_create(operator=operator, insee_code="21999", name="Banc", slug="banc")
    with transaction.atomic():
        cemetery = Cemetery.objects.create(commune=commune, name="Cimetière communal")
        sections = Section.objects.bulk_create(
            Section(commune=commune, cemetery=cemetery, name=f"Carré {n}", position=n)
            for n in range(20)
        )
        plots = Plot.objects.bulk_create(
            Plot(
                commune=commune,
                cemetery=cemetery,
                section=sections[n % 20],
                number=str(n),
                kind=PlotKind.COMMON_GROUND
                if n >= CONCESSIONS + 1_000
                else PlotKind.CONCESSION_GROUND,
                capacity=4,
                grid_x=n % 100,
                grid_y=n // 100,
            )
            for n in range(PLOTS)
        )
        kinds = [
            (ConcessionKind.TEMPORARY, 15),
            (ConcessionKind.THIRTY_YEARS, None),
            (ConcessionKind.FIFTY_YEARS, None),
            (ConcessionKind.PERPETUAL, None),
            (ConcessionKind.CENTENARY, None),
        ]
        concessions = Concession.objects.bulk_create(
            Concession(
                commune=commune,
                plot=plots[n],
                number=f"{n:05d}",
                act_date=date(1900, 1, 1) + timedelta(days=rng.randrange(46_000)),
                kind=kinds[n % 5][0],
                duration_years=kinds[n % 5][1],
                ended_on=date(2010, 1, 1) if n % 40 == 0 else None,
            )
            for n in range(CONCESSIONS)
        )
        ConcessionRenewal.objects.bulk_create(
            ConcessionRenewal(
                commune=commune,
                concession=concessions[n],
                decided_on=date(2000, 1, 1),
                period_start=date(1990, 1, 1) + timedelta(days=rng.randrange(12_000)),
                kind=ConcessionKind.THIRTY_YEARS,
            )
            for n in range(0, RENEWED * 5, 5)
            if n < CONCESSIONS
        )
        dead = Deceased.objects.bulk_create(
            Deceased(
                commune=commune,
                last_name=f"NOM{n}",
                first_names="Jean",
                death_date=date(1900, 1, 1) + timedelta(days=rng.randrange(46_000)),
            )
            for n in range(BURIALS)
        )
        Burial.objects.bulk_create(
            Burial(
                commune=commune,
                deceased=dead[n],
                plot=plots[n % PLOTS],
                concession=concessions[n % PLOTS] if n % PLOTS < CONCESSIONS else None,
                buried_on=dead[n].death_date,
                is_present=n % 17 != 0,
            )
            for n in range(BURIALS)
        )
    return commune


def _median(function: Callable[[], Any]) -> tuple[float, Any]:
    times = []
    result = None
    for _run in range(RUNS):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    data_dir = tempfile.mkdtemp(prefix="clocher-bench-clock-")
    try:
        _setup(data_dir)
        start = time.perf_counter()
        commune = _build()
        built = time.perf_counter() - start

        from clocher.cimetiere.legal_clock import clocks_for_commune, plot_states
        from clocher.cimetiere.models import Burial, Concession, ConcessionRenewal, Plot

        def baseline() -> int:
            rows = list(Concession.objects.for_commune(commune).values_list("pk", "act_date"))
            rows += list(
                ConcessionRenewal.objects.for_commune(commune).values_list("pk", "period_start")
            )
            rows += list(Burial.objects.for_commune(commune).values_list("plot_id", "buried_on"))
            rows += list(Plot.objects.for_commune(commune).values_list("pk", "kind"))
            return len(rows)

        baseline_time, rows = _median(baseline)
        clocks_time, clocks = _median(lambda: clocks_for_commune(commune, today=TODAY))
        states_time, states = _median(lambda: plot_states(commune, today=TODAY))
        print(
            f"built {PLOTS} plots, {len(clocks)} concessions, {BURIALS} burials "
            f"in {built:.1f} s (SQLite, {data_dir})"
        )
        figures = [
            (f"baseline: read the same {rows} rows", baseline_time),
            (f"clocks_for_commune ({len(clocks)} clocks)", clocks_time),
            (f"plot_states ({len(states)} plots)", states_time),
        ]
        for label, seconds in figures:
            print(f"{label:<45} median {seconds * 1000:7.1f} ms")
        target = 1.0
        verdict = "OK" if max(clocks_time, states_time) < target else "TOO SLOW"
        print(f"target < {target * 1000:.0f} ms for the whole commune: {verdict}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
