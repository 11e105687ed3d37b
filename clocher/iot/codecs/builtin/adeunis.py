"""Adeunis products (TIC CBE Linky mono, Pulse 4): frame code byte, status byte, then data.

Format from Adeunis' public frame descriptions: big-endian values; the status byte carries a
3-bit frame counter (bits 7–5), low battery (bit 1) and configuration done (bit 0); device
timestamps count seconds from 2013-01-01T00:00:00 in the device's local time. The output keeps
the field names and shapes of the vendor's own codec (without its `bytes` wrapper), so
profiles written against it keep working.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from clocher.iot.codecs import BuiltinDecoder, DecodeError, DecodeResult, Measurement, is_number
from clocher.iot.codecs.builtin.frames import FrameReader

ADEUNIS_EPOCH = datetime(2013, 1, 1)  # naive on purpose: device-local time, zone unknown
VALUE_NOT_FOUND = 0x80000000  # a TIC label absent from the meter's telemetry


def read_status(status: int) -> dict[str, Any]:
    """The status fields common to Adeunis products."""
    return {
        "frameCounter": (status & 0xE0) >> 5,
        # These products have no hardware-error bit; the key is kept as the vendor codec has it.
        "hardwareError": False,
        "lowBattery": bool(status & 0x02),
        "configurationDone": bool(status & 0x01),
    }


def device_time(seconds_since_2013: int) -> str:
    """Device-local time as the vendor codec writes it, e.g. '2023-12-28T19:22:17.000'."""
    moment = ADEUNIS_EPOCH + timedelta(seconds=seconds_since_2013)
    return moment.isoformat(timespec="milliseconds")


class AdeunisTicLinkyMonoDecoder(BuiltinDecoder):
    slug = "adeunis-tic-linky-mono"
    model = "Adeunis TIC CBE Linky monophasé — relève du compteur électrique Linky"
    quantities = {
        "energy_base": "Wh",
        "energy_off_peak": "Wh",
        "energy_peak": "Wh",
        "current": "A",
        "current_max": "A",
        "subscribed_current": "A",
        "apparent_power": "VA",
    }
    # Label in the meter's TIC telemetry (historic mode) → normalised quantity.
    labels = {
        "BASE": "energy_base",
        "HCHC": "energy_off_peak",
        "HCHP": "energy_peak",
        "IINST": "current",
        "IMAX": "current_max",
        "ISOUSC": "subscribed_current",
        "PAPP": "apparent_power",
    }
    data_frame_size = 50

    def decode_frame(
        self, payload: bytes, f_port: int, received_at: datetime | None
    ) -> DecodeResult:
        reader = FrameReader(payload, model=self.model)
        frame_code = reader.unsigned(1, "frame code")
        status_byte = reader.unsigned(1, "status byte")
        status = read_status(status_byte) | {
            "configurationInconsistency": bool(status_byte & 0x08),
            "readError": bool(status_byte & 0x10),
        }
        if frame_code == 0x30:
            return DecodeResult(data={"type": "0x30 Keep alive", "status": status})
        if frame_code != 0x49:
            raise DecodeError(f"Adeunis TIC: unsupported frame code 0x{frame_code:02X}")
        if len(payload) != self.data_frame_size:
            raise DecodeError(
                f"Adeunis TIC: data frame of {len(payload)} bytes, expected {self.data_frame_size}"
            )
        data: dict[str, Any] = {"type": "0x49 TIC data", "status": status}
        self._read_text(reader, 12, "ADCO", data)
        self._read_text(reader, 4, "OPTARIF", data)
        for label, unit in (
            ("BASE", "Wh"),
            ("ISOUSC", "A"),
            ("IINST", "A"),
            ("IMAX", "A"),
            ("PAPP", "VA"),
            ("HCHC", "Wh"),
            ("HCHP", "Wh"),
        ):
            value = reader.unsigned(4, label)
            if value == VALUE_NOT_FOUND:
                data[f"{label}status"] = "notFound"
            else:
                data[label] = {"unit": unit, "value": value}
        self._read_text(reader, 4, "PTEC", data)
        return DecodeResult(data=data)

    @staticmethod
    def _read_text(reader: FrameReader, size: int, label: str, data: dict[str, Any]) -> None:
        text = reader.take(size, label).replace(b"\x00", b"").decode("latin-1")
        if text:
            data[label] = text
        else:
            data[f"{label}status"] = "notFound"

    def measurements(self, result: DecodeResult) -> list[Measurement]:
        """Energy indexes, currents and apparent power; text labels (ADCO, PTEC) are left out."""
        if result.errors:
            return []
        found: list[Measurement] = []
        for label, quantity in self.labels.items():
            field = result.data.get(label)
            if isinstance(field, dict) and is_number(field.get("value")):
                found.append((quantity, field["value"], self.quantities[quantity]))
        return found


class AdeunisPulse4Decoder(BuiltinDecoder):
    slug = "adeunis-pulse-4"
    model = "Adeunis Pulse 4 — compteur d'impulsions (eau, gaz, électricité), voies A et B"
    quantities = {"pulse_count_a": "pulses", "pulse_count_b": "pulses"}

    def decode_frame(
        self, payload: bytes, f_port: int, received_at: datetime | None
    ) -> DecodeResult:
        reader = FrameReader(payload, model=self.model)
        frame_code = reader.unsigned(1, "frame code")
        status_byte = reader.unsigned(1, "status byte")
        has_timestamp = bool(status_byte & 0x04)
        status = read_status(status_byte) | {"timestamp": has_timestamp}
        if frame_code in (0x5A, 0x5B):
            return DecodeResult(data=self._history(reader, frame_code, status, has_timestamp))
        if frame_code == 0x46:
            return DecodeResult(data=self._counters(reader, status, has_timestamp))
        raise DecodeError(f"Adeunis Pulse 4: unsupported frame code 0x{frame_code:02X}")

    @staticmethod
    def _history(
        reader: FrameReader, frame_code: int, status: dict[str, Any], has_timestamp: bool
    ) -> dict[str, Any]:
        """0x5a/0x5b: the channel's index now, then the decrements to the earlier samples."""
        channel = "A" if frame_code == 0x5A else "B"
        data: dict[str, Any] = {
            "type": f"0x{frame_code:02x} Pulse 4 data - channel {channel}",
            "status": status,
        }
        counter = reader.unsigned(4, "counter value")
        history_size = reader.remaining - (4 if has_timestamp else 0)
        if history_size < 0 or history_size % 2:
            raise DecodeError(
                f"Adeunis Pulse 4: truncated frame, {reader.remaining} bytes after the counter"
            )
        values = [counter]
        for _ in range(history_size // 2):
            counter -= reader.unsigned(2, "counter decrement")
            values.append(counter)
        if has_timestamp:
            data["timestamp"] = device_time(reader.unsigned(4, "timestamp"))
        data["decodingInfo"] = "counterValues: [t=0, t-1, t-2, ...]"
        data["counterValues"] = values
        return data

    @staticmethod
    def _counters(
        reader: FrameReader, status: dict[str, Any], has_timestamp: bool
    ) -> dict[str, Any]:
        """0x46: the indexes of channels A and B."""
        data: dict[str, Any] = {"type": "0x46 Pulse 4 data", "status": status}
        counters = [
            reader.unsigned(4, "channel A counter"),
            reader.unsigned(4, "channel B counter"),
        ]
        if has_timestamp:
            data["timestamp"] = device_time(reader.unsigned(4, "timestamp"))
        data["decodingInfo"] = "counterValues: [Channel A, Channel B]"
        data["counterValues"] = counters
        return data

    def measurements(self, result: DecodeResult) -> list[Measurement]:
        """The current index of each channel present; the history (t-1, t-2, …) is left out,
        since dating it needs the sampling period from the device's configuration frame."""
        if result.errors:
            return []
        values = result.data.get("counterValues") or []
        frame_type = str(result.data.get("type", ""))
        if frame_type.startswith("0x46") and len(values) == 2:
            return [("pulse_count_a", values[0], "pulses"), ("pulse_count_b", values[1], "pulses")]
        if frame_type.endswith("channel A") and values:
            return [("pulse_count_a", values[0], "pulses")]
        if frame_type.endswith("channel B") and values:
            return [("pulse_count_b", values[0], "pulses")]
        return []
