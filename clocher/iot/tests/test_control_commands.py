"""Manual commands: confirmation, quiet hours and their override, rate limits, journal; delivery
retried when the broker is down; delivery confirmed from the network servers' real ack/txack
and down/* events; downlink addresses noted from uplinks."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.test import override_settings

from clocher.iot.models import Command, CommandEvent, Device
from clocher.iot.models.control import CommandState
from clocher.iot.network import NormalisedEvent, NormalisedUplink
from clocher.iot.network.chirpstack import parse_chirpstack
from clocher.iot.network.tts import parse_tts
from clocher.iot.services.commands import (
    CommandRefused,
    command_request,
    commands_deliver,
    commands_deliver_due,
)
from clocher.iot.services.ingestion import ingest, ingest_event
from clocher.iot.tests import factories
from clocher.iot.tests.factories_control import (
    bell_profile,
    chirpstack_device,
    lighting_profile,
    tts_device,
)

pytestmark = pytest.mark.django_db

DAY = datetime(2024, 6, 3, 10, 0, tzinfo=UTC)  # 12:00 in Paris
NIGHT = datetime(2024, 6, 3, 21, 30, tzinfo=UTC)  # 23:30 in Paris
CHIRPSTACK_EUI = "0101010101010101"  # the device of the ChirpStack reference samples
TTS_EUI = "0004A30B001C0530"  # the device of The Things Stack reference samples
UNREACHABLE = "mqtt://127.0.0.1:1"  # nothing listens on port 1 of the loopback


@pytest.fixture
def lamp(commune_a, operator):
    return chirpstack_device(
        commune_a, lighting_profile(operator), CHIRPSTACK_EUI, name="Lampe église"
    )


@pytest.fixture
def bells(commune_a, operator):
    return chirpstack_device(commune_a, bell_profile(operator), "70B3D57ED0000040", name="Cloches")


def _ask(commune, user, device, name="on", parameters=None, now=DAY, **options):
    options.setdefault("confirmed", True)
    return command_request(
        commune=commune,
        actor=user,
        device=device,
        command_name=name,
        parameters=parameters or {},
        now=now,
        **options,
    )


def test_a_confirmed_command_is_journaled_with_who_asked(commune_a, admin_a, lamp):
    """The command is queued with the person, the confirmation and its body, and journaled."""
    command = _ask(commune_a, admin_a, lamp, "dim", {"level": "40"})
    assert command.state == CommandState.QUEUED
    assert (command.requested_by, command.is_confirmed, command.origin) == (admin_a, True, "manual")
    assert command.parameters == {"level": 40}
    assert command.body == {
        "devEui": "0101010101010101",
        "confirmed": True,
        "fPort": 10,
        "data": "Aig=",
        "id": str(command.downlink_id),
    }
    (event,) = CommandEvent.objects.filter(command=command)
    assert event.state == CommandState.QUEUED and "envoi confirmé" in event.detail


def test_without_confirmation_nothing_is_stored(commune_a, admin_a, lamp):
    with pytest.raises(CommandRefused) as refusal:
        _ask(commune_a, admin_a, lamp, confirmed=False)
    assert (refusal.value.field, refusal.value.code) == ("confirmation", "not_confirmed")
    assert Command.objects.count() == 0


def test_parameters_outside_bounds_are_refused(commune_a, admin_a, lamp):
    with pytest.raises(CommandRefused) as refusal:
        _ask(commune_a, admin_a, lamp, "dim", {"level": "120"})
    assert refusal.value.field == "level"
    assert "entre 0 et 100" in refusal.value.message
    assert Command.objects.count() == 0


def test_bells_are_blocked_in_quiet_hours(commune_a, admin_a, bells):
    """23:30: refused without override, refused with an override but no reason."""
    with pytest.raises(CommandRefused) as refusal:
        _ask(commune_a, admin_a, bells, "ring", now=NIGHT)
    assert (refusal.value.field, refusal.value.code) == ("override_quiet_hours", "quiet_hours")
    with pytest.raises(CommandRefused) as refusal:
        _ask(
            commune_a,
            admin_a,
            bells,
            "ring",
            now=NIGHT,
            override_quiet_hours=True,
            override_reason=" ",
        )
    assert refusal.value.field == "override_reason"
    assert Command.objects.count() == 0


def test_an_explicit_override_with_a_reason_is_journaled(commune_a, admin_a, bells):
    command = _ask(
        commune_a,
        admin_a,
        bells,
        "ring",
        now=NIGHT,
        override_quiet_hours=True,
        override_reason="Tocsin : incendie rue du Lavoir",
    )
    assert (command.quiet_hours_override, command.override_reason) == (
        True,
        "Tocsin : incendie rue du Lavoir",
    )
    assert "Tocsin : incendie rue du Lavoir" in CommandEvent.objects.get(command=command).detail


def test_bells_ring_freely_by_day_and_lights_at_night(commune_a, admin_a, bells, lamp):
    """Quiet hours concern bells only, and only at night."""
    assert _ask(commune_a, admin_a, bells, "ring", now=DAY).quiet_hours_override is False
    assert _ask(commune_a, admin_a, lamp, "on", now=NIGHT).state == CommandState.QUEUED


def test_custom_quiet_hours(commune_a, admin_a, bells):
    """A commune that keeps silence from 20:00 to 08:00 refuses bells at 21:00."""
    from datetime import time

    from clocher.iot.services.commands import control_settings_save

    control_settings_save(
        commune=commune_a,
        actor=admin_a,
        quiet_hours_start=time(20),
        quiet_hours_end=time(8),
        school_zone="",
    )
    with pytest.raises(CommandRefused):
        _ask(commune_a, admin_a, bells, "ring", now=datetime(2024, 6, 3, 19, 0, tzinfo=UTC))


@override_settings(IOT_COMMANDS_PER_DEVICE_PER_MINUTE=2)
def test_rate_limit_per_device(commune_a, admin_a, technician_a, lamp):
    """Two commands in the minute, the third refused whoever asks; a minute later it goes."""
    _ask(commune_a, admin_a, lamp, now=DAY)
    _ask(commune_a, technician_a, lamp, "off", now=DAY + timedelta(seconds=10))
    with pytest.raises(CommandRefused) as refusal:
        _ask(commune_a, admin_a, lamp, now=DAY + timedelta(seconds=20))
    assert refusal.value.code == "rate_device"
    assert "au plus 2 par minute" in refusal.value.message
    assert Command.objects.count() == 2
    _ask(commune_a, admin_a, lamp, now=DAY + timedelta(seconds=61))
    assert Command.objects.count() == 3


@override_settings(IOT_COMMANDS_PER_USER_PER_MINUTE=2, IOT_COMMANDS_PER_DEVICE_PER_MINUTE=10)
def test_rate_limit_per_user(commune_a, admin_a, technician_a, operator):
    """A person sends at most two commands a minute across devices; another person still can."""
    lamps = [
        chirpstack_device(commune_a, lighting_profile(operator), f"70B3D57ED000005{index}")
        for index in range(3)
    ]
    _ask(commune_a, admin_a, lamps[0])
    _ask(commune_a, admin_a, lamps[1])
    with pytest.raises(CommandRefused) as refusal:
        _ask(commune_a, admin_a, lamps[2])
    assert refusal.value.code == "rate_user"
    _ask(commune_a, technician_a, lamps[2])


def test_a_device_of_unknown_address_is_refused(commune_a, admin_a, operator):
    lamp = Device.objects.create(
        commune=commune_a,
        dev_eui="70B3D57ED0000060",
        name="Neuve",
        profile=lighting_profile(operator),
    )
    with pytest.raises(CommandRefused) as refusal:
        _ask(commune_a, admin_a, lamp)
    assert refusal.value.code == "not_addressable"


def test_another_communes_device_is_refused(commune_a, commune_b, admin_a, operator):
    foreign = chirpstack_device(commune_b, lighting_profile(operator), "70B3D57ED0000061")
    with pytest.raises(CommandRefused):
        _ask(commune_a, admin_a, foreign)
    assert Command.objects.count() == 0


def test_the_journal_is_append_only(commune_a, admin_a, lamp):
    command = _ask(commune_a, admin_a, lamp)
    with pytest.raises(TypeError):
        command.save()
    with pytest.raises(TypeError):
        command.delete()
    with pytest.raises(TypeError):
        Command.objects.all().delete()
    event = CommandEvent.objects.get()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        CommandEvent.objects.update(detail="changé")


# --- Delivery without a broker ------------------------------------------------------------------


@override_settings(IOT_DOWNLINK_MQTT_URL=UNREACHABLE, IOT_MQTT_URL="", IOT_COMMAND_MAX_ATTEMPTS=3)
def test_broker_down_retries_then_fails_with_the_reason(commune_a, admin_a, lamp):
    """Broker down: "à renvoyer" with the reason and a backoff; after 3 attempts, failed."""
    command = _ask(commune_a, admin_a, lamp, now=DAY)
    report = commands_deliver([command.pk], now=DAY)
    command.refresh_from_db()
    assert (report.sent, report.retried) == (0, 1)
    assert command.state == CommandState.RETRY
    assert "cannot reach mqtt://127.0.0.1:1" in command.error
    assert command.next_attempt_at == DAY + timedelta(minutes=1)
    assert commands_deliver_due(now=DAY + timedelta(seconds=30)).retried == 0  # not due yet
    commands_deliver_due(now=DAY + timedelta(minutes=1))
    command.refresh_from_db()
    assert (command.state, command.attempts) == (CommandState.RETRY, 2)
    assert command.next_attempt_at == DAY + timedelta(minutes=3)
    commands_deliver_due(now=DAY + timedelta(minutes=3))
    command.refresh_from_db()
    assert (command.state, command.attempts) == (CommandState.FAILED, 3)
    assert [e.state for e in CommandEvent.objects.filter(command=command)] == [
        "queued",
        "retry",
        "retry",
        "failed",
    ]


@override_settings(IOT_DOWNLINK_MQTT_URL="", IOT_MQTT_URL="")
def test_no_broker_configured_says_so(commune_a, admin_a, lamp):
    command = _ask(commune_a, admin_a, lamp, now=DAY)
    commands_deliver([command.pk], now=DAY)
    command.refresh_from_db()
    assert command.state == CommandState.RETRY
    assert "no MQTT broker configured for downlinks" in command.error


def test_the_request_enqueues_its_delivery_on_commit(
    commune_a, admin_a, lamp, django_capture_on_commit_callbacks
):
    """The person's request only stores the command; a task publishes it after the commit."""
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        _ask(commune_a, admin_a, lamp)
    assert len(callbacks) == 1


