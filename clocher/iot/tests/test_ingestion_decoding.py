"""Ingestion decodes with the network server's object, else the profile's built-in codec."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from clocher.iot.models import Measurement, Uplink
from clocher.iot.network.chirpstack import parse_chirpstack
from clocher.iot.network.tts import parse_tts
from clocher.iot.services.ingestion import ingest
from clocher.iot.tests import factories

pytestmark = pytest.mark.django_db


def _values(device):
    return dict(Measurement.objects.filter(device=device).values_list("quantity", "value"))


def test_builtin_codec_decodes_the_elsys_frame(operator, commune_a):
    """Without a decoded object, the Elsys frame is decoded by the built-in codec."""
    device = factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    result = ingest(integration=integration, message=factories.chirpstack_uplink())
    assert result.status == "stored"
    assert result.measurements == 5
    assert _values(device) == {
        "temperature": 22.6,
        "humidity": 41.0,
        "light": 39.0,
        "motion": 6.0,
        "co2": 776.0,
    }
    measurement = Measurement.objects.get(device=device, quantity="co2")
    assert measurement.time == datetime(2024, 3, 5, 7, 15, tzinfo=UTC)
    assert measurement.unit == "ppm"
    assert measurement.commune_id == commune_a.pk


def test_network_decoded_object_is_used_first(operator, commune_a):
    """The network server's `object` wins over the codec (here a codec that would fail)."""
    profile = factories.profile(operator, builtin_codec="no-such-codec")
    device = factories.device(commune_a, profile)
    integration, _token = factories.integration(commune_a)
    message = factories.parsed_uplink(
        parse_chirpstack("up", factories.fixture_json("chirpstack_up_decoded.json"))
    )
    result = ingest(integration=integration, message=message)
    assert result.status == "stored"
    assert _values(device) == {"temperature": 22.6, "humidity": 41.0, "co2": 776.0}
    uplink = Uplink.objects.get()
    assert uplink.decoded == factories.fixture_json("chirpstack_up_decoded.json")["object"]
    assert uplink.f_cnt == 4711
    assert uplink.rssi == -98


def test_tts_sample_with_decoded_payload(operator, commune_a):
    """The Things Stack sample: its decoded_payload is stored at the uplink's received_at."""
    profile = factories.profile(
        operator,
        slug="tts-sample",
        codec_kind="network",
        builtin_codec="",
        quantities={"temperature": "°C", "luminosity": "%"},
    )
    device = factories.device(commune_a, profile, dev_eui="0004A30B001C0530")
    integration, _token = factories.integration(commune_a, kind="tts")
    message = factories.parsed_uplink(parse_tts(None, factories.fixture_json("tts_up.json")))
    result = ingest(integration=integration, message=message)
    assert result.status == "stored"
    assert _values(device) == {"temperature": 1.0, "luminosity": 0.64}
    assert set(Measurement.objects.filter(device=device).values_list("time", flat=True)) == {
        message.received_at
    }


def test_unknown_builtin_codec_marks_the_uplink_failed(operator, commune_a):
    """A profile naming a missing codec fails that uplink visibly, with its error."""
    device = factories.device(commune_a, factories.profile(operator, builtin_codec="nope"))
    integration, _token = factories.integration(commune_a)
    result = ingest(integration=integration, message=factories.chirpstack_uplink())
    assert result.status == "decode_failed"
    uplink = Uplink.objects.get()
    assert uplink.status == "decode_failed"
    assert uplink.error == "unknown built-in codec 'nope'"
    assert _values(device) == {}


def test_truncated_frame_marks_failed_and_next_uplink_is_stored(operator, commune_a):
    """A frame the codec rejects fails alone; the next uplink of the device is stored."""
    device = factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    bad = factories.chirpstack_uplink(time="2024-03-05T08:00:00Z", data="AQ==")
    good = factories.chirpstack_uplink(time="2024-03-05T08:10:00Z")
    assert ingest(integration=integration, message=bad).status == "decode_failed"
    assert ingest(integration=integration, message=good).status == "stored"
    assert Uplink.objects.get(status="decode_failed").error != ""
    assert _values(device)["co2"] == 776.0


def test_codec_that_throws_fails_only_its_uplink(operator, commune_a, monkeypatch):
    """A codec raising (a bug, a time limit) marks that uplink failed; the next is stored."""
    from clocher.iot.codecs.builtin import BUILTIN_DECODERS

    device = factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    decoder = BUILTIN_DECODERS["elsys-ers-co2"]

    def explode(payload, f_port, received_at=None):
        raise TimeoutError("codec ran past its time limit")

    with monkeypatch.context() as patch:
        patch.setattr(decoder, "decode", explode)
        failed = ingest(
            integration=integration,
            message=factories.chirpstack_uplink(time="2024-03-05T08:00:00Z"),
        )
    stored = ingest(
        integration=integration, message=factories.chirpstack_uplink(time="2024-03-05T08:10:00Z")
    )
    assert (failed.status, stored.status) == ("decode_failed", "stored")
    assert Uplink.objects.get(status="decode_failed").error == (
        "TimeoutError: codec ran past its time limit"
    )
    assert Measurement.objects.filter(device=device, quantity="co2").count() == 1
