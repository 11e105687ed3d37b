"""Factories of Cité IoT tests: profiles, devices, integrations, fixture messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from clocher.core.testing.isolation import isolation_factory
from clocher.iot.models import (
    Alert,
    AlertEvent,
    AlertRecipient,
    AlertRule,
    Device,
    DeviceProfile,
    Integration,
    ProfileAdoption,
    PublishedDatastream,
)
from clocher.iot.models.alerts import AlertEventKind, RuleKind, RuleScope
from clocher.iot.models.devices import CodecKind
from clocher.iot.network import NormalisedEvent, NormalisedUplink
from clocher.iot.services.integrations import integration_create

FIXTURES = Path(__file__).parent / "fixtures"
ELSYS_DEV_EUI = "A81758FFFE030A8F"  # the device of chirpstack_up_decoded.json


def chirpstack_event(event: str, name: str) -> NormalisedEvent:
    from clocher.iot.network.chirpstack import parse_chirpstack

    parsed = parse_chirpstack(event, fixture_json(name))
    assert isinstance(parsed, NormalisedEvent)
    return parsed


def parsed_uplink(parsed: NormalisedUplink | NormalisedEvent) -> NormalisedUplink:
    assert isinstance(parsed, NormalisedUplink)
    return parsed


def fixture_json(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def profile(operator: Any, slug: str = "elsys-ers-co2", **fields: Any) -> DeviceProfile:
    defaults: dict[str, Any] = {
        "model": "Elsys ERS CO2",
        "codec_kind": CodecKind.BUILTIN,
        "builtin_codec": "elsys-ers-co2",
        "quantities": {"temperature": "°C", "humidity": "%", "co2": "ppm"},
    }
    defaults.update(fields)
    return DeviceProfile.objects.create(operator=operator, slug=slug, **defaults)


def device(commune: Any, device_profile: DeviceProfile, dev_eui: str = ELSYS_DEV_EUI) -> Device:
    return Device.objects.create(
        commune=commune, dev_eui=dev_eui, name=f"Capteur {dev_eui}", profile=device_profile
    )


def numbered_device(
    commune: Any, device_profile: DeviceProfile, number: int, **fields: Any
) -> Device:
    """The test's device n° ``number``: its DevEUI and name (« Capteur 007 ») come from it."""
    return Device.objects.create(
        commune=commune,
        dev_eui=f"{number:016X}",
        name=f"Capteur {number:03d}",
        profile=device_profile,
        **fields,
    )


def integration(commune: Any, kind: str = "chirpstack") -> tuple[Integration, str]:
    return integration_create(commune=commune, kind=kind, label="test")


def chirpstack_uplink(
    *, time: str = "2024-03-05T08:15:00+01:00", keep_object: bool = False, **fields: Any
) -> Any:
    """The ChirpStack sample frame of an Elsys ERS CO2, as a NormalisedUplink; ``fields``
    replace top-level keys (``data``, ``deduplicationId``…)."""
    from clocher.iot.network.chirpstack import parse_chirpstack

    message = fixture_json("chirpstack_up_decoded.json")
    if not keep_object:
        message.pop("object")
    message["time"] = time
    message["deduplicationId"] = f"dedup-{time}"
    message.update(fields)
    return parsed_uplink(parse_chirpstack("up", message))


@isolation_factory(Device)
def device_for_isolation(commune: Any, marker: str) -> Device:
    device_profile = DeviceProfile.objects.filter(operator=commune.operator, slug="isolation")
    return Device.objects.create(
        commune=commune,
        dev_eui=f"F0{commune.pk:014X}",
        name=f"{marker} capteur",
        profile=device_profile.first() or profile(commune.operator, slug="isolation"),
        building=f"{marker} école",
        site=f"{marker} site",
    )


@isolation_factory(PublishedDatastream)
def published_datastream_for_isolation(commune: Any, marker: str) -> PublishedDatastream:
    device_profile = DeviceProfile.objects.filter(operator=commune.operator, slug="isolation-od")
    published = Device.objects.create(
        commune=commune,
        dev_eui=f"F1{commune.pk:014X}",
        name=f"{marker} capteur publié",
        profile=device_profile.first() or profile(commune.operator, slug="isolation-od"),
        latitude=47.3,
        longitude=5.0,
    )
    return PublishedDatastream.objects.create(
        commune=commune, device=published, quantity="co2", name=f"{marker} flux"
    )


# Remote control (commands, schedules): its own factories, registered on import.
from clocher.iot.tests import factories_control  # noqa: E402,F401


@isolation_factory(ProfileAdoption)
def profile_adoption_for_isolation(commune: Any, marker: str) -> ProfileAdoption:
    """An adoption of a profile no device of the commune uses (so it could be stopped)."""
    # Profiles are the operator's, shared by its communes: no commune marker in them.
    adopted = profile(
        commune.operator, slug=f"isolation-adopted-{commune.pk}", model="Modèle partagé"
    )
    return ProfileAdoption.objects.create(commune=commune, profile=adopted)


# --- Alerts ------------------------------------------------------------------------------------


def _alerts_device(commune: Any, marker: str) -> Device:
    device_profile = DeviceProfile.objects.filter(operator=commune.operator, slug="isolation-al")
    return Device.objects.create(
        commune=commune,
        dev_eui=f"F4{commune.pk:014X}",  # F0, F1: above; F2, F3: factories_control
        name=f"{marker} capteur d'alerte",
        profile=device_profile.first() or profile(commune.operator, slug="isolation-al"),
        site=f"{marker} site d'alerte",
    )


def _alert_rule(commune: Any, marker: str) -> AlertRule:
    return AlertRule.objects.create(
        commune=commune,
        label=f"{marker} règle",
        kind=RuleKind.THRESHOLD_ABOVE,
        scope=RuleScope.COMMUNE,
        quantity="co2",
        threshold=1500,
    )


@isolation_factory(AlertRule)
def alert_rule_for_isolation(commune: Any, marker: str) -> AlertRule:
    return _alert_rule(commune, marker)


@isolation_factory(Alert)
def alert_for_isolation(commune: Any, marker: str) -> Alert:
    from django.utils import timezone

    rule = AlertRule.objects.filter(commune=commune).first() or _alert_rule(commune, marker)
    alert = Alert.objects.create(
        commune=commune,
        rule=rule,
        device=_alerts_device(commune, marker),
        kind=rule.kind,
        severity=rule.severity,
        label=f"{marker} alerte",
        quantity="co2",
        value=1600,
        unit="ppm",
        triggered_at=timezone.now(),
    )
    AlertEvent.objects.create(
        commune=commune, alert=alert, kind=AlertEventKind.OPENED, text=f"{marker} ouverte"
    )
    return alert


@isolation_factory(AlertRecipient)
def alert_recipient_for_isolation(commune: Any, marker: str) -> AlertRecipient:
    from clocher.core.testing.factories import MembershipFactory

    membership: Any = MembershipFactory(commune=commune, user__last_name=f"{marker} astreinte")
    user = membership.user
    recipient = AlertRecipient(commune=commune, user=user, by_sms=True)
    recipient.phone = "+33612345678"
    recipient.save()
    return recipient
