"""Benchmark: Cité IoT's staff pages with 1,000 devices in one commune on PostgreSQL (issue 4:
commune overview p95 < 100 ms; a one-year chart of one device p95 < 50 ms, from roll-ups).

The world: one commune, 1,000 Elsys CO2 sensors in 50 buildings and 10 sites with coordinates,
each with its latest readings (temperature, humidity, light, motion, CO2, battery voltage)
stored through the ingestion's own storage, and one device with a full year of readings every
hour (8,760 × 3 quantities) so that its hourly and daily roll-ups are those ingestion builds.
Requests go through Django's full stack (middleware, commune scoping, template) as an agent:

- baseline: ``GET /healthz`` through the same client;
- the overview (first page of 50 devices, map of sites, alerts summary, pending devices);
- the device page as a user opens it with a year selected (``?periode=annee``, daily
  roll-ups): the chart of its default quantity (the first of the profile's order, temperature)
  with its folded data table, and the links to its other quantities with their last values;
- one one-year chart alone: the daily roll-ups of one quantity read and drawn as SVG (what each
  of the page's charts costs).

Prints the median and p95 of each. Run: ``.venv/bin/python bench/iot_dashboards.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support.demarches import percentile, setup_database

DEVICES = 1000
RUNS = 60
TARGET_OVERVIEW_P95 = 0.100
TARGET_YEAR_CHART_P95 = 0.050


def build_world() -> tuple[object, object, object]:
    from decimal import Decimal

    from clocher.accounts.models import User
    from clocher.iot.models import Device
    from clocher.iot.services.ingestion import Reading, store_batch
    from clocher.iot.services.profiles import profiles_load
    from clocher.tenancy.models import Membership, Operator, Role
    from clocher.tenancy.services import commune_create

    operator = Operator.objects.create(name="Banc d'essai", slug="banc")
    commune = commune_create(operator=operator, insee_code="21996", name="Banc IoT", slug="banc")
    agent = User.objects.create_user("agent@banc.test", "bench-password-2026", last_name="Agent")
    Membership.objects.create(commune=commune, user=agent, role=Role.AGENT)
    profile = {p.slug: p for p in profiles_load(operator=operator)}["elsys-ers-co2"]
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    devices = Device.objects.bulk_create(
        Device(
            commune=commune,
            dev_eui=f"C0{number:014X}",
            name=f"CO2 salle {number:04d}",
            profile=profile,
            building=f"Bâtiment {number // 20}",
            site=f"Site {number // 100}",
            latitude=Decimal("47.32") + Decimal(number // 100) / 1000,
            longitude=Decimal("4.83") + Decimal(number % 100) / 10000,
            expected_interval_minutes=10,
            last_seen_at=now,
            battery_percent=80,
        )
        for number in range(DEVICES)
    )
    latest = [
        Reading("temperature", now, 20.5, "°C"),
        Reading("humidity", now, 45.0, "%"),
        Reading("light", now, 120.0, "lx"),
        Reading("motion", now, 0.0, ""),
        Reading("co2", now, 640.0, "ppm"),
        Reading("vdd", now, 3600.0, "mV"),
    ]
    store_batch([(device, latest) for device in devices])
    year_device = devices[0]
    hours = [now - timedelta(hours=hour) for hour in range(365 * 24, 0, -1)]
    for start in range(0, len(hours), 2000):
        chunk = hours[start : start + 2000]
        readings = [
            Reading(quantity, moment, value + (moment.hour % 12) * 10, unit)
            for moment in chunk
            for quantity, value, unit in (
                ("temperature", 18.0, "°C"),
                ("humidity", 40.0, "%"),
                ("co2", 500.0, "ppm"),
            )
        ]
        store_batch([(year_device, readings)])
    return commune, agent, year_device


def _timed(client: object, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def main() -> None:
    setup_database("clocher_bench_iot_pages")
    started = time.perf_counter()
    commune, agent, year_device = build_world()
    print(
        f"world: {DEVICES:,} devices and one year of hourly readings built in "
        f"{time.perf_counter() - started:.0f} s"
    )
    from django.urls import reverse

    from clocher.core.testing.clients import signed_in_client

    client = signed_in_client(agent)
    slug = commune.slug  # type: ignore[attr-defined]
    cases = {
        "overview (1,000 devices)": (
            reverse("staff:iot:overview", args=[slug]),
            TARGET_OVERVIEW_P95,
        ),
        "device, default quantity, one year": (
            reverse("staff:iot:device", args=[slug, year_device.pk]) + "?periode=annee",  # type: ignore[attr-defined]
            TARGET_YEAR_CHART_P95,
        ),
    }
    from django.utils import timezone

    from clocher.iot.charts import Point, line_chart
    from clocher.iot.dashboards import PERIODS, window
    from clocher.iot.models import Rollup

    year = PERIODS["annee"]

    def one_chart() -> float:
        began = time.perf_counter()
        start, end = window(year, now=timezone.now())
        series = list(
            Rollup.objects.filter(
                commune=commune,
                device=year_device,
                quantity="co2",
                period=year.rollup,
                start__gte=start,
                start__lt=end,
            ).order_by("start")
        )
        svg = line_chart(
            [Point(rollup.start, rollup.mean) for rollup in series],
            start=start,
            end=end,
            title="CO2",
            description="",
            unit="ppm",
            chart_id="bench",
        )
        assert len(series) >= 364 and "<svg" in svg
        return time.perf_counter() - began

    _timed(client, "/healthz")
    baseline = [_timed(client, "/healthz") for _ in range(RUNS)]
    print(f"baseline GET /healthz: median {statistics.median(baseline) * 1000:.1f} ms")
    for label, (url, target) in cases.items():
        _timed(client, url)
        times = [_timed(client, url) for _ in range(RUNS)]
        p95 = percentile(times, 0.95)
        verdict = "meets" if p95 < target else "MISSES"
        print(
            f"{label:34}: median {statistics.median(times) * 1000:6.1f} ms, "
            f"p95 {p95 * 1000:6.1f} ms ({p95 / statistics.median(baseline):.1f}× the baseline "
            f"median) — {verdict} p95 < {target * 1000:.0f} ms"
        )
    one_chart()
    times = [one_chart() for _ in range(RUNS)]
    p95 = percentile(times, 0.95)
    verdict = "meets" if p95 < TARGET_YEAR_CHART_P95 else "MISSES"
    print(
        f"{'one one-year chart':34}: median {statistics.median(times) * 1000:6.1f} ms, "
        f"p95 {p95 * 1000:6.1f} ms — {verdict} p95 < {TARGET_YEAR_CHART_P95 * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