# --- Confirmation from the network servers ------------------------------------------------------


def _event(parsed: NormalisedUplink | NormalisedEvent) -> NormalisedEvent:
    assert isinstance(parsed, NormalisedEvent)
    return parsed


def _sent(command: Command) -> Command:
    Command.objects.filter(pk=command.pk).update(state=CommandState.SENT, sent_at=DAY)
    command.refresh_from_db()
    return command


def _chirpstack_event(name: str, command: Command, **changes):
    body = factories.fixture_json(name)
    body["queueItemId"] = str(command.downlink_id)
    body.update(changes)
    return _event(parse_chirpstack(name.split("_")[1].replace(".json", ""), body))


def test_chirpstack_txack_then_ack(commune_a, admin_a, lamp):
    """The reference txack then ack samples: transmitted (gateway, fCntDown 12), acknowledged."""
    integration, _token = factories.integration(commune_a)
    command = _sent(_ask(commune_a, admin_a, lamp))
    result = ingest_event(
        integration=integration, event=_chirpstack_event("chirpstack_txack.json", command)
    )
    assert result.status == "stored"
    command.refresh_from_db()
    assert (command.state, command.f_cnt_down) == (CommandState.TRANSMITTED, 12)
    assert command.transmitted_at == datetime(2022, 7, 18, 9, 40, 0, 123456, tzinfo=UTC)
    ingest_event(integration=integration, event=_chirpstack_event("chirpstack_ack.json", command))
    command.refresh_from_db()
    assert command.state == CommandState.ACKNOWLEDGED
    assert command.acknowledged_at is not None
    details = [e.detail for e in CommandEvent.objects.filter(command=command)]
    assert "Émise par la passerelle 0016c001f153a14c." in details
    assert "Réception confirmée par l'objet." in details


