"""Demo content of Cité IoT (``clocher demo``): simulated sensors of the demo commune, fed through
the real pipeline (ChirpStack uplinks with real Elsys and Milesight frames, SenML packs for the
meters and the river gauge) with the last three days of readings, hour by hour.
"""

from __future__ import annotations

import base64
import datetime
import math
from typing import Any

from django.utils import timezone

from clocher.iot.models import Device, DeviceProfile, Integration, IntegrationKind
from clocher.iot.models.devices import CodecKind
from clocher.iot.network.chirpstack import parse_chirpstack
from clocher.iot.network.senml import parse_senml
from clocher.iot.services.devices import device_add
from clocher.iot.services.ingestion import ingest, ingest_records
from clocher.iot.services.integrations import integration_create
from clocher.iot.services.profiles import profiles_load

FULL_DEMO_COMMUNE = "vaux-la-cloche"
HOURS = 72
SENML_PROFILE = "compteur-senml"

# (DevEUI suffix, name, profile slug, building, site)
DEVICES = (
    ("01", "CO2 — classe des petits", "elsys-ers-co2", "École", "École du bourg"),
    ("02", "CO2 — classe des grands", "elsys-ers-co2", "École", "École du bourg"),
    ("03", "Température — salle des fêtes", "elsys-ers-co2", "Salle des fêtes", "Bourg"),
    ("04", "Conteneur à verre — place de l'Église", "milesight-em310-udl", "", "Place de l'Église"),
    ("05", "Conteneur à papier — stade", "milesight-em310-udl", "", "Stade"),
    ("06", "Niveau de l'Ouche — pont de la mairie", SENML_PROFILE, "", "Pont de la mairie"),
    ("07", "Compteur d'eau — mairie", SENML_PROFILE, "Mairie", "Bourg"),
    ("08", "Compteur électrique — école", SENML_PROFILE, "École", "École du bourg"),
)


def load(commune: Any, staff: Any) -> None:
    """Register the demo devices and ingest three days of readings (once)."""
    if commune.slug != FULL_DEMO_COMMUNE:
        return
    prefix = f"A0D{commune.pk:03X}"[:8].ljust(8, "0")
    if Device.objects.for_commune(commune).filter(dev_eui__startswith=prefix).exists():
        return
    profiles = {profile.slug: profile for profile in profiles_load(operator=commune.operator)}
    profiles[SENML_PROFILE], _created = DeviceProfile.objects.get_or_create(
        operator=commune.operator,
        slug=SENML_PROFILE,
        defaults={
            "model": "Compteur ou jauge (SenML)",
            "codec_kind": CodecKind.NETWORK,
            "quantities": {"level": "m", "volume": "m3", "energy": "kWh"},
        },
    )
    chirpstack = _integration(commune, IntegrationKind.CHIRPSTACK)
    generic = _integration(commune, IntegrationKind.GENERIC)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for suffix, name, profile_slug, building, site in DEVICES:
        dev_eui = f"{prefix}000000{suffix}"
        device_add(
            commune=commune,
            dev_eui=dev_eui,
            profile=profiles[profile_slug],
            name=name,
            building=building,
            site=site,
        )
        for hour in range(HOURS, 0, -1):
            at = now - datetime.timedelta(hours=hour)
            if profile_slug == SENML_PROFILE:
                records = parse_senml(_senml(dev_eui, suffix, at, HOURS - hour))
                ingest_records(integration=generic, dev_eui=dev_eui, records=records)
            else:
                frame, port = _frame(suffix, at, HOURS - hour)
                message = parse_chirpstack(
                    "up", _chirpstack_up(dev_eui, name, at, hour, frame, port)
                )
                ingest(integration=chirpstack, message=message)  # type: ignore[arg-type]


def _integration(commune: Any, kind: str) -> Integration:
    found = Integration.objects.for_commune(commune).filter(kind=kind, revoked_at=None).first()
    if found is not None:
        return found
    integration, _token = integration_create(commune=commune, kind=kind, label="Démonstration")
    return integration


def _school_co2(at: datetime.datetime, base: int) -> int:
    local = timezone.localtime(at)
    if local.weekday() < 5 and 8 <= local.hour < 17 and local.hour != 12:
        return base + 90 * (local.hour - 8) % 900 + 400
    return 430


def _frame(suffix: str, at: datetime.datetime, step: int) -> tuple[bytes, int]:
    """A real frame of the device's model (Elsys: type bytes; Milesight: channel + type)."""
    if suffix in ("01", "02", "03"):
        local = timezone.localtime(at)
        temperature = round(19.5 + 1.5 * math.sin((local.hour - 9) / 24 * 2 * math.pi), 1)
        co2 = _school_co2(at, 300 if suffix == "01" else 500) if suffix != "03" else 450
        return (
            bytes([0x01])
            + int(temperature * 10).to_bytes(2, "big", signed=True)
            + bytes([0x02, 45, 0x04])
            + (120).to_bytes(2, "big")
            + bytes([0x05, 0, 0x06])
            + co2.to_bytes(2, "big"),
            1,
        )
    # A container filling up: the distance from the lid to the glass shrinks.
    distance = max(150, 1600 - step * (18 if suffix == "04" else 11))
    return bytes([0x01, 0x75, 88, 0x03, 0x82]) + distance.to_bytes(2, "little"), 85


def _chirpstack_up(
    dev_eui: str, name: str, at: datetime.datetime, counter: int, frame: bytes, port: int
) -> dict[str, Any]:
    return {
        "deduplicationId": f"demo-{dev_eui}-{at:%Y%m%d%H}",
        "time": at.isoformat(),
        "deviceInfo": {
            "applicationId": "demo",
            "applicationName": "Démonstration",
            "deviceName": name,
            "devEui": dev_eui.lower(),
        },
        "fCnt": 10_000 - counter,
        "fPort": port,
        "data": base64.b64encode(frame).decode(),
        "rxInfo": [{"gatewayId": "0016c001f153a14c", "rssi": -87, "snr": 6.5}],
    }


def _senml(dev_eui: str, suffix: str, at: datetime.datetime, step: int) -> list[dict[str, Any]]:
    local = timezone.localtime(at)
    if suffix == "06":
        name, unit = "level", "m"
        value = round(0.8 + 0.35 * max(0.0, math.sin(step / HOURS * math.pi)), 3)
    elif suffix == "07":
        # A small leak every night: the minimum night flow never drops to zero.
        name, unit = "volume", "m3"
        value = round(1250 + step * 0.012 + (0.03 if 7 <= local.hour < 19 else 0.0) * step / 24, 3)
    else:
        name, unit = "energy", "kWh"
        value = round(48_300 + step * (2.4 if 7 <= local.hour < 18 else 0.6), 1)
    return [
        {
            "bn": f"urn:dev:eui:{dev_eui.lower()}:",
            "n": name,
            "u": unit,
            "v": value,
            "t": at.timestamp(),
        }
    ]
