"""Ingestion through a profile's JavaScript codec, run in the QuickJS sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from clocher.iot.models import Measurement, Uplink, UplinkStatus
from clocher.iot.models.devices import CodecKind
from clocher.iot.services.ingestion import ingest
from clocher.iot.tests import factories

pytestmark = pytest.mark.django_db

ELSYS_JS = (Path(__file__).parent / "fixtures" / "javascript_elsys_sloppy.js").read_text()
LOOPING_JS = "function decodeUplink(input) { while (true) {} }"


def test_javascript_codec_decodes_the_elsys_frame(operator, commune_a):
    """A TTN-style sloppy-mode codec uploaded with the profile decodes the uplink."""
    profile = factories.profile(
        operator, slug="elsys-js", codec_kind=CodecKind.JAVASCRIPT, javascript_codec=ELSYS_JS
    )
    device = factories.device(commune_a, profile)
    integration, _token = factories.integration(commune_a)
    result = ingest(integration=integration, message=factories.chirpstack_uplink())
    assert result.status == UplinkStatus.STORED
    values = dict(Measurement.objects.filter(device=device).values_list("quantity", "value"))
    assert values == {"temperature": 22.6, "humidity": 41.0, "co2": 776.0}


def test_looping_codec_fails_that_uplink_and_the_stream_goes_on(operator, commune_a):
    """A codec that never returns is stopped by the time limit; the next uplink is stored."""
    looping = factories.profile(
        operator, slug="loops", codec_kind=CodecKind.JAVASCRIPT, javascript_codec=LOOPING_JS
    )
    factories.device(commune_a, looping, dev_eui="0102030405060708")
    healthy = factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    device_info = dict(factories.fixture_json("chirpstack_up_decoded.json")["deviceInfo"])
    device_info["devEui"] = "0102030405060708"
    failed = ingest(
        integration=integration, message=factories.chirpstack_uplink(deviceInfo=device_info)
    )
    assert failed.status == UplinkStatus.DECODE_FAILED
    assert "CodecTimeout" in Uplink.objects.get(dev_eui="0102030405060708").error
    stored = ingest(
        integration=integration,
        message=factories.chirpstack_uplink(time="2024-03-05T09:15:00+01:00"),
    )
    assert stored.status == UplinkStatus.STORED
    assert Measurement.objects.filter(device=healthy).count() == 5
