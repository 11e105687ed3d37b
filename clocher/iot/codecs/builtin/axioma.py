"""Axioma Qalcosonic W1 water meter, "enhanced 24 h" payload (fPort 100, 51 bytes).

Format from Axioma's public payload description: frame version byte (1), meter time (uint32
little-endian, Unix seconds, UTC), status byte, log volume (uint32 little-endian, litres) at the
start of the 24 h window, then 23 hourly volume deltas packed as 14-bit little-endian bit
fields (litres), followed by a 6-bit history multiplier. Current volume = log volume + deltas.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from clocher.iot.codecs import BuiltinDecoder, DecodeError, DecodeResult, Measurement, is_number
from clocher.iot.codecs.builtin.frames import FrameReader

ENHANCED_24H_PORT = 100
ENHANCED_24H_SIZE = 51
HOURLY_DELTA_COUNT = 23
DELTA_BITS = 14
MULTIPLIER_BITS = 6


def read_bit_field(packed: bytes, start_bit: int, width: int) -> int:
    """The unsigned value of `width` bits from `start_bit`, least significant bit first."""
    as_integer = int.from_bytes(packed, "little")
    return (as_integer >> start_bit) & ((1 << width) - 1)


def read_status_flags(status: int) -> dict[str, bool]:
    """Alarm flags of the status byte; backflow (0x60) and burst (0xA0) are bit combinations."""
    backflow = status & 0x60 == 0x60
    burst = status & 0xA0 == 0xA0
    return {
        "low_battery": bool(status & 0x04),
        "permanent_error": bool(status & 0x08),
        "temporary_error": bool(status & 0x10),
        "pipe_empty": status == 0x10,
        "backflow": backflow,
        "burst": burst,
        "leakage": bool(status & 0x20) and not backflow and not burst,
        "low_temperature": bool(status & 0x80) and not burst,
    }


class AxiomaQalcosonicW1Decoder(BuiltinDecoder):
    slug = "axioma-qalcosonic-w1"
    model = (
        "Axioma Qalcosonic W1 — compteur d'eau à ultrasons, volumes horaires et alarmes de fuite"
    )
    quantities = {"volume": "m³"}

    def decode_frame(
        self, payload: bytes, f_port: int, received_at: datetime | None
    ) -> DecodeResult:
        if f_port != ENHANCED_24H_PORT:
            raise DecodeError(f"Qalcosonic W1: unsupported fPort {f_port}")
        if len(payload) != ENHANCED_24H_SIZE:
            raise DecodeError(
                f"Qalcosonic W1: payload of {len(payload)} bytes, expected {ENHANCED_24H_SIZE}"
            )
        reader = FrameReader(payload, model=self.model)
        frame_version = reader.unsigned(1, "frame version")
        if frame_version != 1:
            raise DecodeError(f"Qalcosonic W1: unsupported frame version {frame_version}")
        timestamp = reader.unsigned(4, "timestamp", byteorder="little")
        status = reader.unsigned(1, "status")
        log_volume_litres = reader.unsigned(4, "log volume", byteorder="little")
        packed = reader.take(reader.remaining, "hourly deltas")

        data: dict[str, Any] = {
            "payload_format": "AXIOMA_W1_ENHANCED_24H",
            "frame_version": frame_version,
            "payload_bytes": len(payload),
            "timestamp_unix": timestamp,
            "timestamp_utc": datetime.fromtimestamp(timestamp, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "status": status,
            **read_status_flags(status),
            "log_volume_m3": log_volume_litres / 1000,
        }
        deltas_litres = [
            read_bit_field(packed, index * DELTA_BITS, DELTA_BITS)
            for index in range(HOURLY_DELTA_COUNT)
        ]
        for hour, litres in enumerate(deltas_litres, start=1):
            data[f"delta_{hour}_m3"] = litres / 1000
        data["history_count"] = HOURLY_DELTA_COUNT
        data["history_total_m3"] = sum(deltas_litres) / 1000
        data["current_volume_m3"] = (log_volume_litres + sum(deltas_litres)) / 1000
        multiplier = read_bit_field(packed, HOURLY_DELTA_COUNT * DELTA_BITS, MULTIPLIER_BITS)
        data["history_multiplier"] = multiplier
        warnings = []
        if multiplier:
            warnings.append(
                f"Qalcosonic W1: history multiplier {multiplier} is not applied to the deltas"
            )
        return DecodeResult(data=data, warnings=warnings)

    def measurements(self, result: DecodeResult) -> list[Measurement]:
        """The current volume index only. Still to do: the 23 hourly deltas as `volume_delta`
        each timed at its own hour (they need the meter's window, not the uplink time)."""
        if result.errors or not is_number(result.data.get("current_volume_m3")):
            return []
        return [("volume", result.data["current_volume_m3"], "m³")]
