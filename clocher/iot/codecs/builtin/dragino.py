"""Dragino LDDS75 ultrasonic distance sensor (fPort 2).

Format from Dragino's public user manual: battery (uint16 big-endian, mV in the low 14 bits),
distance (uint16, mm; 0 means no probe detected, below 280 mm an invalid reading), interrupt
flag (1 byte), then on newer firmware a DS18B20 temperature (int16, tenths of °C) and a
sensor flag (1 byte, 0 = no probe). A 4-byte frame carries no sensor flag; as in Dragino's
published example, it is reported as distance "No Sensor" and nothing else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from clocher.iot.codecs import BuiltinDecoder, DecodeError, DecodeResult
from clocher.iot.codecs.builtin.frames import FrameReader

MEASUREMENT_PORT = 2
MINIMUM_DISTANCE_MM = 280


class DraginoLdds75Decoder(BuiltinDecoder):
    slug = "dragino-ldds75"
    model = "Dragino LDDS75 — capteur de distance à ultrasons (niveau de rivière, conteneurs)"
    quantities = {"distance": "mm", "battery": "V", "temperature": "°C"}

    def decode_frame(
        self, payload: bytes, f_port: int, received_at: datetime | None
    ) -> DecodeResult:
        if f_port != MEASUREMENT_PORT:
            raise DecodeError("unknown FPort")
        if len(payload) == 4:
            return DecodeResult(data={"distance": "No Sensor"})
        if len(payload) not in (5, 8):
            raise DecodeError(
                f"Dragino LDDS75: payload of {len(payload)} bytes, expected 4, 5 or 8"
            )
        reader = FrameReader(payload, model=self.model)
        battery_mv = reader.unsigned(2, "battery") & 0x3FFF
        distance_mm = reader.unsigned(2, "distance")
        data: dict[str, Any] = {
            "battery": battery_mv / 1000,
            "distance": self._distance(distance_mm),
            "interrupt": bool(reader.unsigned(1, "interrupt flag")),
        }
        if reader.remaining:
            data["temperature"] = reader.signed(2, "temperature") / 10
            if reader.unsigned(1, "sensor flag") == 0:
                data["distance"] = "No Sensor"
        return DecodeResult(data=data)

    @staticmethod
    def _distance(distance_mm: int) -> int | str:
        if distance_mm == 0:
            return "No Sensor"
        if distance_mm < MINIMUM_DISTANCE_MM:
            return "Invalid Reading"
        return distance_mm
