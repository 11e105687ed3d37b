"""The built-in decoders reproduce the example outputs their vendors publish."""

import json
from pathlib import Path

from clocher.iot.codecs import DecodeResult
from clocher.iot.codecs.builtin import BUILTIN_DECODERS

FRAMES = json.loads((Path(__file__).parent / "fixtures" / "codecs_vendor_frames.json").read_text())


def decode_example(slug: str, example: str, f_port: int | None = None) -> DecodeResult:
    frame = FRAMES[example]
    payload = bytes.fromhex(frame["hex"])
    return BUILTIN_DECODERS[slug].decode(payload, frame["f_port"] if f_port is None else f_port)


def test_elsys_ers_co2_example():
    """Elsys ERS CO2: temperature, humidity, light, motion and CO2 from one frame."""
    result = decode_example("elsys-ers-co2", "elsys-ers-co2")
    assert result == DecodeResult(
        data={"temperature": 22.6, "humidity": 41, "light": 39, "motion": 6, "co2": 776}
    )


def test_milesight_em500_co2_example_with_battery():
    """Milesight EM500-CO2 example 1: battery, temperature, humidity, CO2 and pressure."""
    result = decode_example("milesight-em500-co2", "milesight-em500-co2-full")
    assert result == DecodeResult(
        data={"battery": 92, "temperature": 30.8, "humidity": 50.5, "co2": 1127, "pressure": 1008.8}
    )


def test_milesight_em500_co2_example_without_battery():
    """Milesight EM500-CO2 example 2: the same channels without the battery channel."""
    result = decode_example("milesight-em500-co2", "milesight-em500-co2-without-battery")
    assert result == DecodeResult(
        data={"temperature": 27.2, "humidity": 56.5, "co2": 1127, "pressure": 1008.8}
    )


def test_milesight_em310_udl_example():
    """Milesight EM310-UDL: battery, distance in mm and the tilt position."""
    result = decode_example("milesight-em310-udl", "milesight-em310-udl")
    assert result == DecodeResult(data={"battery": 92, "distance": 2116, "tilt": "tilt"})


def test_adeunis_tic_linky_mono_example():
    """Adeunis TIC Linky mono 0x49: meter id, tariff, indexes and BASE reported not found."""
    result = decode_example("adeunis-tic-linky-mono", "adeunis-tic-linky-mono")
    assert result == DecodeResult(
        data={
            "type": "0x49 TIC data",
            "status": {
                "frameCounter": 2,
                "hardwareError": False,
                "lowBattery": False,
                "configurationDone": False,
                "configurationInconsistency": False,
                "readError": False,
            },
            "ADCO": "021728031819",
            "OPTARIF": "HC..",
            "BASEstatus": "notFound",
            "ISOUSC": {"unit": "A", "value": 45},
            "IINST": {"unit": "A", "value": 0},
            "IMAX": {"unit": "A", "value": 0},
            "PAPP": {"unit": "VA", "value": 0},
            "HCHC": {"unit": "Wh", "value": 0},
            "HCHP": {"unit": "Wh", "value": 0},
            "PTEC": "HP..",
        }
    )


def test_adeunis_pulse_4_channel_a_example():
    """Adeunis Pulse 4 0x5a: status, device timestamp and the index with its history."""
    result = decode_example("adeunis-pulse-4", "adeunis-pulse-4-channel-a")
    assert result == DecodeResult(
        data={
            "type": "0x5a Pulse 4 data - channel A",
            "status": {
                "frameCounter": 3,
                "hardwareError": False,
                "lowBattery": True,
                "configurationDone": True,
                "timestamp": True,
            },
            "timestamp": "2023-12-28T19:22:17.000",
            "decodingInfo": "counterValues: [t=0, t-1, t-2, ...]",
            "counterValues": [295, 294, 292, 289, 285],
        }
    )


def test_axioma_qalcosonic_w1_enhanced_24h_example():
    """Axioma Qalcosonic W1 enhanced 24 h: time, flags, log volume and 23 hourly deltas."""
    result = decode_example("axioma-qalcosonic-w1", "axioma-qalcosonic-w1-enhanced-24h")
    deltas = [0, 0, 0, 0, 0, 0.014, 0.008, 0.021, 0.014, 0.021, 0.001, 0.018, 0.002, 0.009, 0]
    deltas += [0.008, 0, 0, 0, 0, 0, 0, 0]
    assert result == DecodeResult(
        data={
            "payload_format": "AXIOMA_W1_ENHANCED_24H",
            "frame_version": 1,
            "payload_bytes": 51,
            "timestamp_unix": 1788390574,
            "timestamp_utc": "2026-09-02T23:09:34.000Z",
            "status": 0,
            "low_battery": False,
            "permanent_error": False,
            "temporary_error": False,
            "pipe_empty": False,
            "backflow": False,
            "burst": False,
            "leakage": False,
            "low_temperature": False,
            "log_volume_m3": 5.938,
            **{f"delta_{hour}_m3": delta for hour, delta in enumerate(deltas, start=1)},
            "history_count": 23,
            "history_total_m3": 0.116,
            "current_volume_m3": 6.054,
            "history_multiplier": 0,
        }
    )


def test_dragino_ldds75_example_no_sensor():
    """Dragino LDDS75 on fPort 2: the 4-byte example frame reads as "No Sensor"."""
    result = decode_example("dragino-ldds75", "dragino-ldds75")
    assert result == DecodeResult(data={"distance": "No Sensor"})


def test_dragino_ldds75_example_unknown_port():
    """Dragino LDDS75: the same bytes on fPort 42 give the error "unknown FPort"."""
    result = decode_example("dragino-ldds75", "dragino-ldds75", f_port=42)
    assert result == DecodeResult(data={}, errors=["unknown FPort"])
