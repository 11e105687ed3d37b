"""Decoded frames turn into normalised (quantity, value, unit) measurements."""

import json
from pathlib import Path

from clocher.iot.codecs import DecodeResult
from clocher.iot.codecs.builtin import BUILTIN_DECODERS, get_builtin_decoder

FRAMES = json.loads((Path(__file__).parent / "fixtures" / "codecs_vendor_frames.json").read_text())


def measure(slug: str, payload: bytes, f_port: int) -> list[tuple[str, float, str]]:
    decoder = get_builtin_decoder(slug)
    return decoder.measurements(decoder.decode(payload, f_port))


def example(name: str) -> tuple[bytes, int]:
    return bytes.fromhex(FRAMES[name]["hex"]), FRAMES[name]["f_port"]


def test_every_decoder_has_a_model_and_quantities():
    """Each registered decoder has its slug as key, a model name and units for its quantities."""
    for slug, decoder in BUILTIN_DECODERS.items():
        assert decoder.slug == slug
        assert decoder.model
        assert decoder.quantities and all(decoder.quantities.values())


def test_elsys_measurements():
    """The ERS CO2 example gives its five numeric quantities with their units."""
    assert measure("elsys-ers-co2", *example("elsys-ers-co2")) == [
        ("temperature", 22.6, "°C"),
        ("humidity", 41, "%"),
        ("light", 39, "lx"),
        ("motion", 6, "count"),
        ("co2", 776, "ppm"),
    ]


def test_milesight_em310_measurements_leave_out_the_tilt_text():
    """The level sensor gives battery and distance; the tilt position is text, not a measure."""
    assert measure("milesight-em310-udl", *example("milesight-em310-udl")) == [
        ("battery", 92, "%"),
        ("distance", 2116, "mm"),
    ]


def test_linky_measurements_use_normalised_quantities():
    """TIC labels become named quantities; the label BASE, not found, is left out."""
    assert measure("adeunis-tic-linky-mono", *example("adeunis-tic-linky-mono")) == [
        ("energy_off_peak", 0, "Wh"),
        ("energy_peak", 0, "Wh"),
        ("current", 0, "A"),
        ("current_max", 0, "A"),
        ("subscribed_current", 45, "A"),
        ("apparent_power", 0, "VA"),
    ]


def test_pulse_4_measurements_give_the_current_index_of_the_channel():
    """A channel A history frame gives the index now; the earlier samples are left out."""
    assert measure("adeunis-pulse-4", *example("adeunis-pulse-4-channel-a")) == [
        ("pulse_count_a", 295, "pulses")
    ]


def test_pulse_4_both_channels_frame():
    """A 0x46 frame without timestamp gives the indexes of channels A and B."""
    payload = bytes.fromhex("4640" + "0000012c" + "00000007")
    decoder = get_builtin_decoder("adeunis-pulse-4")
    result = decoder.decode(payload, 1)
    assert result.data["counterValues"] == [300, 7]
    assert "timestamp" not in result.data
    assert decoder.measurements(result) == [
        ("pulse_count_a", 300, "pulses"),
        ("pulse_count_b", 7, "pulses"),
    ]


def test_qalcosonic_measurements_give_the_current_volume():
    """The water meter gives its current volume index in m³ (hourly deltas come later)."""
    assert measure("axioma-qalcosonic-w1", *example("axioma-qalcosonic-w1-enhanced-24h")) == [
        ("volume", 6.054, "m³")
    ]


def test_qalcosonic_leakage_flag():
    """Status 0x20 alone is a leakage, not a backflow nor a burst."""
    payload, f_port = example("axioma-qalcosonic-w1-enhanced-24h")
    result = get_builtin_decoder("axioma-qalcosonic-w1").decode(
        payload[:5] + b"\x20" + payload[6:], f_port
    )
    flags = {key: result.data[key] for key in ("leakage", "backflow", "burst", "low_battery")}
    assert flags == {"leakage": True, "backflow": False, "burst": False, "low_battery": False}


def test_ldds75_full_frame_measurements():
    """An 8-byte LDDS75 frame gives battery, distance and probe temperature."""
    payload = bytes.fromhex("0b45" + "0b05" + "00" + "00f5" + "01")
    decoder = get_builtin_decoder("dragino-ldds75")
    result = decoder.decode(payload, 2)
    assert result == DecodeResult(
        data={"battery": 2.885, "distance": 2821, "interrupt": False, "temperature": 24.5}
    )
    assert decoder.measurements(result) == [
        ("distance", 2821, "mm"),
        ("battery", 2.885, "V"),
        ("temperature", 24.5, "°C"),
    ]


def test_ldds75_no_sensor_is_not_a_measurement():
    """The "No Sensor" example gives no measurement at all."""
    assert measure("dragino-ldds75", *example("dragino-ldds75")) == []


def test_failed_decoding_gives_no_measurement():
    """A result with errors gives no measurement."""
    decoder = get_builtin_decoder("elsys-ers-co2")
    assert decoder.measurements(DecodeResult(data={"co2": 5}, errors=["bad"])) == []
