"""Hostile bodies on the ingestion endpoints: a 400 in the error format, never a 5xx."""

from __future__ import annotations

import json

import pytest

from clocher.iot.models import Uplink
from clocher.iot.tests import factories

pytestmark = pytest.mark.django_db

_up = factories.fixture_json("chirpstack_up.json")
HOSTILE_BODIES = [
    b"",
    b"{",
    b"null",
    b"[]",
    b'"text"',
    b"\xff\xfe\x00not utf-8",
    b"NaN",
    b"[" * 5000 + b"]" * 5000,
    json.dumps({**_up, "data": "***not base64***"}).encode(),
    json.dumps({**_up, "deviceInfo": {"devEui": "zz"}}).encode(),
    json.dumps({**_up, "fCnt": -1}).encode(),
    json.dumps({**_up, "time": "yesterday"}).encode(),
    json.dumps({**_up, "object": [1, 2]}).encode(),
]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
@pytest.mark.parametrize(
    ("kind", "url"),
    [
        ("chirpstack", "/api/v1/iot/chirpstack?event=up"),
        ("tts", "/api/v1/iot/tts"),
        ("generic", "/api/v1/iot/generic"),
    ],
)
def test_hostile_body_is_a_400(client, commune_a, kind, url, body):
    """Malformed JSON, non-UTF-8, wrong base64, wrong types: 400 with the error format."""
    _integration, token = factories.integration(commune_a, kind=kind)
    response = client.post(
        url, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 400, response.content[:200]
    assert response.json()["error"]["code"] == "message_rejected"
    assert not Uplink.objects.exists()


def test_unknown_fields_are_accepted(client, commune_a):
    """Fields a newer ChirpStack adds are ignored, not refused."""
    _integration, token = factories.integration(commune_a)
    body = {**_up, "someFutureField": {"x": 1}}
    response = client.post(
        "/api/v1/iot/chirpstack?event=up",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.json()["status"] == "pending_device"


def test_unknown_event_is_a_422(client, commune_a):
    """`?event=` outside ChirpStack's events is refused by validation."""
    _integration, token = factories.integration(commune_a)
    response = client.post(
        "/api/v1/iot/chirpstack?event=bogus",
        data=json.dumps(_up),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422
