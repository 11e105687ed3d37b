"""Demo content of Cité IoT (``clocher demo``): a commune with simulated objects of every kind,
fed through the real pipeline (ChirpStack uplinks with real Elsys and Milesight frames, SenML
packs for the meters, the river gauge and the weather sensor).

Loading registers the devices (sensors, and actuators reachable through ChirpStack: public
lighting, a heating thermostat, the church bells), the commune's default alert rules and its
on-duty staff, the lighting and bell schedules, then ingests the last three days hour by hour,
and a daily history of the meters and the outdoor temperature since the start of the previous
month (at least forty days) and over the same days a year earlier (the energy report compares a
month with the same month last year).
The alerts come from the rules evaluated on those readings at ingestion, as in production.

Every simulated signal is a function of the time only (``signal_*``), so that the periodic job of
``tasks_demo`` (every five minutes while the demo instance runs) continues the same curves with
one new reading per sensor: dashboards, alerts and reports move while someone looks.
Loading twice changes nothing: a device already registered is left alone, with its history.
"""

from __future__ import annotations

import base64
import datetime
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from clocher.iot.command_profiles import parse_command
from clocher.iot.models import (
    AlertRecipient,
    Device,
    DeviceProfile,
    Integration,
    IntegrationKind,
    Schedule,
)
from clocher.iot.models.alerts import Severity
from clocher.iot.models.control import NetworkServer, ScheduleTarget, ScheduleTrigger
from clocher.iot.models.devices import CodecKind
from clocher.iot.network.chirpstack import parse_chirpstack
from clocher.iot.network.senml import parse_senml
from clocher.iot.services.alerting import alert_recipient_save, default_rules_apply
from clocher.iot.services.commands import device_network_set
from clocher.iot.services.devices import device_add
from clocher.iot.services.ingestion import ingest_batch, ingest_records
from clocher.iot.services.integrations import integration_create
from clocher.iot.services.profiles import profile_adopt, profiles_load
from clocher.iot.services.schedules import schedule_save

FULL_DEMO_COMMUNE = "vaux-la-cloche"
DEMO_OPERATOR = "trois-clochers"  # clocher.demo.data.OPERATOR["slug"]
HOURS = 72
HISTORY_DAYS = 40
LIVE_STEP = datetime.timedelta(minutes=5)
PARIS = ZoneInfo("Europe/Paris")
# A ChirpStack application id (a UUID, as ChirpStack v4 gives them): downlinks go there.
CHIRPSTACK_APPLICATION = "5c1e0a3d-7b2f-4e61-9d8a-0c4b7f2e9a15"
# Where the demo commune is when its coordinates are not set (Vaux-la-Cloche in clocher.demo).
DEFAULT_POSITION = (Decimal("47.32110"), Decimal("4.83120"))
# The simulated meters count from this moment (their indexes grow with the time only).
METER_EPOCH = datetime.datetime(2020, 1, 1, tzinfo=PARIS)

SENML_PROFILE = "compteur-senml"
WEATHER_PROFILE = "station-meteo-senml"
LIGHTING_PROFILE = "eclairage-public"
THERMOSTAT_PROFILE = "thermostat-chauffage"
BELLS_PROFILE = "cloches-eglise"


@dataclass(frozen=True)
class DemoDevice:
    suffix: str
    name: str
    profile: str
    building: str
    site: str
    # Position from the commune's centre, in 1/100 000 of a degree (north, east).
    offset: tuple[int, int]


