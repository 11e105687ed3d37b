"""Benchmark: the SVG plan of a cemetery (issue 5: 10,000 plots render in < 300 ms).

Builds, in a throwaway SQLite database (a temporary ``CLOCHER_DATA_DIR``, migrated), one commune
with a cemetery of 10,000 plots in 20 sections, every plot with a polygon outline in metres
(rectangles, and one in five a slanted quadrilateral), 7,000 concessions and 30,000 burials. Then,
median of 5 runs each:

- baseline: the plan's queries alone (``selectors.plan_of_cemetery``: sections, plot tuples);
- the legal states of the plots (``legal_clock.plot_states``), which colour the plan;
- ``plan.render_plan`` alone (SVG markup and the rows of the text alternative);
- the whole: query + states + render, what the cemetery page does before its template;
- for information, the Django template of the text alternative (``_plan_table.html``, one table
  row per plot), which the page renders after the SVG.

Run: ``.venv/bin/python bench/cemetery_plan.py`` (figures go to docs/performance.md).
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
CONCESSIONS = 7_000
BURIALS = 30_000
RUNS = 5
TODAY = date(2026, 6, 15)
TARGET_SECONDS = 0.3


def _setup(data_dir: str) -> None:
    os.environ["CLOCHER_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clocher.config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _outline(n: int, rng: random.Random) -> list[list[float]]:
    column, line = n % 100, n // 100
    x, y = column * 1.4, line * 2.6
    if n % 5:
        return [[x, y], [x + 1.0, y], [x + 1.0, y + 2.0], [x, y + 2.0]]
    skew = rng.uniform(-0.2, 0.2)
    return [[x, y], [x + 1.0, y + skew], [x + 1.1, y + 2.0 + skew], [x + 0.1, y + 2.0]]


def _build() -> tuple[Any, Any]:
    from django.db import transaction

    from clocher.cimetiere.models import (
        Burial,
        Cemetery,
        Concession,
        ConcessionKind,
        Deceased,
        Plot,
        PlotKind,
        Section,
    )
    from clocher.tenancy.models import Operator
    from clocher.tenancy.services import commune_create

    rng = random.Random(11)
    operator = Operator.objects.create(name="Bench", slug="bench")
    commune = commune_create(operator=operator, insee_code="21998", name="Banc", slug="banc")
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
                section=sections[n // 500],
                number=str(n % 500 + 1),
                kind=PlotKind.CONCESSION_GROUND if n < CONCESSIONS else PlotKind.COMMON_GROUND,
                capacity=4,
                geometry=_outline(n, rng),
            )
            for n in range(PLOTS)
        )
        kinds = [ConcessionKind.THIRTY_YEARS, ConcessionKind.FIFTY_YEARS, ConcessionKind.PERPETUAL]
        concessions = Concession.objects.bulk_create(
            Concession(
                commune=commune,
                plot=plots[n],
                number=f"{n:05d}",
                act_date=date(1930, 1, 1) + timedelta(days=rng.randrange(34_000)),
                kind=kinds[n % 3],
            )
            for n in range(CONCESSIONS)
        )
        dead = Deceased.objects.bulk_create(
            Deceased(
                commune=commune,
                last_name=f"NOM{n}",
                death_date=date(1930, 1, 1) + timedelta(days=rng.randrange(34_000)),
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
                is_present=n % 13 != 0,
            )
            for n in range(BURIALS)
        )
    return commune, cemetery


def _median(function: Callable[[], Any]) -> tuple[float, Any]:
    times = []
    result = None
    for _run in range(RUNS):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    data_dir = tempfile.mkdtemp(prefix="clocher-bench-plan-")
    try:
        _setup(data_dir)
        start = time.perf_counter()
        commune, cemetery = _build()
        built = time.perf_counter() - start

        from clocher.cimetiere.legal_clock import plot_states
        from clocher.cimetiere.plan import plot_url_builder, render_plan
        from clocher.cimetiere.selectors import plan_of_cemetery

        url = plot_url_builder(commune.slug)

        def query() -> Any:
            return plan_of_cemetery(cemetery)

        def states() -> Any:
            return plot_states(commune, today=TODAY, cemetery=cemetery)

        sections, plots = query()
        plot_state = states()

        def render() -> Any:
            return render_plan(
                plots, plot_state, sections=sections, plot_url=url, title="Plan du cimetière"
            )

        def whole() -> Any:
            loaded_sections, loaded_plots = query()
            return render_plan(
                loaded_plots,
                states(),
                sections=loaded_sections,
                plot_url=url,
                title="Plan du cimetière",
            )

        from django.template.loader import render_to_string

        def table() -> str:
            return render_to_string("cimetiere/_plan_table.html", {"drawing": render()})

        query_time, _plots = _median(query)
        states_time, _states = _median(states)
        render_time, drawing = _median(render)
        whole_time, _drawing = _median(whole)
        table_time, _table = _median(table)
        size = len(drawing.svg.encode())
        print(
            f"built {PLOTS} plots with outlines, {CONCESSIONS} concessions, {BURIALS} burials "
            f"in {built:.1f} s (SQLite, {data_dir})"
        )
        print(f"SVG: {drawing.drawn_count} links, {size / 1024 / 1024:.2f} MiB")
        figures = [
            ("baseline: the plan's queries alone", query_time),
            ("plot_states (legal clock)", states_time),
            ("render_plan alone (SVG + table rows)", render_time),
            ("query + states + render", whole_time),
            ("text alternative template (+ render)", table_time),
        ]
        for label, seconds in figures:
            print(f"{label:<40} median {seconds * 1000:7.1f} ms")
        verdict = "OK" if render_time < TARGET_SECONDS else "TOO SLOW"
        print(f"target: render < {TARGET_SECONDS * 1000:.0f} ms for 10,000 plots: {verdict}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
