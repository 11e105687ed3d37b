"""Commands defined by a device profile, encoded, and addressed as ChirpStack and The Things
Stack downlinks (topic and exact JSON body)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from clocher.iot.command_profiles import (
    CommandDefinitionInvalid,
    CommandEncodingError,
    EncodedCommand,
    check_parameters,
    encode_command,
    parse_command,
    profile_commands,
)
from clocher.iot.downlinks import DeviceNotAddressable, chirpstack_message, tts_message
from clocher.iot.models import DeviceProfile
from clocher.iot.models.devices import CodecKind
from clocher.iot.tests.factories_control import (
    BELL_COMMANDS,
    LIGHTING_COMMANDS,
    THERMOSTAT_COMMANDS,
)

DOWNLINK_ID = uuid.UUID("9b1f1f2e-6a1c-4b5f-8f0e-3d2c1b0a9f8e")


def _profile(commands, **fields) -> DeviceProfile:
    return DeviceProfile(
        slug="p", model="p", codec_kind=CodecKind.NETWORK, commands=commands, **fields
    )


def test_fixed_and_templated_payloads():
    """On is 01, dim 40 % is 02 28, a set-point of 19.5 °C is 03 00 C3 (tenths, big-endian)."""
    lighting = _profile(LIGHTING_COMMANDS)
    commands, problems = profile_commands(lighting)
    assert problems == []
    by_name = {command.name: command for command in commands}
    assert encode_command(lighting, by_name["on"], {}).payload == b"\x01"
    assert encode_command(lighting, by_name["dim"], {"level": Decimal(40)}).payload == b"\x02\x28"
    thermostat = _profile(THERMOSTAT_COMMANDS)
    (setpoint,) = profile_commands(thermostat)[0]
    encoded = encode_command(thermostat, setpoint, {"temperature": Decimal("19.5")})
    assert encoded == EncodedCommand(f_port=20, payload=b"\x03\x00\xc3", confirmed=True)


def test_parameter_bounds_and_step():
    """Dim accepts 0–100; a set-point outside 5–28 °C or off the 0.5 step is refused."""
    (setpoint,) = profile_commands(_profile(THERMOSTAT_COMMANDS))[0]
    assert check_parameters(setpoint, {"temperature": "21.5"}) == (
        {"temperature": Decimal("21.5")},
        {},
    )
    assert check_parameters(setpoint, {"temperature": "29"})[1] == {"temperature": "outside 5–28"}
    assert check_parameters(setpoint, {"temperature": "4.5"})[1] == {"temperature": "outside 5–28"}
    assert check_parameters(setpoint, {"temperature": "20.3"})[1] == {
        "temperature": "not a multiple of 0.5 from 5"
    }
    assert check_parameters(setpoint, {})[1] == {"temperature": "missing"}
    assert check_parameters(setpoint, {"temperature": "20", "x": "1"})[1] == {
        "x": "not a parameter of this command"
    }


def test_bell_flag_makes_a_bell_command():
    """``"bell": true`` gives the bell category, which quiet hours apply to."""
    (ring,) = profile_commands(_profile(BELL_COMMANDS))[0]
    assert ring.is_bell and ring.category == "bell"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"label": "x", "f_port": 1}, "command.name: expected a non-empty string"),
        ({"name": "on", "label": "x", "f_port": 0}, "f_port: expected an integer from 1 to 223"),
        ({"name": "on", "label": "x", "f_port": 1, "payload_hex": "0G"}, "is neither hexadecimal"),
        (
            {"name": "on", "label": "x", "f_port": 1, "payload_hex": "{x:u8}"},
            "{x} is not a parameter",
        ),
        (
            {
                "name": "on",
                "label": "x",
                "f_port": 1,
                "parameters": [{"name": "a", "min": 5, "max": 1}],
            },
            "min is above max",
        ),
        (
            {"name": "on", "label": "x", "f_port": 1, "category": "siren"},
            "category: expected one of",
        ),
    ],
)
def test_bad_definitions_are_reported(entry, message):
    """A wrong command entry is refused with the reason, never half-used."""
    with pytest.raises(
        CommandDefinitionInvalid, match=message.replace("{", r"\{").replace("}", r"\}")
    ):
        parse_command(entry)


def test_a_bad_entry_does_not_hide_the_good_ones():
    """The profile's other commands stay usable; the problem is listed."""
    commands, problems = profile_commands(_profile([*LIGHTING_COMMANDS, {"name": "x"}]))
    assert [command.name for command in commands] == ["on", "off", "dim"]
    assert problems == ["commands[3] 'x'.f_port: expected an integer from 1 to 223"]


def test_value_that_does_not_fit_the_payload_type():
    """A parameter allowed by its bounds but too big for its byte is refused at encoding."""
    profile = _profile(
        [
            {
                "name": "x",
                "label": "X",
                "f_port": 1,
                "payload_hex": "{v:u8}",
                "parameters": [{"name": "v", "min": 0, "max": 1000}],
            }
        ]
    )
    (command,) = profile_commands(profile)[0]
    with pytest.raises(CommandEncodingError, match="does not fit in u8"):
        encode_command(profile, command, {"v": Decimal(300)})