def test_chirpstack_ack_not_acknowledged_fails_the_command(commune_a, admin_a, lamp):
    """The sample without ``acknowledged`` (false, omitted): failed."""
    integration, _token = factories.integration(commune_a)
    command = _sent(_ask(commune_a, admin_a, lamp))
    body = factories.fixture_json("chirpstack_ack_not_acknowledged.json")
    body["queueItemId"] = str(command.downlink_id)
    ingest_event(integration=integration, event=_event(parse_chirpstack("ack", body)))
    command.refresh_from_db()
    assert command.state == CommandState.FAILED
    assert command.error == "the device did not acknowledge the downlink"


def test_a_repeated_event_changes_nothing(commune_a, admin_a, lamp):
    integration, _token = factories.integration(commune_a)
    command = _sent(_ask(commune_a, admin_a, lamp))
    event = _chirpstack_event("chirpstack_ack.json", command)
    assert ingest_event(integration=integration, event=event).status == "stored"
    assert ingest_event(integration=integration, event=event).status == "ignored"
    assert CommandEvent.objects.filter(command=command, state="acknowledged").count() == 1


def test_an_ack_of_another_communes_command_is_ignored(commune_a, commune_b, admin_a, lamp):
    """Commune B's integration cannot confirm commune A's command."""
    integration_b, _token = factories.integration(commune_b)
    command = _sent(_ask(commune_a, admin_a, lamp))
    result = ingest_event(
        integration=integration_b, event=_chirpstack_event("chirpstack_ack.json", command)
    )
    assert result.status == "pending_device"
    command.refresh_from_db()
    assert command.state == CommandState.SENT


