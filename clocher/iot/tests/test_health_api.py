"""Every answer of the HTTP ingestion endpoints is counted in the ingestion health; what cannot
be read, or comes with a refused token, is kept as a rejected message."""

from __future__ import annotations

import base64
import json

import pytest
from django.db import OperationalError

from clocher.iot import api as iot_api
from clocher.iot.models import HealthCounter, RejectedMessage, Uplink
from clocher.iot.models.health import REJECTED_BODY_MAX_BYTES
from clocher.iot.tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/iot/chirpstack?event=up"


def _post(client, body, token=None, url=URL, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **headers, **extra)


def _uplink(time="2026-03-05T08:15:00Z", **fields):
    message = factories.fixture_json("chirpstack_up_decoded.json")
    message.pop("object")
    message["time"] = time
    message["deduplicationId"] = f"dedup-{time}"
    message.update(fields)
    return message


def _counts(**filters) -> dict[str, int]:
    return {
        row.outcome: row.count for row in HealthCounter.objects.filter(**filters).order_by("pk")
    }


def test_stored_duplicate_pending_and_decode_failed_are_counted(client, operator, commune_a):
    """One integration's answers counted per outcome, in its commune."""
    factories.device(commune_a, factories.profile(operator))
    integration, token = factories.integration(commune_a)
    assert _post(client, _uplink(), token).json()["status"] == "stored"
    assert _post(client, _uplink(), token).json()["status"] == "duplicate"
    bad = _uplink("2026-03-05T08:25:00Z", data=base64.b64encode(b"\x01").decode())
    assert _post(client, bad, token).json()["status"] == "decode_failed"
    unknown = _uplink("2026-03-05T08:35:00Z")
    unknown["deviceInfo"]["devEui"] = "0011223344556677"
    assert _post(client, unknown, token).json()["status"] == "pending_device"
    assert _counts(integration=integration, commune=commune_a) == {
        "stored": 1,
        "duplicate": 1,
        "decode_failed": 1,
        "pending_device": 1,
    }
    assert not RejectedMessage.objects.exists()


def test_unreadable_message_is_kept_counted_and_answered_400(client, commune_a):
    """Malformed JSON: 400, counted ``rejected``, kept with its reason and body."""
    integration, token = factories.integration(commune_a)
    response = _post(client, b'{"deviceInfo": ', token)
    assert response.status_code == 400
    kept = RejectedMessage.objects.get()
    assert (kept.integration, kept.commune, kept.source, kept.outcome) == (
        integration,
        commune_a,
        "chirpstack",
        "rejected",
    )
    assert kept.reason.startswith("body is not JSON")
    assert (bytes(kept.body), kept.body_size, kept.is_truncated) == (b'{"deviceInfo": ', 15, False)
    assert _counts(integration=integration) == {"rejected": 1}


def test_wrong_base64_is_kept_with_the_field(client, commune_a):
    """Wrong base64 in ``data``: kept, its reason names the field."""
    _integration, token = factories.integration(commune_a)
    assert _post(client, _uplink(data="***"), token).status_code == 400
    assert RejectedMessage.objects.get().reason.startswith("data:")


def test_large_unreadable_body_is_kept_truncated_to_64_kib(client, commune_a):
    """A body over 64 KiB keeps its first 64 KiB, its size and the truncated flag."""
    _integration, token = factories.integration(commune_a)
    body = b"[" + b" " * (REJECTED_BODY_MAX_BYTES + 100)
    assert _post(client, body, token).status_code == 400
    kept = RejectedMessage.objects.get()
    assert (len(bytes(kept.body)), kept.body_size, kept.is_truncated) == (
        REJECTED_BODY_MAX_BYTES,
        len(body),
        True,
    )


def test_wrong_token_is_counted_for_the_instance_with_prefixes_only(client, commune_a):
    """A wrong token: 401, counted without commune, kept with the client's network and the
    token's public prefix — never the token."""
    integration, token = factories.integration(commune_a)
    forged = token[:-4] + "AAAA"
    response = _post(client, _uplink(), forged, REMOTE_ADDR="198.51.100.23")
    assert response.status_code == 401
    kept = RejectedMessage.objects.get()
    assert (kept.commune, kept.integration, kept.outcome, kept.source) == (
        None,
        None,
        "unauthorized",
        "chirpstack",
    )
    assert (kept.client_address, kept.token_prefix) == ("198.51.100.0/24", integration.token_prefix)
    assert forged not in kept.reason and forged.encode() not in bytes(kept.body)
    assert _counts(integration__isnull=True, source="chirpstack") == {"unauthorized": 1}
    assert not Uplink.objects.exists()


def test_missing_token_is_counted_for_the_instance(client, db):
    """No Authorization header: 401, counted and kept for the operator."""
    assert _post(client, [], None, url="/api/v1/iot/generic").status_code == 401
    assert _counts(integration__isnull=True, source="generic") == {"unauthorized": 1}
    assert RejectedMessage.objects.get().reason == "no bearer token"


def test_token_of_another_kind_is_counted_for_its_integration(client, commune_a):
    """A TTS token on the ChirpStack endpoint: 403, counted ``unauthorized`` for that
    integration (its commune sees it), message kept."""
    integration, token = factories.integration(commune_a, kind="tts")
    assert _post(client, _uplink(), token).status_code == 403
    assert _counts(integration=integration, commune=commune_a) == {"unauthorized": 1}
    assert RejectedMessage.objects.get().commune == commune_a


def test_database_failure_is_a_503_counted_failed_and_nothing_stored(
    client, operator, commune_a, monkeypatch
):
    """The database fails during ingestion: 503 with Retry-After, counted ``failed``; sent
    again, the message is stored once."""
    factories.device(commune_a, factories.profile(operator))
    integration, token = factories.integration(commune_a)
    real_ingest = iot_api.ingest

    def broken(**_kwargs):
        raise OperationalError("the database is restarting")

    monkeypatch.setattr(iot_api, "ingest", broken)
    response = _post(client, _uplink(), token)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "database_unavailable"
    assert not Uplink.objects.exists()
    monkeypatch.setattr(iot_api, "ingest", real_ingest)
    assert _post(client, _uplink(), token).json()["status"] == "stored"
    assert _counts(integration=integration) == {"failed": 1, "stored": 1}
    assert Uplink.objects.count() == 1