def test_javascript_codec_encode_downlink():
    """``encoder: codec`` runs the profile's encodeDownlink with the parameters (sandboxed)."""
    codec = """
    function decodeUplink(input) { return {data: {}}; }
    function encodeDownlink(input) {
      return {bytes: [0x10, input.data.level], fPort: 12};
    }
    """
    profile = _profile(
        [
            {
                "name": "dim",
                "label": "Varier",
                "f_port": 10,
                "encoder": "codec",
                "parameters": [{"name": "level", "min": 0, "max": 100}],
            }
        ],
        javascript_codec=codec,
    )
    profile.codec_kind = CodecKind.JAVASCRIPT
    (dim,) = profile_commands(profile)[0]
    assert encode_command(profile, dim, {"level": Decimal(75)}) == EncodedCommand(
        12, b"\x10\x4b", True
    )


def test_javascript_codec_errors_are_refusals():
    """A codec that reports errors does not produce a downlink."""
    codec = (
        "function decodeUplink(i){return {data:{}}}"
        " function encodeDownlink(i){return {errors:['no']}}"
    )
    profile = _profile(
        [{"name": "on", "label": "On", "f_port": 10, "encoder": "codec"}], javascript_codec=codec
    )
    profile.codec_kind = CodecKind.JAVASCRIPT
    (on,) = profile_commands(profile)[0]
    with pytest.raises(CommandEncodingError, match="codec reported errors: no"):
        encode_command(profile, on, {})


def test_network_encoder_sends_an_object():
    """``encoder: network`` leaves the encoding to the network server's codec."""
    profile = _profile(
        [
            {
                "name": "dim",
                "label": "Varier",
                "f_port": 10,
                "encoder": "network",
                "data": {"action": "dim"},
                "parameters": [{"name": "level", "min": 0, "max": 100}],
            }
        ]
    )
    (dim,) = profile_commands(profile)[0]
    assert encode_command(profile, dim, {"level": Decimal(30)}).payload == {
        "action": "dim",
        "level": 30,
    }


def test_chirpstack_command_down():
    """Topic application/{app}/device/{eui}/command/down; body with our id (the queue item id)."""
    topic, body = chirpstack_message(
        application_id="17c82e96-be03-4f38-aef3-f83d48582d97",
        dev_eui="0101010101010101",
        encoded=EncodedCommand(10, b"\x02\x28", True),
        downlink_id=DOWNLINK_ID,
    )
    assert topic == (
        "application/17c82e96-be03-4f38-aef3-f83d48582d97/device/0101010101010101/command/down"
    )
    assert body == {
        "devEui": "0101010101010101",
        "confirmed": True,
        "fPort": 10,
        "data": "Aig=",
        "id": "9b1f1f2e-6a1c-4b5f-8f0e-3d2c1b0a9f8e",
    }


def test_chirpstack_object_for_the_network_encoder():
    _topic, body = chirpstack_message(
        application_id="app",
        dev_eui="0101010101010101",
        encoded=EncodedCommand(10, {"level": 30}, False),
        downlink_id=DOWNLINK_ID,
    )
    assert body["object"] == {"level": 30} and "data" not in body and body["confirmed"] is False


def test_tts_down_push():
    """Topic v3/{app}[@tenant]/devices/{id}/down/push; body with our correlation id."""
    topic, body = tts_message(
        application_id="app1",
        device_id="dev1",
        encoded=EncodedCommand(15, b"\xbe\xef", True),
        correlation_id="clocher:cmd:9b1f1f2e-6a1c-4b5f-8f0e-3d2c1b0a9f8e",
    )
    assert topic == "v3/app1/devices/dev1/down/push"
    assert body == {
        "downlinks": [
            {
                "f_port": 15,
                "frm_payload": "vu8=",
                "priority": "NORMAL",
                "confirmed": True,
                "correlation_ids": ["clocher:cmd:9b1f1f2e-6a1c-4b5f-8f0e-3d2c1b0a9f8e"],
            }
        ]
    }
    cloud_topic, _body = tts_message(
        application_id="app1@ttn",
        device_id="dev1",
        encoded=EncodedCommand(15, b"", True),
        correlation_id="c",
    )
    assert cloud_topic == "v3/app1@ttn/devices/dev1/down/push"


@pytest.mark.parametrize("application", ["", "a/b", "+", "#", "$SYS"])
def test_identifiers_that_would_break_the_topic_are_refused(application):
    """An application id with a topic separator or wildcard is never published to."""
    with pytest.raises(DeviceNotAddressable):
        chirpstack_message(
            application_id=application,
            dev_eui="0101010101010101",
            encoded=EncodedCommand(10, b"\x01", True),
            downlink_id=DOWNLINK_ID,
        )
