"""Helpers of the device and building page tests: a classroom CO2 sensor with readings, URLs."""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import urlencode

from django.utils import timezone

from clocher.iot.models import Device
from clocher.iot.services.ingestion import Reading, store_readings
from clocher.iot.tests.factories import profile


def classroom_sensor(commune: Any, operator: Any) -> Device:
    """An Elsys CO2 sensor (temperature, humidity, CO2) of the École Jules-Ferry that reported
    CO2 twice two hours ago (700 then 900 ppm) and once 20 days ago (450 ppm)."""
    device = Device.objects.create(
        commune=commune,
        dev_eui="A81758FFFE030A8F",
        name="CO2 salle 3",
        profile=profile(operator),
        building="École Jules-Ferry",
    )
    hour = timezone.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=2)
    store_readings(
        device,
        [
            Reading("co2", hour + datetime.timedelta(minutes=5), 700.0, "ppm"),
            Reading("co2", hour + datetime.timedelta(minutes=25), 900.0, "ppm"),
            Reading("co2", hour - datetime.timedelta(days=20), 450.0, "ppm"),
        ],
    )
    return device


def with_query(url: str, *, period: str = "", quantity: str = "") -> str:
    """``url`` with the charts' ``periode`` and ``quantity`` parameters that are given."""
    query = urlencode({k: v for k, v in (("periode", period), ("quantity", quantity)) if v})
    return f"{url}?{query}" if query else url


def quantity_nav(content: str) -> list[tuple[str, str, str]]:
    """(href, aria-current attribute, text) of each link of the page's quantity nav."""
    start = content.index('<nav class="actions" aria-label="Grandeur des graphiques">')
    nav = content[start : content.index("</nav>", start)]
    return re.findall(r'<a href="([^"]*)"( aria-current="page")?>(.*?)</a>', nav)
