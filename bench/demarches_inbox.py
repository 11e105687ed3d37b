"""Benchmark: the agent inbox with 100,000 requests in one commune on PostgreSQL
(issue 3: filtered, paginated, p95 < 150 ms).

Builds the world of ``bench/support/demarches.py`` (four families, the agent granted two), then
requests the inbox page through Django's full stack (middleware, commune scoping, family grants,
template) as that agent, ``RUNS`` times for each filter:

- baseline: ``GET /healthz`` through the same client (one query, a JSON answer);
- the inbox unfiltered, open requests, assigned to me, one procedure, one channel, overdue, a
  number search, and the fifth page reached by following "older" cursors.

Prints the median and p95 of each, and the p95 over all inbox requests.
Run: ``.venv/bin/python bench/demarches_inbox.py`` (needs PostgreSQL).
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support.demarches import build_world, percentile, setup_database

REQUESTS = 100_000
RUNS = 40
TARGET_P95_SECONDS = 0.150
NEXT_CURSOR = re.compile(r"[?&]apres=([0-9.]+)")


def _timed(client: object, url: str) -> tuple[float, str]:
    started = time.perf_counter()
    response = client.get(url)  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, response.content.decode()


def main() -> None:
    setup_database()
    started = time.perf_counter()
    world = build_world(REQUESTS)
    print(f"world: {REQUESTS:,} requests built in {time.perf_counter() - started:.0f} s")
    from django.urls import reverse

    from clocher.core.testing.clients import signed_in_client

    client = signed_in_client(world.agent)
    inbox = reverse("staff:demarches:inbox", kwargs={"commune_slug": world.commune.slug})
    procedure = world.procedures[0]
    cases = {
        "unfiltered": inbox,
        "open": f"{inbox}?state=open",
        "assigned to me": f"{inbox}?assigned=me",
        "one procedure": f"{inbox}?procedure={procedure.pk}",
        "one channel": f"{inbox}?channel=phone",
        "overdue": f"{inbox}?overdue=on",
        "number search": f"{inbox}?number=2026-0500",
    }
    _timed(client, "/healthz")
    baseline = [_timed(client, "/healthz")[0] for _ in range(RUNS)]
    print(f"baseline GET /healthz: median {statistics.median(baseline) * 1000:.1f} ms")
    everything: list[float] = []
    for label, url in cases.items():
        _timed(client, url)
        times = [_timed(client, url)[0] for _ in range(RUNS)]
        everything += times
        print(
            f"inbox {label:15}: median {statistics.median(times) * 1000:6.1f} ms, "
            f"p95 {percentile(times, 0.95) * 1000:6.1f} ms"
        )
    page_times = []
    for _ in range(max(1, RUNS // 4)):
        url = inbox
        for _page in range(5):
            elapsed, html = _timed(client, url)
            page_times.append(elapsed)
            found = NEXT_CURSOR.search(html)
            assert found, "no link to the next page"
            url = f"{inbox}?apres={found.group(1)}"
    everything += page_times
    print(
        f"inbox pages 1 to 5   : median {statistics.median(page_times) * 1000:6.1f} ms, "
        f"p95 {percentile(page_times, 0.95) * 1000:6.1f} ms"
    )
    p95 = percentile(everything, 0.95)
    print(
        f"all inbox requests: p95 {p95 * 1000:.1f} ms "
        f"({p95 / statistics.median(baseline):.1f}× the baseline median)"
    )
    verdict = "meets" if p95 < TARGET_P95_SECONDS else "MISSES"
    print(f"{verdict} the target p95 < {TARGET_P95_SECONDS * 1000:.0f} ms")


if __name__ == "__main__":
    main()
