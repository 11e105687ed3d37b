"""Payload codecs: the types every decoder of Cité IoT speaks.

A decoder turns the bytes of one uplink into a `DecodeResult` in the convention of The Things
Stack and ChirpStack codecs (`{data, warnings, errors}`): a non-empty `errors` means the uplink
failed to decode and must be marked so, visibly, without stopping the stream.

The built-in Python decoders are in `clocher.iot.codecs.builtin` (registry `BUILTIN_DECODERS`,
keyed by a stable slug that device profiles reference).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, TypeGuard

Measurement = tuple[str, float, str]
"""One normalised measurement: (quantity, value, unit), e.g. ("co2", 776, "ppm")."""


class DecodeError(Exception):
    """A frame that cannot be decoded: empty, truncated, unknown frame type or port."""


@dataclass
class DecodeResult:
    """What a codec returns for one uplink (TTN/ChirpStack convention)."""

    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def is_decoded(self) -> bool:
        return not self.errors


class BuiltinDecoder(ABC):
    """A decoder written in Python for one device model.

    Subclasses implement `decode_frame`, which may raise `DecodeError` and nothing else;
    `decode` turns that error into a result with `errors`, so callers never need a try block.
    """

    slug: ClassVar[str]
    model: ClassVar[str]
    quantities: ClassVar[dict[str, str]]
    """Measured quantities, name → unit, as published in the device profile."""

    def decode(
        self, payload: bytes, f_port: int, received_at: datetime | None = None
    ) -> DecodeResult:
        """Decode one uplink; a bad frame gives a result with `errors`, never an exception."""
        if not payload:
            return DecodeResult(data={}, errors=["empty payload"])
        try:
            return self.decode_frame(bytes(payload), f_port, received_at)
        except DecodeError as error:
            return DecodeResult(data={}, errors=[str(error)])

    @abstractmethod
    def decode_frame(
        self, payload: bytes, f_port: int, received_at: datetime | None
    ) -> DecodeResult:
        """Decode a non-empty frame or raise `DecodeError`."""

    def measurements(self, result: DecodeResult) -> list[Measurement]:
        """The numeric values of `result` for the quantities of this model, in their units.

        By default, a quantity is read from the key of the same name in `result.data`; text
        values ("No Sensor") and booleans are not measurements and are left out.
        """
        if result.errors:
            return []
        found: list[Measurement] = []
        for quantity, unit in self.quantities.items():
            value = result.data.get(quantity)
            if is_number(value):
                found.append((quantity, value, unit))
        return found


def is_number(value: object) -> TypeGuard[int | float]:
    """True for int and float values, False for booleans, text and missing values."""
    return isinstance(value, int | float) and not isinstance(value, bool)
