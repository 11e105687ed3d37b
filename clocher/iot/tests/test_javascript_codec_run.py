from datetime import UTC, datetime
from pathlib import Path

import pytest

from clocher.iot.codecs.javascript import (
    CodecReportedErrors,
    CodecSourceInvalid,
    JavaScriptCodec,
)

ELSYS_SOURCE = (Path(__file__).parent / "fixtures" / "javascript_elsys_sloppy.js").read_text()
ELSYS_FRAME = bytes.fromhex("0100E202290400270506060308")


def test_sloppy_es5_codec_decodes_the_elsys_vendor_frame():
    """A sloppy-mode ES5 codec with an undeclared loop variable decodes the vendor frame."""
    codec = JavaScriptCodec(ELSYS_SOURCE)

    result = codec.decode_uplink(ELSYS_FRAME, 1)

    assert result == {
        "data": {"temperature": 22.6, "humidity": 41, "light": 39, "motion": 6, "co2": 776},
        "warnings": [],
        "errors": [],
    }


def test_input_carries_port_time_and_variables():
    """The codec sees fPort, recvTime (a Date), variables and bytes as TTN passes them."""
    source = """
    function decodeUplink(input) {
      return {data: {port: input.fPort, time: input.recvTime.toISOString(),
                     epoch: input.recvTime.getTime(), site: input.variables.site,
                     bytes: input.bytes}};
    }
    """
    received_at = datetime(2024, 3, 1, 12, 30, 5, 250000, tzinfo=UTC)

    result = JavaScriptCodec(source).decode_uplink(
        b"\x00\xff", 85, received_at=received_at, variables={"site": "mairie"}
    )

    assert result["data"] == {
        "port": 85,
        "time": "2024-03-01T12:30:05.250Z",
        "epoch": 1709296205250,
        "site": "mairie",
        "bytes": [0, 255],
    }


def test_warnings_are_returned_with_the_data():
    """Warnings from the codec come back alongside the decoded data."""
    source = "function decodeUplink(i) { return {data: {a: 1}, warnings: ['low battery']}; }"

    result = JavaScriptCodec(source).decode_uplink(b"", 1)

    assert result == {"data": {"a": 1}, "warnings": ["low battery"], "errors": []}


def test_codec_errors_fail_the_decoding():
    """A non-empty errors list raises CodecReportedErrors with those errors."""
    codec = JavaScriptCodec(ELSYS_SOURCE)

    with pytest.raises(CodecReportedErrors) as caught:
        codec.decode_uplink(bytes.fromhex("09"), 1)

    assert caught.value.errors == ["unknown data type 9 at byte 0"]
    assert str(caught.value) == "codec reported errors: unknown data type 9 at byte 0"


def test_naive_received_at_is_refused():
    """A naive datetime is refused rather than guessed."""
    with pytest.raises(ValueError, match="aware"):
        JavaScriptCodec(ELSYS_SOURCE).decode_uplink(ELSYS_FRAME, 1, datetime(2024, 1, 1))


def test_encode_downlink_returns_bytes_and_port():
    """encodeDownlink's byte array becomes Python bytes, with its fPort."""
    result = JavaScriptCodec(ELSYS_SOURCE).encode_downlink({"interval": 300})

    assert result == {
        "bytes": bytes([0x3E, 0x06, 0x14, 0x01, 0x2C]),
        "fPort": 6,
        "warnings": [],
        "errors": [],
    }


def test_encode_downlink_errors_fail_the_command():
    """encodeDownlink errors raise CodecReportedErrors."""
    with pytest.raises(CodecReportedErrors, match="interval is required"):
        JavaScriptCodec(ELSYS_SOURCE).encode_downlink({})


def test_missing_encoder_is_reported():
    """Calling encode_downlink on a codec without encodeDownlink says so."""
    codec = JavaScriptCodec("function decodeUplink(i) { return {data: {}}; }")

    with pytest.raises(CodecSourceInvalid, match="does not define a function encodeDownlink"):
        codec.encode_downlink({"on": True})
