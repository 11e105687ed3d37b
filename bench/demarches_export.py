"""Benchmark: exporting 100,000 requests (issue 3: < 60 s with memory flat, < 300 MB).

Builds the world of ``bench/support/demarches.py`` on PostgreSQL, then runs each export in a
fresh Python process (so its peak resident memory, ``VmHWM``, is its own):

- baseline: the same process start (Django set up) iterating over the family's request ids
  only — the floor of time and memory for walking 100,000 rows;
- the export task body (``services.exports.export_produce``) in CSV, ODS and JSON, of all
  100,000 requests (the world puts them all in one family, since an export covers one family)
  and of the last six months of them: the peak memory must not grow with the number of rows.

Run: ``.venv/bin/python bench/demarches_export.py`` (needs PostgreSQL).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support.demarches import build_world, setup_database

REQUESTS = 100_000
TARGET_SECONDS = 60.0
TARGET_MEGABYTES = 300.0


def _peak_megabytes() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(mode: str, argument: str) -> None:
    """Runs in the child process; prints one JSON line with seconds and peak memory."""
    import django

    django.setup()
    started = time.perf_counter()
    if mode == "baseline":
        from clocher.demarches.models import Request

        ids = Request.objects.filter(family=argument).values_list("pk", flat=True)
        rows = sum(1 for _pk in ids.iterator(chunk_size=2000))
    else:
        from clocher.demarches.models import Export
        from clocher.demarches.services.exports import export_produce

        export_produce(int(argument))
        rows = Export.objects.get(pk=int(argument)).rows_done
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - started,
                "rows": rows,
                "peak_mb": _peak_megabytes(),
            }
        )
    )


def _run_child(mode: str, argument: str) -> dict[str, float]:
    code = (
        "import sys; sys.path.insert(0, '.');"
        f"from bench.demarches_export import child; child({mode!r}, {argument!r})"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], env=os.environ, capture_output=True, text=True, check=True
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def main() -> None:
    setup_database()
    started = time.perf_counter()
    world = build_world(REQUESTS, one_family=True)
    print(f"world: {REQUESTS:,} requests built in {time.perf_counter() - started:.0f} s")
    from django.db import connections

    from clocher.demarches.models import Export, ExportStatus, Request
    from clocher.demarches.services.exports import export_request

    family = str(world.procedures[0].family)  # "roads", not the enum member
    in_family = Request.objects.filter(family=family).count()
    connections.close_all()
    baseline = _run_child("baseline", family)
    print(
        f"baseline (iterate {baseline['rows']:,} ids): {baseline['seconds']:.1f} s, "
        f"peak {baseline['peak_mb']:.0f} MB"
    )
    worst_seconds, worst_memory = 0.0, 0.0
    for export_format in ("csv", "ods", "json"):
        for label, date_from in (("all", None), ("6 months", _six_months_ago())):
            export = export_request(
                commune=world.commune,
                actor=world.agent,
                family=family,
                format=export_format,
                date_from=date_from,
            )
            Export.objects.filter(pk=export.pk).update(status=ExportStatus.QUEUED)
            connections.close_all()
            figures = _run_child("export", str(export.pk))
            export.refresh_from_db()
            size = (Path(os.environ["CLOCHER_DATA_DIR"]) / export.storage_path).stat().st_size
            worst_seconds = max(worst_seconds, figures["seconds"])
            worst_memory = max(worst_memory, figures["peak_mb"])
            print(
                f"{export_format.upper():4} {label:9}: {figures['rows']:>7,} rows in "
                f"{figures['seconds']:5.1f} s ({figures['seconds'] / baseline['seconds']:.1f}× "
                f"baseline), peak {figures['peak_mb']:.0f} MB "
                f"(+{figures['peak_mb'] - baseline['peak_mb']:.0f} MB over baseline), "
                f"file {size / 1e6:.1f} MB sealed"
            )
    print(f"requests in the family exported: {in_family:,} of {REQUESTS:,} in the commune")
    ok = worst_seconds < TARGET_SECONDS and worst_memory < TARGET_MEGABYTES
    print(
        f"{'meets' if ok else 'MISSES'} the target (< {TARGET_SECONDS:.0f} s, "
        f"< {TARGET_MEGABYTES:.0f} MB): worst {worst_seconds:.1f} s, {worst_memory:.0f} MB"
    )


def _six_months_ago() -> object:
    from datetime import timedelta

    from django.utils import timezone

    return timezone.localdate() - timedelta(days=182)


if __name__ == "__main__":
    main()
