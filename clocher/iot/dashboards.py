"""Reads of the staff dashboards (overview, device, building), always scoped to a commune.

Nothing here queries once per device: the last values of a page of devices come from their
latest day roll-ups in one query, and the series of any number of devices from one query on the
hour roll-ups (up to a week) or the day roll-ups (beyond). A device's page draws one quantity at
a time and reads only that quantity's roll-ups.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clocher.core.formatting import DatetimeText, datetime_formatter, float_formatter
from clocher.core.reversing import url_builder
from clocher.iot.charts import Point, line_chart
from clocher.iot.models import Device, PendingDevice, Rollup, RollupPeriod, Uplink
from clocher.iot.quantities import quantity_label
from clocher.iot.services.ingestion import ROLLUP_ZONE, slot_starts
from clocher.tenancy.models import Commune

SILENT_FACTOR = 3
RECENT_UPLINKS = 20
VALUE_DECIMAL_PLACES = 3  # of a last value: 20,5 °C shows as 20,500 °C, 640 ppm as 640 ppm


class DeviceStatus(StrEnum):
    OK = "ok"
    SILENT = "silent"
    NEVER_SEEN = "never_seen"


STATUS_LABELS = {
    DeviceStatus.OK: gettext_lazy("En service"),
    DeviceStatus.SILENT: gettext_lazy("Silencieux"),
    DeviceStatus.NEVER_SEEN: gettext_lazy("Jamais entendu"),
}


def silence_allowed(expected_interval_minutes: int) -> datetime.timedelta:
    """How long a device may go unheard before it is silent: 3× its expected interval."""
    return datetime.timedelta(minutes=SILENT_FACTOR * expected_interval_minutes)


def device_status(device: Device, *, now: datetime.datetime) -> DeviceStatus:
    """Never seen; silent when no uplink for 3× its expected interval; otherwise ok."""
    if device.last_seen_at is None:
        return DeviceStatus.NEVER_SEEN
    allowed = silence_allowed(device.expected_interval_minutes)
    return DeviceStatus.SILENT if now - device.last_seen_at > allowed else DeviceStatus.OK


def status_in_database(devices: QuerySet[Device], *, now: datetime.datetime) -> Case:
    """``device_status`` of each of ``devices`` as a column the database computes (its value
    is the status's): the map of sites reads a thousand statuses instead of a thousand
    times of last uplink, which cost more than twice as much to load as the rest of the rows.

    The same rule, compared the other way: ``now - last_seen_at > allowed`` is
    ``last_seen_at < now - allowed``, with ``allowed`` worked out here for each interval the
    devices have (one short query), so that no duration arithmetic is left to the database."""
    intervals = devices.order_by().values_list("expected_interval_minutes", flat=True).distinct()
    silent = Q()
    for minutes in intervals:
        silent |= Q(
            expected_interval_minutes=minutes, last_seen_at__lt=now - silence_allowed(minutes)
        )
    cases = [When(last_seen_at=None, then=Value(DeviceStatus.NEVER_SEEN.value))]
    if silent:
        cases.append(When(silent, then=Value(DeviceStatus.SILENT.value)))
    return Case(*cases, default=Value(DeviceStatus.OK.value), output_field=CharField())


# --- Overview ----------------------------------------------------------------------------------


def devices_of_commune(
    commune: Commune, *, site: str = "", profile_id: int | None = None
) -> QuerySet[Device]:
    devices = Device.objects.for_commune(commune).select_related("profile")
    if site:
        devices = devices.filter(site=site)
    if profile_id is not None:
        devices = devices.filter(profile_id=profile_id)
    return devices.order_by("name", "pk")


def sites_of_commune(commune: Commune) -> list[str]:
    return list(
        Device.objects.for_commune(commune)
        .exclude(site="")
        .order_by("site")
        .values_list("site", flat=True)
        .distinct()
    )


def buildings_of_commune(commune: Commune) -> list[str]:
    return list(
        Device.objects.for_commune(commune)
        .exclude(building="")
        .order_by("building")
        .values_list("building", flat=True)
        .distinct()
    )


class BuildingLink(NamedTuple):
    name: str
    url: str


class Places(NamedTuple):
    sites: list[str]
    buildings: list[BuildingLink]


def places_of_commune(commune: Commune) -> Places:
    """The commune's sites and buildings (each with the URL of its page), in the order of
    ``sites_of_commune`` and ``buildings_of_commune`` but in one query instead of two."""
    devices = Device.objects.for_commune(commune).order_by()
    sites = (
        devices.exclude(site="")
        .annotate(kind=Value(0), place=F("site"))
        .values_list("kind", "place")
    )
    buildings = (
        devices.exclude(building="")
        .annotate(kind=Value(1), place=F("building"))
        .values_list("kind", "place")
    )
    url_of = url_builder(
        "staff:iot:building", kwargs={"commune_slug": commune.slug}, variable="building"
    )
    places = Places([], [])
    for kind, place in sites.union(buildings).order_by("kind", "place"):
        if kind == 0:
            places.sites.append(place)
        else:
            places.buildings.append(BuildingLink(place, url_of(place)))
    return places


def pending_devices(commune: Commune) -> QuerySet[PendingDevice]:
    return PendingDevice.objects.for_commune(commune).order_by("-last_seen_at", "dev_eui")


def pending_device(commune: Commune, dev_eui: str) -> PendingDevice | None:
    return PendingDevice.objects.for_commune(commune).filter(dev_eui=dev_eui.upper()).first()


@dataclass(frozen=True)
class LastValue:
    quantity: str
    value: float
    unit: str
    time: datetime.datetime
    text: str  # value and unit as pages write them: « 20,500 °C », « 640 ppm » (float_formatter)
    label: str  # the quantity as people read it (quantities.quantity_label)


@dataclass
class OverviewRow:
    device: Device
    status: DeviceStatus
    status_label: str
    values: list[LastValue] = field(default_factory=list)
    url: str = ""  # the device's page
    building_url: str = ""  # its building's page, when it has a building
    last_seen: DatetimeText | None = None


# The order quantities are shown in. A profile's own order cannot be used: PostgreSQL's jsonb
# does not keep the order of an object's keys.
QUANTITY_ORDER = (
    "temperature",
    "humidity",
    "co2",
    "pressure",
    "light",
    "motion",
    "distance",
    "level",
    "volume",
    "energy",
    "current",
    "apparent_power",
    "battery",
)


def _quantity_rank(quantity: str) -> tuple[int, str]:
    if quantity in QUANTITY_ORDER:
        return QUANTITY_ORDER.index(quantity), quantity
    return len(QUANTITY_ORDER), quantity


def _ordered_quantities(device: Device, present: Iterable[str]) -> list[str]:
    declared = set((device.profile.quantities or {}).keys())
    return sorted(declared | set(present), key=_quantity_rank)


def last_values(commune: Commune, devices: Sequence[Device]) -> dict[int, list[LastValue]]:
    """The last value of each quantity of ``devices``, from their latest day roll-up: one
    query whatever the number of devices. Their text is written in the active language."""
    ids = [device.pk for device in devices]
    if not ids:
        return {}
    # The latest day of each device and quantity, numbered in one pass over their day roll-ups
    # (a subquery per roll-up read them again for each one: three times slower for a page of
    # fifty devices of which one had a year of days).
    rows = (
        Rollup.objects.for_commune(commune)
        .filter(device_id__in=ids, period=RollupPeriod.DAY)
        .annotate(
            recency=Window(
                RowNumber(),
                partition_by=[F("device_id"), F("quantity")],
                order_by=F("start").desc(),
            )
        )
        .filter(recency=1)
        .values_list("device_id", "quantity", "last", "last_time")
    )
    found: dict[int, dict[str, tuple[float, datetime.datetime]]] = {}
    for device_id, quantity, last, last_time in rows:
        found.setdefault(device_id, {})[quantity] = (last, last_time)
    number_text = float_formatter(VALUE_DECIMAL_PLACES)
    result: dict[int, list[LastValue]] = {}
    for device in devices:
        values = found.get(device.pk, {})
        units = device.profile.quantities or {}
        result[device.pk] = []
        for quantity in _ordered_quantities(device, values):
            if quantity not in values:
                continue
            value, last_time = values[quantity]
            unit = str(units.get(quantity, ""))
            text = f"{number_text(value)} {unit}" if unit else number_text(value)
            label = quantity_label(quantity)
            result[device.pk].append(LastValue(quantity, value, unit, last_time, text, label))
    return result


def overview_rows(
    commune: Commune, devices: Sequence[Device], *, now: datetime.datetime
) -> list[OverviewRow]:
    """A row per device of a table page: its status, last values, links and last uplink's
    time, made here once for the page: ``{% url %}`` and the template filters on each of fifty
    rows cost more than the rest of the page's template."""
    values = last_values(commune, devices)
    device_url = url_builder(
        "staff:iot:device", kwargs={"commune_slug": commune.slug}, variable="device"
    )
    building_url = url_builder(
        "staff:iot:building", kwargs={"commune_slug": commune.slug}, variable="building"
    )
    labels = {status: str(label) for status, label in STATUS_LABELS.items()}
    moment_text = datetime_formatter()
    rows = []
    for device in devices:
        status = device_status(device, now=now)
        rows.append(
            OverviewRow(
                device,
                status,
                labels[status],
                values[device.pk],
                url=device_url(device.pk),
                building_url=building_url(device.building) if device.building else "",
                last_seen=moment_text(device.last_seen_at) if device.last_seen_at else None,
            )
        )
    return rows


# --- Quantities --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuantityChoice:
    """A quantity the charts can be narrowed to; ``last`` is its last value, when known."""

    quantity: str
    unit: str
    last: LastValue | None = None


def quantities_of_devices(
    devices: Sequence[Device], values: dict[int, list[LastValue]]
) -> list[QuantityChoice]:
    """Every quantity that ``devices`` declare (their profiles) or have reported (``values``,
    from ``last_values``), in display order. With one device, each comes with its last value."""
    choices: dict[str, QuantityChoice] = {}
    for device in devices:
        reported = {value.quantity: value for value in values.get(device.pk, [])}
        units = device.profile.quantities or {}
        for quantity in _ordered_quantities(device, reported):
            if quantity not in choices:
                last = reported.get(quantity) if len(devices) == 1 else None
                choices[quantity] = QuantityChoice(quantity, str(units.get(quantity, "")), last)
    return sorted(choices.values(), key=lambda choice: _quantity_rank(choice.quantity))


def quantity_of(key: str | None, choices: Sequence[QuantityChoice]) -> QuantityChoice | None:
    """The choice named ``key``, or None when ``key`` is empty or none of ``choices``."""
    return next((choice for choice in choices if key and choice.quantity == key), None)


# --- Charts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartPeriod:
    key: str
    label: Any
    rollup: str
    slots: int


PERIODS: dict[str, ChartPeriod] = {
    period.key: period
    for period in (
        ChartPeriod("jour", gettext_lazy("Jour"), RollupPeriod.HOUR, 24),
        ChartPeriod("semaine", gettext_lazy("Semaine"), RollupPeriod.HOUR, 7 * 24),
        ChartPeriod("mois", gettext_lazy("Mois"), RollupPeriod.DAY, 31),
        ChartPeriod("annee", gettext_lazy("Année"), RollupPeriod.DAY, 365),
    )
}
DEFAULT_PERIOD = "jour"


def period_of(key: str | None) -> ChartPeriod:
    return PERIODS.get(key or "", PERIODS[DEFAULT_PERIOD])


def window(
    period: ChartPeriod, *, now: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """``[start, end)`` of the period's slots ending with the current one."""
    current = slot_starts(now)[period.rollup]
    if period.rollup == RollupPeriod.HOUR:
        return current - datetime.timedelta(hours=period.slots - 1), current + datetime.timedelta(
            hours=1
        )
    # Day slots start at Paris midnight: step by calendar days in Paris, not by 24 h.
    local = current.astimezone(ROLLUP_ZONE)
    start = (local - datetime.timedelta(days=period.slots - 1)).replace(hour=0)
    end = (local + datetime.timedelta(days=1)).replace(hour=0)
    return slot_starts(start)[RollupPeriod.DAY], slot_starts(end)[RollupPeriod.DAY]


class ChartRow(NamedTuple):
    """A line of a chart's data table, written as the page shows it (a year has 365: their
    numbers and dates made once for the chart, not by a template filter each)."""

    start: DatetimeText
    mean: str
    minimum: str
    maximum: str
    readings: int  # the roll-up's count


@dataclass
class Chart:
    device: Device
    quantity: str
    unit: str
    svg: SafeString
    rollups: list[Rollup]
    chart_id: str
    table: list[ChartRow]
    label: str  # the quantity as people read it (quantities.quantity_label)


def _rollups_of(
    commune: Commune,
    devices: Sequence[Device],
    period: ChartPeriod,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    quantity: str | None,
) -> QuerySet[Rollup]:
    rollups = Rollup.objects.for_commune(commune).filter(
        device_id__in=[device.pk for device in devices],
        period=period.rollup,
        start__gte=start,
        start__lt=end,
    )
    if quantity is not None:
        rollups = rollups.filter(quantity=quantity)
    return rollups.order_by("device_id", "quantity", "start")


def _chart(
    device: Device,
    quantity: str,
    series: list[Rollup],
    period: ChartPeriod,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
) -> Chart:
    """The SVG chart of one quantity of a device; each point is the slot's mean."""
    unit = str((device.profile.quantities or {}).get(quantity, ""))
    chart_id = f"chart-{device.pk}-{quantity}"
    label = quantity_label(quantity)
    title = _("%(quantity)s de %(device)s") % {"quantity": label, "device": device.name}
    description = _(
        "Moyenne par %(slot)s du %(start)s au %(end)s, %(count)d valeurs ; "
        "les mêmes chiffres sont dans le tableau qui suit."
    ) % {
        "slot": _("heure") if period.rollup == RollupPeriod.HOUR else _("jour"),
        "start": start.astimezone(ROLLUP_ZONE).strftime("%d/%m/%Y %H:%M"),
        "end": end.astimezone(ROLLUP_ZONE).strftime("%d/%m/%Y %H:%M"),
        "count": len(series),
    }
    svg = line_chart(
        [Point(rollup.start, rollup.mean) for rollup in series],
        start=start,
        end=end,
        title=title,
        description=description,
        unit=unit,
        chart_id=chart_id,
    )
    number = float_formatter(3)
    moment = datetime_formatter(numeric=True)
    table = [
        ChartRow(
            moment(rollup.start),
            number(rollup.mean),
            number(rollup.minimum),
            number(rollup.maximum),
            rollup.count,
        )
        for rollup in series
    ]
    return Chart(device, quantity, unit, svg, series, chart_id, table, label)


def chart_of_device(
    commune: Commune,
    device: Device,
    quantity: str,
    period: ChartPeriod,
    *,
    now: datetime.datetime,
) -> Chart:
    """The chart of one quantity of ``device`` over ``period``, drawn even without data: only
    that quantity's roll-ups are read."""
    start, end = window(period, now=now)
    series = list(_rollups_of(commune, [device], period, start=start, end=end, quantity=quantity))
    return _chart(device, quantity, series, period, start=start, end=end)


def charts_of_devices(
    commune: Commune,
    devices: Sequence[Device],
    period: ChartPeriod,
    *,
    now: datetime.datetime,
    quantity: str | None = None,
) -> list[Chart]:
    """One chart per quantity of each device over ``period``, from one roll-up query; with
    ``quantity``, only that quantity's roll-ups are read and drawn."""
    start, end = window(period, now=now)
    by_key: dict[tuple[int, str], list[Rollup]] = {}
    if devices:
        rollups = _rollups_of(commune, devices, period, start=start, end=end, quantity=quantity)
        for rollup in rollups:
            by_key.setdefault((rollup.device_id, rollup.quantity), []).append(rollup)
    charts = []
    for device in devices:
        present = [name for (device_id, name) in by_key if device_id == device.pk]
        for name in _ordered_quantities(device, present):
            if quantity is None or name == quantity:
                series = by_key.get((device.pk, name), [])
                charts.append(_chart(device, name, series, period, start=start, end=end))
    return charts


def recent_uplinks(commune: Commune, device: Device) -> list[Uplink]:
    return list(
        Uplink.objects.for_commune(commune)
        .filter(device=device)
        .defer("payload", "decoded")
        .order_by("-received_at", "-pk")[:RECENT_UPLINKS]
    )


def devices_of_building(commune: Commune, building: str) -> list[Device]:
    return list(
        Device.objects.for_commune(commune)
        .filter(building=building)
        .select_related("profile")
        .order_by("name", "pk")
    )