# The sensors (fed by the demo and, while it runs, by ``tasks_demo``).
DEVICES = (
    DemoDevice(
        "01", "CO2 — classe des petits", "elsys-ers-co2", "École", "École du bourg", (-180, 240)
    ),
    DemoDevice(
        "02", "CO2 — classe des grands", "elsys-ers-co2", "École", "École du bourg", (-175, 255)
    ),
    DemoDevice(
        "03",
        "Température — salle des fêtes",
        "elsys-ers-co2",
        "Salle des fêtes",
        "Bourg",
        (60, -140),
    ),
    DemoDevice(
        "04",
        "Conteneur à verre — place de l'Église",
        "milesight-em310-udl",
        "",
        "Place de l'Église",
        (35, 20),
    ),
    DemoDevice(
        "05", "Conteneur à papier — stade", "milesight-em310-udl", "", "Stade", (-420, -380)
    ),
    DemoDevice(
        "06",
        "Niveau de l'Ouche — pont de la mairie",
        SENML_PROFILE,
        "",
        "Pont de la mairie",
        (110, 310),
    ),
    DemoDevice("07", "Compteur d'eau — mairie", SENML_PROFILE, "Mairie", "Bourg", (0, 0)),
    DemoDevice(
        "08", "Compteur électrique — école", SENML_PROFILE, "École", "École du bourg", (-185, 245)
    ),
    DemoDevice("09", "Température extérieure — mairie", WEATHER_PROFILE, "", "Bourg", (8, 12)),
)
# The actuators (remote control: commands and schedules).
ACTUATORS = (
    DemoDevice("0A", "Éclairage public — bourg", LIGHTING_PROFILE, "", "Bourg", (25, -35)),
    DemoDevice(
        "0B",
        "Thermostat — salle des fêtes",
        THERMOSTAT_PROFILE,
        "Salle des fêtes",
        "Bourg",
        (62, -138),
    ),
    DemoDevice("0C", "Cloches de l'église", BELLS_PROFILE, "Église", "Place de l'Église", (40, 28)),
)
CHIRPSTACK_SUFFIXES = ("01", "02", "03", "04", "05")
METER_SUFFIXES = ("07", "08")

# The operator's actuator profiles (commands as in the profiles console).
ACTUATOR_PROFILES: dict[str, dict[str, Any]] = {
    LIGHTING_PROFILE: {
        "model": "Contrôleur d'éclairage public (relais et variateur)",
        "commands": [
            {
                "name": "on",
                "label": "Allumer",
                "f_port": 10,
                "payload_hex": "01",
                "category": "lighting",
            },
            {
                "name": "off",
                "label": "Éteindre",
                "f_port": 10,
                "payload_hex": "00",
                "category": "lighting",
            },
            {
                "name": "dim",
                "label": "Varier l'intensité",
                "f_port": 10,
                "payload_hex": "02{level:u8}",
                "category": "lighting",
                "parameters": [
                    {"name": "level", "label": "Niveau", "unit": "%", "min": 0, "max": 100}
                ],
            },
        ],
    },
    THERMOSTAT_PROFILE: {
        "model": "Thermostat de chauffage connecté",
        "commands": [
            {
                "name": "setpoint",
                "label": "Consigne de température",
                "f_port": 20,
                "payload_hex": "03{temperature:i16be*10}",
                "category": "heating",
                "parameters": [
                    {
                        "name": "temperature",
                        "label": "Consigne",
                        "unit": "°C",
                        "min": 5,
                        "max": 28,
                        "step": 0.5,
                    }
                ],
            }
        ],
    },
    BELLS_PROFILE: {
        "model": "Commande des cloches de l'église",
        "commands": [
            {
                "name": "ring",
                "label": "Sonner les cloches",
                "f_port": 30,
                "payload_hex": "A1",
                "bell": True,
            }
        ],
    },
}

ALL_DAYS = [1, 2, 3, 4, 5, 6, 7]
SCHEDULES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    (
        "0A",
        "Éclairage public : allumage au coucher du soleil",
        {"command_name": "on", "trigger": ScheduleTrigger.SUNSET, "offset_minutes": 0},
    ),
    (
        "0A",
        "Éclairage public : extinction à 23:00",
        {"command_name": "off", "trigger": ScheduleTrigger.FIXED, "time_of_day": datetime.time(23)},
    ),
    (
        "0C",
        "Cloches : sonnerie de midi",
        {
            "command_name": "ring",
            "trigger": ScheduleTrigger.FIXED,
            "time_of_day": datetime.time(12),
        },
    ),
)
ON_DUTY = ("secretaire@vaux-la-cloche.demo", "technicien@vaux-la-cloche.demo")


def prefix_of(commune: Any) -> str:
    """The first eight hexadecimal digits of the demo devices' DevEUIs in ``commune``."""
    return f"A0D{commune.pk:03X}"[:8].ljust(8, "0")


def dev_eui_of(commune: Any, suffix: str) -> str:
    return f"{prefix_of(commune)}000000{suffix}"


def is_demo_commune(commune: Any) -> bool:
    """The commune is the demo's (``clocher demo`` creates it under the demo operator)."""
    return commune.slug == FULL_DEMO_COMMUNE and commune.operator.slug == DEMO_OPERATOR


