"""The commands a device profile defines, and how one is encoded into a downlink.

``DeviceProfile.commands`` is a JSON list; each entry::

    {"name": "dim", "label": "Varier l'intensité", "f_port": 10, "category": "lighting",
     "payload_hex": "02{level:u8}",
     "parameters": [{"name": "level", "label": "Niveau", "unit": "%", "min": 0, "max": 100}]}

- ``name`` (``[a-z][a-z0-9_]*``), ``label`` and ``f_port`` (1–223) are required.
- ``category``: ``lighting``, ``heating``, ``bell`` or ``other`` (default). ``"bell": true`` is
  the same as ``"category": "bell"``. Bell commands are blocked during the commune's quiet hours.
- ``confirmed`` (default true): ask the device to acknowledge (LoRaWAN confirmed downlink).
- ``parameters``: numbers, each with ``min`` and ``max`` (required) and ``step`` (default 1).
- The payload is built one of three ways (``encoder``):
  - ``payload`` (default): ``payload_hex``, fixed hexadecimal bytes where a placeholder
    ``{name:type}`` or ``{name:type*scale}`` writes a parameter as an integer: type ``u8``,
    ``i8``, ``u16be``, ``u16le``, ``i16be``, ``i16le``, ``u32be``, ``u32le``, ``i32be``,
    ``i32le``; the value is multiplied by ``scale`` and rounded (``{setpoint:i16be*10}`` sends
    19.5 °C as ``00C3``);
  - ``codec``: the profile's JavaScript codec ``encodeDownlink({data, variables})`` with
    ``data`` = the entry's ``data`` object (default ``{"command": name}``) plus the parameters;
    its ``fPort``, when returned, replaces ``f_port``;
  - ``network``: the same object is sent for the network server's own encoder (ChirpStack
    ``object``, The Things Stack ``decoded_payload``).
"""

from __future__ import annotations

import dataclasses
import re
import struct
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from clocher.iot.models import DeviceProfile
from clocher.iot.models.devices import CodecKind

CATEGORIES = ("lighting", "heating", "bell", "other")
ENCODERS = ("payload", "codec", "network")
JAVASCRIPT_TIME_LIMIT_MS = 100

_NAME = re.compile(r"[a-z][a-z0-9_]{0,59}")
_PLACEHOLDER = re.compile(
    r"\{(?P<name>[a-z][a-z0-9_]{0,59}):(?P<type>[ui](?:8|16be|16le|32be|32le))"
    r"(?:\*(?P<scale>[0-9]+(?:\.[0-9]+)?))?\}"
)
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})*")
_FORMATS = {
    "u8": ">B",
    "i8": ">b",
    "u16be": ">H",
    "u16le": "<H",
    "i16be": ">h",
    "i16le": "<h",
    "u32be": ">I",
    "u32le": "<I",
    "i32be": ">i",
    "i32le": "<i",
}


class CommandDefinitionInvalid(ValueError):
    """A profile's command entry that cannot be used (says which and why)."""


class CommandEncodingError(ValueError):
    """A command that cannot be encoded with these parameters (value out of the payload type,
    codec failure)."""


@dataclasses.dataclass(frozen=True)
class ParameterDefinition:
    name: str
    label: str
    unit: str
    minimum: Decimal
    maximum: Decimal
    step: Decimal

    def check(self, value: Decimal) -> str | None:
        """The problem with ``value`` (English, for logs), or None."""
        if not value.is_finite():
            return "not a number"
        if value < self.minimum or value > self.maximum:
            return f"outside {self.minimum}–{self.maximum}"
        if (value - self.minimum) % self.step != 0:
            return f"not a multiple of {self.step} from {self.minimum}"
        return None


@dataclasses.dataclass(frozen=True)
class CommandDefinition:
    name: str
    label: str
    f_port: int
    category: str
    confirmed: bool
    encoder: str
    payload_hex: str
    data: Mapping[str, Any]
    parameters: tuple[ParameterDefinition, ...]

    @property
    def is_bell(self) -> bool:
        return self.category == "bell"

    def parameter(self, name: str) -> ParameterDefinition | None:
        return next((p for p in self.parameters if p.name == name), None)


@dataclasses.dataclass(frozen=True)
class EncodedCommand:
    f_port: int
    payload: bytes | dict[str, Any]
    confirmed: bool

    def describe(self) -> str:
        if isinstance(self.payload, bytes):
            return self.payload.hex().upper() or "(vide)"
        return str(self.payload)


