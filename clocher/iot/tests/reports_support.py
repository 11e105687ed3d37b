"""Helpers of the decision-report tests: devices of each kind and readings at Paris times."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from clocher.iot.models import Device, DeviceProfile
from clocher.iot.models.devices import CodecKind
from clocher.iot.services.ingestion import Reading, store_readings

PARIS = ZoneInfo("Europe/Paris")
_counter = iter(range(1, 10_000))


def at(day: str, time: str = "00:00") -> datetime.datetime:
    """``at("2025-03-03", "08:30")``: an aware Europe/Paris moment."""
    return datetime.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=PARIS)


def profile_with(operator: Any, quantities: dict[str, str]) -> DeviceProfile:
    slug = "test-" + "-".join(sorted(quantities)).replace("_", "-")
    found = DeviceProfile.objects.filter(operator=operator, slug=slug).first()
    if found is not None:
        return found
    return DeviceProfile.objects.create(
        operator=operator,
        slug=slug,
        model=f"Profil {slug}",
        codec_kind=CodecKind.NETWORK,
        quantities=quantities,
    )


def make_device(commune: Any, quantities: dict[str, str], name: str, **fields: Any) -> Device:
    number = next(_counter)
    return Device.objects.create(
        commune=commune,
        dev_eui=f"{commune.pk % 0xFFFF:04X}{number:012X}",
        name=name,
        profile=profile_with(commune.operator, quantities),
        **fields,
    )


def readings(device: Device, quantity: str, values: list[tuple[datetime.datetime, float]]) -> None:
    unit = str((device.profile.quantities or {}).get(quantity, ""))
    store_readings(device, [Reading(quantity, time, value, unit) for time, value in values])