# --- Loading -------------------------------------------------------------------------------


def load(commune: Any, staff: Any) -> None:
    """Register the demo's objects, rules, on-duty staff and schedules, and ingest their history
    (each part once: loading again changes nothing)."""
    if commune.slug != FULL_DEMO_COMMUNE:
        return
    actor = staff.get(ON_DUTY[0]) if staff else None
    profiles = _profiles(commune, actor)
    with transaction.atomic():
        default_rules_apply(commune=commune, actor=actor)
        for email in ON_DUTY:
            user = staff.get(email) if staff else None
            if (
                user is not None
                and not AlertRecipient.objects.for_commune(commune).filter(user=user).exists()
            ):
                alert_recipient_save(
                    commune=commune,
                    user=user,
                    by_email=True,
                    by_sms=False,
                    phone="",
                    minimum_severity=Severity.WARNING,
                )
    latitude, longitude = (
        (commune.latitude, commune.longitude)
        if commune.latitude is not None and commune.longitude is not None
        else DEFAULT_POSITION
    )
    new: list[DemoDevice] = []
    devices: dict[str, Device] = {}
    for spec in (*DEVICES, *ACTUATORS):
        dev_eui = dev_eui_of(commune, spec.suffix)
        device = Device.objects.for_commune(commune).filter(dev_eui=dev_eui).first()
        if device is None:
            device = device_add(
                commune=commune,
                dev_eui=dev_eui,
                profile=profiles[spec.profile],
                name=spec.name,
                building=spec.building,
                site=spec.site,
                latitude=latitude + Decimal(spec.offset[0]) / 100_000,
                longitude=longitude + Decimal(spec.offset[1]) / 100_000,
                actor=actor,
            )
            new.append(spec)
            if spec in ACTUATORS:
                device = device_network_set(
                    commune=commune,
                    device=device,
                    network_server=NetworkServer.CHIRPSTACK,
                    application_id=CHIRPSTACK_APPLICATION,
                    device_id="",
                )
        devices[spec.suffix] = device
    _schedules(commune, actor, devices)
    chirpstack = _integration(commune, IntegrationKind.CHIRPSTACK)
    generic = _integration(commune, IntegrationKind.GENERIC)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    hours = [now - datetime.timedelta(hours=hour) for hour in range(HOURS, 0, -1)]
    for spec in new:
        dev_eui = dev_eui_of(commune, spec.suffix)
        if spec.suffix in CHIRPSTACK_SUFFIXES:
            battery = _history_battery(spec.suffix)
            messages = [
                parse_chirpstack("up", chirpstack_up(dev_eui, spec, at, battery(step)))
                for step, at in enumerate(hours)
            ]
            ingest_batch(integration=chirpstack, messages=messages)  # type: ignore[arg-type]
        elif spec.profile in (SENML_PROFILE, WEATHER_PROFILE):
            _daily_history(generic, dev_eui, spec.suffix, now)
            for at in hours:
                ingest_records(
                    integration=generic,
                    dev_eui=dev_eui,
                    records=parse_senml(senml_pack(dev_eui, spec.suffix, at)),
                )


def _profiles(commune: Any, actor: Any) -> dict[str, DeviceProfile]:
    operator = commune.operator
    profiles = {profile.slug: profile for profile in profiles_load(operator=operator)}
    network_profiles: dict[str, dict[str, Any]] = {
        SENML_PROFILE: {
            "model": "Compteur ou jauge (SenML)",
            "quantities": {"level": "m", "volume": "m3", "energy": "kWh"},
        },
        WEATHER_PROFILE: {
            "model": "Station météo (SenML) — température et humidité extérieures",
            "quantities": {"temperature": "°C", "humidity": "%"},
        },
    }
    for slug, values in ACTUATOR_PROFILES.items():
        network_profiles[slug] = {
            "model": values["model"],
            "quantities": {},
            # Checked as remote control reads them (raises on a malformed entry).
            "commands": [parse_command(entry) and entry for entry in values["commands"]],
        }
    for slug, values in network_profiles.items():
        profiles[slug], _created = DeviceProfile.objects.get_or_create(
            operator=operator, slug=slug, defaults={"codec_kind": CodecKind.NETWORK, **values}
        )
    used = {spec.profile for spec in (*DEVICES, *ACTUATORS)}
    for slug in sorted(used):
        profile_adopt(commune=commune, profile=profiles[slug], actor=actor)
    return profiles


