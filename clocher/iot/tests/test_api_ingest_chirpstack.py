"""POST /api/v1/iot/chirpstack|tts|generic: token, commune, duplicates, answers."""

from __future__ import annotations

import json

import pytest

from clocher.iot.models import Measurement, PendingDevice, Uplink
from clocher.iot.services.integrations import integration_revoke
from clocher.iot.tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/iot/chirpstack?event=up"


def _post(client, url, body, token):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(
        url, data=data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_same_message_twice_over_http_is_stored_once(client, operator, commune_a):
    """The ChirpStack sample posted twice: stored, then duplicate; one uplink."""
    device = factories.device(commune_a, factories.profile(operator))
    _integration, token = factories.integration(commune_a)
    body = factories.fixture_json("chirpstack_up_decoded.json")
    first = _post(client, URL, body, token)
    second = _post(client, URL, body, token)
    assert (first.status_code, first.json()["status"]) == (202, "stored")
    assert (second.status_code, second.json()["status"]) == (202, "duplicate")
    assert Uplink.objects.count() == 1
    assert Measurement.objects.filter(device=device).count() == 3  # the profile's quantities


def test_status_event_over_http(client, operator, commune_a):
    """`?event=status` updates the battery."""
    device = factories.device(commune_a, factories.profile(operator), dev_eui="0101010101010101")
    _integration, token = factories.integration(commune_a)
    response = _post(
        client,
        "/api/v1/iot/chirpstack?event=status",
        factories.fixture_json("chirpstack_status.json"),
        token,
    )
    assert response.json() == {"status": "stored", "reason": ""}
    device.refresh_from_db()
    assert device.battery_percent == 88


def test_tts_webhook(client, operator, commune_a):
    """The Things Stack sample through the webhook endpoint."""
    _integration, token = factories.integration(commune_a, kind="tts")
    response = _post(client, "/api/v1/iot/tts", factories.fixture_json("tts_up.json"), token)
    assert (response.status_code, response.json()["status"]) == (202, "pending_device")
    assert PendingDevice.objects.get().dev_eui == "0004A30B001C0530"


def test_generic_senml_with_eui_base_name(client, operator, commune_a):
    """A SenML pack named urn:dev:eui:<EUI>: stores each value at its own time."""
    profile = factories.profile(
        operator, slug="senml", codec_kind="network", builtin_codec="", quantities={}
    )
    device = factories.device(commune_a, profile, dev_eui="0102030405060708")
    _integration, token = factories.integration(commune_a, kind="generic")
    pack = [
        {
            "bn": "urn:dev:eui:0102030405060708:",
            "bt": 1700000000,
            "bu": "m",
            "n": "level",
            "v": 1.5,
        },
        {"n": "level", "t": 600, "v": 1.75},
    ]
    response = _post(client, "/api/v1/iot/generic", pack, token)
    assert response.json()["status"] == "stored"
    assert list(
        Measurement.objects.filter(device=device).order_by("time").values_list("value", "unit")
    ) == [(1.5, "m"), (1.75, "m")]
    assert _post(client, "/api/v1/iot/generic", pack, token).json()["status"] == "duplicate"


def test_generic_senml_needs_a_device(client, commune_a):
    """A pack without an EUI base name nor ?dev_eui= is refused with 400."""
    _integration, token = factories.integration(commune_a, kind="generic")
    pack = [{"n": "temperature", "v": 20, "t": 1700000000}]
    response = _post(client, "/api/v1/iot/generic", pack, token)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "message_rejected"
    with_query = _post(client, "/api/v1/iot/generic?dev_eui=0102030405060708", pack, token)
    assert with_query.json()["status"] == "pending_device"


def test_missing_wrong_or_revoked_token_is_401(client, commune_a):
    """No token, a wrong one, a revoked one, or an API key: 401, nothing stored."""
    integration, token = factories.integration(commune_a)
    body = factories.fixture_json("chirpstack_up.json")
    assert client.post(URL, data=body, content_type="application/json").status_code == 401
    assert _post(client, URL, body, token[:-1] + "x").status_code == 401
    integration_revoke(integration=integration)
    response = _post(client, URL, body, token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_integration_token"
    assert not Uplink.objects.exists()


def test_token_of_another_kind_is_403(client, commune_a):
    """A TTS token on the ChirpStack endpoint: 403, nothing stored."""
    _integration, token = factories.integration(commune_a, kind="tts")
    response = _post(client, URL, factories.fixture_json("chirpstack_up.json"), token)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "wrong_integration_kind"
    assert not Uplink.objects.exists()


def test_token_of_commune_a_cannot_put_data_in_commune_b(client, operator, commune_a, commune_b):
    """B's registered device heard with A's token stays pending in A; B's data unchanged."""
    device_b = factories.device(commune_b, factories.profile(operator))
    _integration, token_a = factories.integration(commune_a)
    response = _post(client, URL, factories.fixture_json("chirpstack_up_decoded.json"), token_a)
    assert response.json()["status"] == "pending_device"
    assert not Measurement.objects.filter(device=device_b).exists()
    assert not Uplink.objects.filter(commune=commune_b).exists()
    assert PendingDevice.objects.get().commune_id == commune_a.pk