def _tts_event(name: str, command: Command):
    body = factories.fixture_json(name)
    text = json.dumps(body).replace("clocher:cmd:42", command.correlation_id)
    return _event(parse_tts(None, text))


@pytest.fixture
def tts_lamp(commune_a, operator):
    return tts_device(commune_a, lighting_profile(operator), TTS_EUI)


def test_tts_sent_then_ack(commune_a, admin_a, tts_lamp):
    """The reference down/sent then down/ack samples, found by our correlation id."""
    integration, _token = factories.integration(commune_a, kind="tts")
    command = _sent(_ask(commune_a, admin_a, tts_lamp))
    assert command.topic == "v3/app1/devices/dev1/down/push"
    ingest_event(integration=integration, event=_tts_event("tts_down_queued.json", command))
    command.refresh_from_db()
    assert command.state == CommandState.SENT
    ingest_event(integration=integration, event=_tts_event("tts_down_sent.json", command))
    command.refresh_from_db()
    assert (command.state, command.f_cnt_down) == (CommandState.TRANSMITTED, 3)
    ingest_event(integration=integration, event=_tts_event("tts_down_ack.json", command))
    command.refresh_from_db()
    assert command.state == CommandState.ACKNOWLEDGED


def test_tts_down_failed_gives_the_reason(commune_a, admin_a, tts_lamp):
    integration, _token = factories.integration(commune_a, kind="tts")
    command = _sent(_ask(commune_a, admin_a, tts_lamp))
    ingest_event(integration=integration, event=_tts_event("tts_down_failed.json", command))
    command.refresh_from_db()
    assert command.state == CommandState.FAILED
    assert command.error == "application downlink payload is too long"


def test_tts_nack_fails_the_command(commune_a, admin_a, tts_lamp):
    integration, _token = factories.integration(commune_a, kind="tts")
    command = _sent(_ask(commune_a, admin_a, tts_lamp))
    ingest_event(integration=integration, event=_tts_event("tts_down_nack.json", command))
    command.refresh_from_db()
    assert command.state == CommandState.FAILED


def test_an_event_naming_no_command_is_ignored(commune_a, tts_lamp):
    """The sample's own correlation id (clocher:cmd:42) names no command: nothing changes."""
    integration, _token = factories.integration(commune_a, kind="tts")
    body = factories.fixture_json("tts_down_ack.json")
    result = ingest_event(integration=integration, event=_event(parse_tts(None, body)))
    assert result.status == "ignored"


# --- Where downlinks go, noted from uplinks -----------------------------------------------------


def test_the_address_is_noted_from_chirpstack_uplinks(commune_a, operator):
    """A registered device's first uplink gives its ChirpStack application id."""
    elsys = factories.profile(operator)
    device = factories.device(commune_a, elsys)
    integration, _token = factories.integration(commune_a)
    ingest(integration=integration, message=factories.chirpstack_uplink())
    device.refresh_from_db()
    assert (device.network_server, device.network_application_id) == (
        "chirpstack",
        factories.fixture_json("chirpstack_up_decoded.json")["deviceInfo"]["applicationId"],
    )


def test_the_address_is_noted_from_tts_uplinks_keeping_a_tenant(commune_a, operator):
    """TTS uplink: application and device ids; an ``app@tenant`` entered by hand is kept."""
    body = factories.fixture_json("tts_up.json")
    device = Device.objects.create(
        commune=commune_a,
        dev_eui=body["end_device_ids"]["dev_eui"].upper(),
        name="TTS",
        profile=factories.profile(operator),
        network_application_id="app1@ttn",
    )
    integration, _token = factories.integration(commune_a, kind="tts")
    ingest(integration=integration, message=factories.parsed_uplink(parse_tts("up", body)))
    device.refresh_from_db()
    assert (device.network_server, device.network_application_id, device.network_device_id) == (
        "tts",
        "app1@ttn",
        "dev1",
    )


def test_correlation_ids_are_uuid_based(commune_a, admin_a, lamp):
    command = _ask(commune_a, admin_a, lamp)
    assert command.correlation_id == f"clocher:cmd:{command.downlink_id}"
    assert isinstance(command.downlink_id, uuid.UUID)