def _schedules(commune: Any, actor: Any, devices: dict[str, Device]) -> None:
    existing = set(Schedule.objects.for_commune(commune).values_list("name", flat=True))
    for suffix, name, values in SCHEDULES:
        if name in existing:
            continue
        schedule_save(
            commune=commune,
            actor=actor,
            schedule=None,
            values={
                "name": name,
                "target": ScheduleTarget.DEVICE,
                "device": devices[suffix],
                "weekdays": ALL_DAYS,
                **values,
            },
        )


def _integration(commune: Any, kind: str) -> Integration:
    found = Integration.objects.for_commune(commune).filter(kind=kind, revoked_at=None).first()
    if found is not None:
        return found
    integration, _token = integration_create(commune=commune, kind=kind, label="Démonstration")
    return integration


def _history_battery(suffix: str) -> Any:
    """The battery over the three days: the paper container's runs down below 20 % (a real
    low-battery alert); the others are fine."""
    if suffix == "05":
        return lambda step: max(LOW_BATTERY, 23 - step // 16)
    return lambda step: signal_battery(suffix)


def _daily_history(generic: Integration, dev_eui: str, suffix: str, now: datetime.datetime) -> None:
    """Daily readings from the start of the previous month (at least ``HISTORY_DAYS`` back) to
    the three days, and the same days a year earlier: the meters' index at 23:00, the outdoor
    temperature at 06:00 and 15:00 (the day's minimum and maximum, for the heating degree-days).
    One SenML pack per period."""
    if suffix not in (*METER_SUFFIXES, "09"):
        return
    today = now.astimezone(PARIS).date()
    # From the day before the previous month (at least ``HISTORY_DAYS`` back): the previous
    # month, the first one the report shows complete, is compared with every day measured.
    previous_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    first = min(today - datetime.timedelta(days=HISTORY_DAYS), previous_month)
    first -= datetime.timedelta(days=1)
    last = (now - datetime.timedelta(hours=HOURS)).astimezone(PARIS).date() - datetime.timedelta(
        days=1
    )
    for years_back in (0, 1):
        pack: list[dict[str, Any]] = []
        day = first
        while day <= (last if years_back == 0 else today):
            when = _year_earlier(day, years_back)
            hours = (23,) if suffix in METER_SUFFIXES else (6, 15)
            for hour in hours:
                at = datetime.datetime.combine(when, datetime.time(hour), tzinfo=PARIS)
                pack.extend(senml_pack(dev_eui, suffix, at, year_earlier=bool(years_back)))
            day += datetime.timedelta(days=1)
        if pack:
            ingest_records(integration=generic, dev_eui=dev_eui, records=parse_senml(pack))


def _year_earlier(day: datetime.date, years: int) -> datetime.date:
    if not years:
        return day
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# --- Simulated signals (functions of the time only) ---------------------------------------------

LOW_BATTERY = 17


def signal_battery(suffix: str) -> int:
    return LOW_BATTERY if suffix == "05" else {"04": 88}.get(suffix, 92)


def signal_co2(suffix: str, at: datetime.datetime) -> int:
    """CO2 of the classrooms: rising during lessons, aired at noon; the big ones' class goes
    above 1,500 ppm for two hours in the late morning and in the afternoon (school days)."""
    local = at.astimezone(PARIS)
    if local.weekday() >= 5 or not 8 <= local.hour < 17:
        return 430
    curve = {8: 620, 9: 980, 10: 1520, 11: 1610, 12: 640, 13: 860, 14: 1240, 15: 1560, 16: 1650}
    value = curve[local.hour] + local.minute * 3 // 2
    return value if suffix == "02" else 420 + (value - 420) * 2 // 3


def signal_indoor_temperature(at: datetime.datetime) -> float:
    local = at.astimezone(PARIS)
    hour = local.hour + local.minute / 60
    return round(19.5 + 1.5 * math.sin((hour - 9) / 24 * 2 * math.pi), 1)


def signal_outdoor_temperature(at: datetime.datetime, *, year_earlier: bool = False) -> float:
    """A seasonal mean (coldest mid-January) and a daily swing (warmest mid-afternoon); the same
    days last year were colder, so heating degree-days correct the comparison."""
    local = at.astimezone(PARIS)
    season = 11.5 - 8.5 * math.cos(2 * math.pi * (local.timetuple().tm_yday - 20) / 365)
    hour = local.hour + local.minute / 60
    swing = 4.0 * math.sin((hour - 9) / 24 * 2 * math.pi)
    return round(season + swing - (1.8 if year_earlier else 0.0), 1)


def signal_container_distance(suffix: str, at: datetime.datetime) -> int:
    """The distance from the lid to the contents (mm): the glass container is emptied every
    week, the paper one every ten days; each fills up in between."""
    period_hours = 7 * 24 if suffix == "04" else 10 * 24
    hours = (at - METER_EPOCH).total_seconds() / 3600
    filled = (hours % period_hours) / period_hours
    return round(1600 - 1400 * filled)


def signal_river_level(at: datetime.datetime) -> float:
    hours = (at - METER_EPOCH).total_seconds() / 3600
    return round(0.8 + 0.35 * max(0.0, math.sin(2 * math.pi * hours / (9 * 24))), 3)


def _busy_hours(at: datetime.datetime, start: int, end: int) -> float:
    """Hours between ``METER_EPOCH`` and ``at`` spent between ``start`` and ``end`` o'clock."""
    local = at.astimezone(PARIS)
    days = (local.date() - METER_EPOCH.date()).days
    hour = local.hour + local.minute / 60 + local.second / 3600
    return days * (end - start) + min(max(hour - start, 0.0), float(end - start))


def _elapsed_hours(at: datetime.datetime) -> float:
    return (at - METER_EPOCH).total_seconds() / 3600


def signal_water_index(at: datetime.datetime, *, year_earlier: bool = False) -> float:
    """The town hall's water meter (m³): use by day, and a small leak this year — the night
    flow never drops to zero (12 L an hour). A year earlier there was no leak."""
    if year_earlier:
        return round(900 + 0.045 * _busy_hours(at, 7, 19), 3)
    return round(1250 + 0.012 * _elapsed_hours(at) + 0.03 * _busy_hours(at, 7, 19), 3)


def signal_energy_index(at: datetime.datetime, *, year_earlier: bool = False) -> float:
    """The school's electricity meter (kWh): 0.6 kWh an hour at night, 2.4 in the day (7 h to
    18 h); a year earlier the heating used 12 % more."""
    value = 0.6 * _elapsed_hours(at) + 1.8 * _busy_hours(at, 7, 18)
    if year_earlier:
        return round(30_000 + 1.12 * value, 1)
    return round(20_300 + value, 1)


def frame_of(suffix: str, at: datetime.datetime, battery: int) -> tuple[bytes, int]:
    """A real frame of the device's model (Elsys: type bytes; Milesight: channel + type)."""
    if suffix in ("01", "02", "03"):
        temperature = signal_indoor_temperature(at)
        co2 = signal_co2(suffix, at) if suffix != "03" else 450
        return (
            bytes([0x01])
            + int(temperature * 10).to_bytes(2, "big", signed=True)
            + bytes([0x02, 45, 0x04])
            + (120).to_bytes(2, "big")
            + bytes([0x05, 0, 0x06])
            + co2.to_bytes(2, "big"),
            1,
        )
    distance = signal_container_distance(suffix, at)
    return bytes([0x01, 0x75, battery, 0x03, 0x82]) + distance.to_bytes(2, "little"), 85


def chirpstack_up(
    dev_eui: str, spec: DemoDevice, at: datetime.datetime, battery: int
) -> dict[str, Any]:
    """A ChirpStack v4 uplink event of a demo sensor at ``at`` (one per five-minute slot)."""
    frame, port = frame_of(spec.suffix, at, battery)
    slot = int(at.timestamp()) // int(LIVE_STEP.total_seconds())
    return {
        "deduplicationId": f"demo-{dev_eui}-{at.astimezone(datetime.UTC):%Y%m%d%H%M}",
        "time": at.isoformat(),
        "deviceInfo": {
            "applicationId": CHIRPSTACK_APPLICATION,
            "applicationName": "Démonstration",
            "deviceName": spec.name,
            "devEui": dev_eui.lower(),
        },
        "fCnt": slot % 2**16,
        "fPort": port,
        "data": base64.b64encode(frame).decode(),
        "rxInfo": [{"gatewayId": "0016c001f153a14c", "rssi": -87, "snr": 6.5}],
    }


def actuator_heartbeat(dev_eui: str, spec: DemoDevice, at: datetime.datetime) -> dict[str, Any]:
    """The periodic status frame of a demo actuator, decoded by the network server (so it is
    not taken for a silent device)."""
    return {
        "deduplicationId": f"demo-{dev_eui}-{at.astimezone(datetime.UTC):%Y%m%d%H%M}",
        "time": at.isoformat(),
        "deviceInfo": {
            "applicationId": CHIRPSTACK_APPLICATION,
            "applicationName": "Démonstration",
            "deviceName": spec.name,
            "devEui": dev_eui.lower(),
        },
        "fCnt": int(at.timestamp()) // int(LIVE_STEP.total_seconds()) % 2**16,
        "fPort": 2,
        "data": base64.b64encode(b"\x01").decode(),
        "object": {"online": 1},
        "rxInfo": [{"gatewayId": "0016c001f153a14c", "rssi": -91, "snr": 5.0}],
    }


def senml_pack(
    dev_eui: str, suffix: str, at: datetime.datetime, *, year_earlier: bool = False
) -> list[dict[str, Any]]:
    """The SenML records of a SenML demo device at ``at``."""
    base = f"urn:dev:eui:{dev_eui.lower()}:"
    if suffix == "06":
        records = [("level", "m", signal_river_level(at))]
    elif suffix == "07":
        records = [("volume", "m3", signal_water_index(at, year_earlier=year_earlier))]
    elif suffix == "08":
        records = [("energy", "kWh", signal_energy_index(at, year_earlier=year_earlier))]
    else:
        records = [
            ("temperature", "°C", signal_outdoor_temperature(at, year_earlier=year_earlier)),
            ("humidity", "%", 78.0),
        ]
    return [
        {"bn": base, "n": name, "u": unit, "v": value, "t": at.timestamp()}
        for name, unit, value in records
    ]


# --- Live: one reading per sensor every five minutes (``tasks_demo``) ---------------------------


def live_tick(*, now: datetime.datetime | None = None) -> int:
    """Feed each demo sensor of the demo commune one reading for the current five-minute slot,
    through the real pipeline; returns how many uplinks were new. Does nothing on an instance
    that is not the demo (no demo commune under the demo operator, or no demo device), and
    nothing more when the slot was fed already."""
    from clocher.tenancy.models import Commune

    commune = (
        Commune.objects.select_related("operator")
        .filter(slug=FULL_DEMO_COMMUNE, operator__slug=DEMO_OPERATOR)
        .first()
    )
    if commune is None or not is_demo_commune(commune):
        return 0
    wanted = {dev_eui_of(commune, spec.suffix): spec for spec in (*DEVICES, *ACTUATORS)}
    registered = set(
        Device.objects.for_commune(commune)
        .filter(dev_eui__in=list(wanted))
        .values_list("dev_eui", flat=True)
    )
    if not registered:
        return 0
    chirpstack = _existing_integration(commune, IntegrationKind.CHIRPSTACK)
    generic = _existing_integration(commune, IntegrationKind.GENERIC)
    now = now or timezone.now()
    step = int(LIVE_STEP.total_seconds())
    at = datetime.datetime.fromtimestamp(int(now.timestamp()) // step * step, datetime.UTC)
    new = 0
    messages = []
    for dev_eui, spec in sorted(wanted.items()):
        if dev_eui not in registered:
            continue
        if spec in ACTUATORS and chirpstack is not None:
            messages.append(parse_chirpstack("up", actuator_heartbeat(dev_eui, spec, at)))
        elif spec.suffix in CHIRPSTACK_SUFFIXES and chirpstack is not None:
            up = chirpstack_up(dev_eui, spec, at, signal_battery(spec.suffix))
            messages.append(parse_chirpstack("up", up))
        elif spec.suffix not in CHIRPSTACK_SUFFIXES and generic is not None:
            result = ingest_records(
                integration=generic,
                dev_eui=dev_eui,
                records=parse_senml(senml_pack(dev_eui, spec.suffix, at)),
            )
            new += result.status == "stored"
    if messages and chirpstack is not None:
        results = ingest_batch(integration=chirpstack, messages=messages)  # type: ignore[arg-type]
        new += sum(result.status == "stored" for result in results)
    return new


def _existing_integration(commune: Any, kind: str) -> Integration | None:
    return Integration.objects.for_commune(commune).filter(kind=kind, revoked_at=None).first()