def _decimal(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CommandDefinitionInvalid(f"{where}: expected a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise CommandDefinitionInvalid(f"{where}: {value!r} is not a number") from None
    if not number.is_finite():
        raise CommandDefinitionInvalid(f"{where}: expected a finite number")
    return number


def _text(entry: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise CommandDefinitionInvalid(f"{where}.{key}: expected a non-empty string")
    return value.strip()[:200]


def _parameter(entry: object, where: str) -> ParameterDefinition:
    if not isinstance(entry, Mapping):
        raise CommandDefinitionInvalid(f"{where}: expected an object")
    name = _text(entry, "name", where)
    if not _NAME.fullmatch(name):
        raise CommandDefinitionInvalid(f"{where}.name: {name!r} is not [a-z][a-z0-9_]*")
    if "min" not in entry or "max" not in entry:
        raise CommandDefinitionInvalid(f"{where}: min and max are required")
    minimum = _decimal(entry["min"], f"{where}.min")
    maximum = _decimal(entry["max"], f"{where}.max")
    step = _decimal(entry.get("step", 1), f"{where}.step")
    if minimum > maximum:
        raise CommandDefinitionInvalid(f"{where}: min is above max")
    if step <= 0:
        raise CommandDefinitionInvalid(f"{where}.step: must be positive")
    return ParameterDefinition(
        name=name,
        label=_text(entry, "label", where, required=False) or name,
        unit=_text(entry, "unit", where, required=False),
        minimum=minimum,
        maximum=maximum,
        step=step,
    )


def parse_command(entry: object, where: str = "command") -> CommandDefinition:
    """Read one command entry of a profile; raise ``CommandDefinitionInvalid``."""
    if not isinstance(entry, Mapping):
        raise CommandDefinitionInvalid(f"{where}: expected an object")
    name = _text(entry, "name", where)
    if not _NAME.fullmatch(name):
        raise CommandDefinitionInvalid(f"{where}.name: {name!r} is not [a-z][a-z0-9_]*")
    where = f"{where} {name!r}"
    f_port = entry.get("f_port")
    if isinstance(f_port, bool) or not isinstance(f_port, int) or not 1 <= f_port <= 223:
        raise CommandDefinitionInvalid(f"{where}.f_port: expected an integer from 1 to 223")
    category = entry.get("category", "bell" if entry.get("bell") is True else "other")
    if category not in CATEGORIES:
        raise CommandDefinitionInvalid(f"{where}.category: expected one of {CATEGORIES}")
    confirmed = entry.get("confirmed", True)
    if not isinstance(confirmed, bool):
        raise CommandDefinitionInvalid(f"{where}.confirmed: expected a boolean")
    encoder = entry.get("encoder", "payload")
    if encoder not in ENCODERS:
        raise CommandDefinitionInvalid(f"{where}.encoder: expected one of {ENCODERS}")
    raw_parameters = entry.get("parameters", [])
    if not isinstance(raw_parameters, list):
        raise CommandDefinitionInvalid(f"{where}.parameters: expected a list")
    parameters = tuple(
        _parameter(item, f"{where}.parameters[{index}]")
        for index, item in enumerate(raw_parameters)
    )
    names = [parameter.name for parameter in parameters]
    if len(set(names)) != len(names):
        raise CommandDefinitionInvalid(f"{where}.parameters: a name is used twice")
    payload_hex = entry.get("payload_hex", "")
    if not isinstance(payload_hex, str):
        raise CommandDefinitionInvalid(f"{where}.payload_hex: expected a string")
    payload_hex = payload_hex.replace(" ", "")
    if encoder == "payload":
        literal = _PLACEHOLDER.split(payload_hex)
        # split() interleaves the groups: keep the literal parts (every 4th item).
        for part in literal[:: 1 + _PLACEHOLDER.groups]:
            if not _HEX.fullmatch(part):
                raise CommandDefinitionInvalid(
                    f"{where}.payload_hex: {part!r} is neither hexadecimal bytes nor a "
                    "placeholder {name:type}"
                )
        for match in _PLACEHOLDER.finditer(payload_hex):
            if match["name"] not in names:
                raise CommandDefinitionInvalid(
                    f"{where}.payload_hex: {{{match['name']}}} is not a parameter"
                )
    data = entry.get("data", {"command": name})
    if not isinstance(data, Mapping):
        raise CommandDefinitionInvalid(f"{where}.data: expected an object")
    return CommandDefinition(
        name=name,
        label=_text(entry, "label", where),
        f_port=f_port,
        category=category,
        confirmed=confirmed,
        encoder=encoder,
        payload_hex=payload_hex,
        data=dict(data),
        parameters=parameters,
    )


def profile_commands(profile: DeviceProfile) -> tuple[list[CommandDefinition], list[str]]:
    """The usable commands of a profile, and the problems of the entries that are not."""
    commands: list[CommandDefinition] = []
    problems: list[str] = []
    entries = profile.commands if isinstance(profile.commands, list) else []
    if not isinstance(profile.commands, list):
        problems.append("commands: expected a list")
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        try:
            command = parse_command(entry, f"commands[{index}]")
        except CommandDefinitionInvalid as error:
            problems.append(str(error))
            continue
        if command.name in seen:
            problems.append(f"commands[{index}]: the name {command.name!r} is used twice")
            continue
        seen.add(command.name)
        commands.append(command)
    return commands, problems


def find_command(profile: DeviceProfile, name: str) -> CommandDefinition | None:
    commands, _problems = profile_commands(profile)
    return next((command for command in commands if command.name == name), None)


def check_parameters(
    command: CommandDefinition, values: Mapping[str, Any]
) -> tuple[dict[str, Decimal], dict[str, str]]:
    """The parameters as decimals, and the problem of each wrong one (by name)."""
    checked: dict[str, Decimal] = {}
    problems: dict[str, str] = {}
    for parameter in command.parameters:
        raw = values.get(parameter.name)
        if raw is None or raw == "":
            problems[parameter.name] = "missing"
            continue
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            problems[parameter.name] = "not a number"
            continue
        problem = parameter.check(value)
        if problem:
            problems[parameter.name] = problem
        else:
            checked[parameter.name] = value
    unknown = set(values) - {parameter.name for parameter in command.parameters}
    for name in sorted(unknown):
        problems[name] = "not a parameter of this command"
    return checked, problems


def parameters_as_json(values: Mapping[str, Decimal]) -> dict[str, int | float]:
    """Decimals as JSON numbers: integers stay integers."""
    return {
        name: int(value) if value == value.to_integral_value() else float(value)
        for name, value in values.items()
    }


def _payload_bytes(command: CommandDefinition, values: Mapping[str, Decimal]) -> bytes:
    output = bytearray()
    position = 0
    for match in _PLACEHOLDER.finditer(command.payload_hex):
        output += bytes.fromhex(command.payload_hex[position : match.start()])
        position = match.end()
        scale = Decimal(match["scale"] or "1")
        number = int((values[match["name"]] * scale).to_integral_value())
        try:
            output += struct.pack(_FORMATS[match["type"]], number)
        except struct.error:
            raise CommandEncodingError(
                f"{match['name']} = {values[match['name']]} does not fit in {match['type']}"
            ) from None
    output += bytes.fromhex(command.payload_hex[position:])
    return bytes(output)


def encode_command(
    profile: DeviceProfile, command: CommandDefinition, values: Mapping[str, Decimal]
) -> EncodedCommand:
    """The downlink of ``command`` with checked parameter ``values``."""
    data = {**command.data, **parameters_as_json(values)}
    if command.encoder == "network":
        return EncodedCommand(command.f_port, data, command.confirmed)
    if command.encoder == "codec":
        if profile.codec_kind != CodecKind.JAVASCRIPT or not profile.javascript_codec:
            raise CommandEncodingError("the profile has no JavaScript codec to encode with")
        from clocher.iot.codecs.javascript import JavaScriptCodec, JavaScriptCodecError

        try:
            encoded = JavaScriptCodec(
                profile.javascript_codec, time_limit_ms=JAVASCRIPT_TIME_LIMIT_MS
            ).encode_downlink(data)
        except JavaScriptCodecError as error:
            raise CommandEncodingError(f"encodeDownlink: {error}") from None
        return EncodedCommand(
            encoded["fPort"] or command.f_port, encoded["bytes"], command.confirmed
        )
    return EncodedCommand(command.f_port, _payload_bytes(command, values), command.confirmed)
