"""Factories of remote-control tests: actuator profiles (lighting, thermostat, bells), devices
addressable on ChirpStack or The Things Stack, schedules, commands for the isolation test."""

from __future__ import annotations

import uuid
from datetime import time
from typing import Any

from django.utils import timezone

from clocher.core.testing.isolation import isolation_factory
from clocher.iot.models import Command, CommandEvent, Device, DeviceProfile, Schedule
from clocher.iot.models.control import CommandOrigin, CommandState
from clocher.iot.models.devices import CodecKind

CHIRPSTACK_APPLICATION = "17c82e96-be03-4f38-aef3-f83d48582d97"  # the reference samples' one
LIGHTING_COMMANDS = [
    {"name": "on", "label": "Allumer", "f_port": 10, "payload_hex": "01", "category": "lighting"},
    {"name": "off", "label": "Éteindre", "f_port": 10, "payload_hex": "00", "category": "lighting"},
    {
        "name": "dim",
        "label": "Varier l'intensité",
        "f_port": 10,
        "payload_hex": "02{level:u8}",
        "category": "lighting",
        "parameters": [{"name": "level", "label": "Niveau", "unit": "%", "min": 0, "max": 100}],
    },
]
THERMOSTAT_COMMANDS = [
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
]
BELL_COMMANDS = [
    {"name": "ring", "label": "Sonner les cloches", "f_port": 30, "payload_hex": "A1", "bell": True}
]


def actuator_profile(
    operator: Any, slug: str, commands: list[dict[str, Any]], **fields: Any
) -> DeviceProfile:
    defaults: dict[str, Any] = {
        "model": slug,
        "codec_kind": CodecKind.NETWORK,
        "commands": commands,
    }
    defaults.update(fields)
    return DeviceProfile.objects.create(operator=operator, slug=slug, **defaults)


def lighting_profile(operator: Any) -> DeviceProfile:
    found = DeviceProfile.objects.filter(operator=operator, slug="lighting").first()
    return found or actuator_profile(operator, "lighting", LIGHTING_COMMANDS, model="Lampadaire")


def bell_profile(operator: Any) -> DeviceProfile:
    found = DeviceProfile.objects.filter(operator=operator, slug="bells").first()
    return found or actuator_profile(operator, "bells", BELL_COMMANDS, model="Cloches")


def thermostat_profile(operator: Any) -> DeviceProfile:
    found = DeviceProfile.objects.filter(operator=operator, slug="thermostat").first()
    return found or actuator_profile(
        operator, "thermostat", THERMOSTAT_COMMANDS, model="Thermostat"
    )


def chirpstack_device(
    commune: Any,
    profile: DeviceProfile,
    dev_eui: str,
    *,
    application: str = CHIRPSTACK_APPLICATION,
    **fields: Any,
) -> Device:
    return Device.objects.create(
        commune=commune,
        dev_eui=dev_eui,
        name=fields.pop("name", f"Objet {dev_eui}"),
        profile=profile,
        network_server="chirpstack",
        network_application_id=application,
        **fields,
    )


def tts_device(commune: Any, profile: DeviceProfile, dev_eui: str, **fields: Any) -> Device:
    return Device.objects.create(
        commune=commune,
        dev_eui=dev_eui,
        name=fields.pop("name", f"Objet {dev_eui}"),
        profile=profile,
        network_server="tts",
        network_application_id=fields.pop("application", "app1"),
        network_device_id=fields.pop("device_id", "dev1"),
        **fields,
    )


def fixed_schedule(
    commune: Any, device: Device | None, command: str = "on", **fields: Any
) -> Schedule:
    values: dict[str, Any] = {
        "name": "Allumage",
        "target": "device",
        "device": device,
        "command_name": command,
        "trigger": "fixed",
        "time_of_day": time(18, 0),
        "weekdays": [1, 2, 3, 4, 5, 6, 7],
    }
    values.update(fields)
    effective_from = values.pop("effective_from", timezone.now())
    return Schedule.objects.create(commune=commune, effective_from=effective_from, **values)


@isolation_factory(Schedule)
def schedule_for_isolation(commune: Any, marker: str) -> Schedule:
    device = chirpstack_device(
        commune,
        lighting_profile(commune.operator),
        f"F2{commune.pk:014X}",
        name=f"{marker} lampadaire",
    )
    return fixed_schedule(commune, device, name=f"{marker} programmation")


@isolation_factory(Command)
def command_for_isolation(commune: Any, marker: str) -> Command:
    device = chirpstack_device(
        commune,
        lighting_profile(commune.operator),
        f"F3{commune.pk:014X}",
        name=f"{marker} lampe commandée",
    )
    command = Command(
        commune=commune,
        device=device,
        command_name="on",
        command_label=f"{marker} allumer",
        category="lighting",
        origin=CommandOrigin.MANUAL,
        is_confirmed=True,
        downlink_id=uuid.uuid4(),
        state=CommandState.QUEUED,
        error=f"{marker} erreur",
    )
    command.save()
    CommandEvent.objects.create(
        commune=commune, command=command, state=CommandState.QUEUED, detail=f"{marker} étape"
    )
    return command
