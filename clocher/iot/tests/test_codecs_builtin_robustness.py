"""Bad frames give clear errors in the result, never an exception other than DecodeError."""

import json
import random
from pathlib import Path

import pytest

from clocher.iot.codecs import DecodeError, DecodeResult
from clocher.iot.codecs.builtin import BUILTIN_DECODERS, get_builtin_decoder

FRAMES = json.loads((Path(__file__).parent / "fixtures" / "codecs_vendor_frames.json").read_text())
EXAMPLES = [
    ("elsys-ers-co2", "elsys-ers-co2"),
    ("milesight-em500-co2", "milesight-em500-co2-full"),
    ("milesight-em310-udl", "milesight-em310-udl"),
    ("adeunis-tic-linky-mono", "adeunis-tic-linky-mono"),
    ("adeunis-pulse-4", "adeunis-pulse-4-channel-a"),
    ("axioma-qalcosonic-w1", "axioma-qalcosonic-w1-enhanced-24h"),
]


@pytest.mark.parametrize("slug", sorted(BUILTIN_DECODERS))
def test_empty_payload_is_an_error(slug):
    """An empty payload gives the error "empty payload" for every decoder."""
    assert BUILTIN_DECODERS[slug].decode(b"", 2) == DecodeResult(data={}, errors=["empty payload"])


@pytest.mark.parametrize(("slug", "example"), EXAMPLES)
def test_every_truncation_of_an_example_is_an_error(slug, example):
    """Each strict prefix of a vendor frame decodes to errors, or to fewer complete fields."""
    frame = FRAMES[example]
    payload = bytes.fromhex(frame["hex"])
    complete = BUILTIN_DECODERS[slug].decode(payload, frame["f_port"])
    for size in range(1, len(payload)):
        result = BUILTIN_DECODERS[slug].decode(payload[:size], frame["f_port"])
        assert result.errors or result.data != complete.data, size
        assert all(isinstance(error, str) and error for error in result.errors)


def test_truncated_elsys_frame_names_the_missing_bytes():
    """A CO2 value cut after its first byte gives an error saying what is missing."""
    result = get_builtin_decoder("elsys-ers-co2").decode(bytes.fromhex("0603"), 1)
    assert result.data == {}
    assert result.errors == [
        "Elsys ERS CO2 — capteur de CO2, température, humidité, luminosité et présence: "
        "truncated frame, co2 needs 2 byte(s) at offset 1 but 1 remain"
    ]


def test_unknown_elsys_type_byte_is_an_error():
    """A type byte Elsys does not define stops decoding with its value and offset."""
    result = get_builtin_decoder("elsys-ers-co2").decode(bytes.fromhex("0100e2ee01"), 1)
    assert result.errors == ["Elsys: unknown type byte 0xEE at offset 3"]


def test_unknown_milesight_channel_is_an_error():
    """An unknown channel id/type pair stops decoding with both bytes named."""
    result = get_builtin_decoder("milesight-em500-co2").decode(bytes.fromhex("01755c0999aa"), 85)
    assert result.errors == ["Milesight: unknown channel 0x09 0x99 at offset 3"]


def test_unknown_adeunis_frame_code_is_an_error():
    """An Adeunis frame code the decoder does not handle is named in the error."""
    result = get_builtin_decoder("adeunis-pulse-4").decode(bytes.fromhex("9900"), 1)
    assert result.errors == ["Adeunis Pulse 4: unsupported frame code 0x99"]


def test_qalcosonic_wrong_port_length_and_version_are_errors():
    """The W1 decoder rejects another fPort, another length and another frame version."""
    decoder = get_builtin_decoder("axioma-qalcosonic-w1")
    payload = bytes.fromhex(FRAMES["axioma-qalcosonic-w1-enhanced-24h"]["hex"])
    assert decoder.decode(payload, 1).errors == ["Qalcosonic W1: unsupported fPort 1"]
    assert decoder.decode(payload[:50], 100).errors == [
        "Qalcosonic W1: payload of 50 bytes, expected 51"
    ]
    assert decoder.decode(b"\x02" + payload[1:], 100).errors == [
        "Qalcosonic W1: unsupported frame version 2"
    ]


def test_ldds75_unexpected_length_is_an_error():
    """An LDDS75 frame of 6 bytes matches no firmware format."""
    result = get_builtin_decoder("dragino-ldds75").decode(bytes(6), 2)
    assert result.errors == ["Dragino LDDS75: payload of 6 bytes, expected 4, 5 or 8"]


@pytest.mark.parametrize("slug", sorted(BUILTIN_DECODERS))
def test_random_frames_never_raise(slug):
    """Two thousand random frames per decoder give results, never an exception."""
    generator = random.Random(slug)
    decoder = BUILTIN_DECODERS[slug]
    for _ in range(2000):
        payload = generator.randbytes(generator.randint(0, 60))
        result = decoder.decode(
            payload, generator.choice([1, 2, 85, 100, generator.randint(1, 223)])
        )
        assert isinstance(result, DecodeResult)
        assert isinstance(decoder.measurements(result), list)


@pytest.mark.parametrize("slug", sorted(BUILTIN_DECODERS))
def test_decode_frame_raises_only_decode_error(slug):
    """The strict entry point raises DecodeError, and only it, on a one-byte frame."""
    decoder = BUILTIN_DECODERS[slug]
    for port in (1, 2, 85, 100):
        try:
            decoder.decode_frame(b"\x01", port, None)
        except DecodeError as error:
            assert str(error)


def test_unknown_decoder_slug_lists_the_known_ones():
    """Asking for a decoder that does not exist raises DecodeError naming the known slugs."""
    with pytest.raises(
        DecodeError, match=r"unknown built-in decoder 'acme-x' \(known: adeunis-pulse-4, "
    ):
        get_builtin_decoder("acme-x")
