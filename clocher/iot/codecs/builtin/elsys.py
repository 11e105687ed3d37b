"""Elsys room sensors (ERS family): a frame is a sequence of (type byte, value) pairs.

Format from Elsys' public payload description: values are big-endian; each type byte fixes the
size and meaning of the value that follows. An unknown type byte stops decoding, since the
size of its value is unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from clocher.iot.codecs import BuiltinDecoder, DecodeError, DecodeResult
from clocher.iot.codecs.builtin.frames import FrameReader

FieldReader = Callable[[FrameReader], dict[str, Any]]


def _unsigned(key: str, size: int, scale: float = 1) -> FieldReader:
    def read(reader: FrameReader) -> dict[str, Any]:
        value = reader.unsigned(size, key)
        return {key: value / scale if scale != 1 else value}

    return read


def _tenths_signed(key: str) -> FieldReader:
    def read(reader: FrameReader) -> dict[str, Any]:
        return {key: reader.signed(2, key) / 10}

    return read


def _acceleration(reader: FrameReader) -> dict[str, Any]:
    return {axis: reader.signed(1, f"acceleration {axis}") for axis in ("x", "y", "z")}


def _sound(reader: FrameReader) -> dict[str, Any]:
    return {
        "soundPeak": reader.unsigned(1, "soundPeak"),
        "soundAvg": reader.unsigned(1, "soundAvg"),
    }


FIELD_READERS: dict[int, FieldReader] = {
    0x01: _tenths_signed("temperature"),  # °C
    0x02: _unsigned("humidity", 1),  # %
    0x03: _acceleration,
    0x04: _unsigned("light", 2),  # lux
    0x05: _unsigned("motion", 1),  # PIR count
    0x06: _unsigned("co2", 2),  # ppm
    0x07: _unsigned("vdd", 2),  # mV
    0x08: _unsigned("analog1", 2),  # mV
    0x0A: _unsigned("pulse1", 2),
    0x0B: _unsigned("pulseAbs", 4),
    0x0C: _tenths_signed("externalTemperature"),  # °C
    0x0D: _unsigned("digital", 1),
    0x0E: _unsigned("distance", 2),  # mm
    0x0F: _unsigned("accMotion", 1),
    0x11: _unsigned("occupancy", 1),
    0x12: _unsigned("waterleak", 1),
    0x14: _unsigned("pressure", 4, scale=1000),  # hPa
    0x15: _sound,  # dB
}


class ElsysErsCo2Decoder(BuiltinDecoder):
    slug = "elsys-ers-co2"
    model = "Elsys ERS CO2 — capteur de CO2, température, humidité, luminosité et présence"
    quantities = {
        "temperature": "°C",
        "humidity": "%",
        "light": "lx",
        "motion": "count",
        "co2": "ppm",
        "vdd": "mV",
    }

    def decode_frame(
        self, payload: bytes, f_port: int, received_at: datetime | None
    ) -> DecodeResult:
        reader = FrameReader(payload, model=self.model)
        data: dict[str, Any] = {}
        while reader.remaining:
            offset = reader.position
            type_byte = reader.unsigned(1, "type byte")
            field_reader = FIELD_READERS.get(type_byte)
            if field_reader is None:
                raise DecodeError(f"Elsys: unknown type byte 0x{type_byte:02X} at offset {offset}")
            data.update(field_reader(reader))
        return DecodeResult(data=data)
