"""An integration's last use: written when its token is accepted over HTTP or when the MQTT
worker stores a batch of its messages, at most once per ``LAST_USED_RESOLUTION``; shown on the
commune's ingestion-health page."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import paho.mqtt.client as mqtt
import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clocher.core.api.services import LAST_USED_RESOLUTION
from clocher.core.testing.clients import signed_in_client
from clocher.iot.models import Integration, Uplink
from clocher.iot.mqtt import BrokerAddress, IngestWorker, handle_batch
from clocher.iot.services import integrations as integration_services
from clocher.iot.tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/iot/chirpstack?event=up"
TOPIC = f"application/app-1/device/{factories.ELSYS_DEV_EUI.lower()}/event/up"


def _uplink(time: str = "2026-03-05T08:15:00Z") -> dict[str, Any]:
    message = factories.fixture_json("chirpstack_up_decoded.json")
    message.pop("object")
    message["time"] = time
    message["deduplicationId"] = f"dedup-{time}"
    return message


def _post(client, token: str, time: str = "2026-03-05T08:15:00Z"):
    return client.post(
        URL,
        data=json.dumps(_uplink(time)),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def _integration_writes(queries: CaptureQueriesContext) -> list[str]:
    table = Integration._meta.db_table
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith("UPDATE") and table in query["sql"]
    ]


def _last_used(integration: Integration):
    return Integration.objects.get(pk=integration.pk).last_used_at


def test_http_ingestion_writes_last_use_once_per_resolution(client, commune_a):
    """The first accepted request stamps last_used_at; the next one within the resolution
    writes nothing; once the resolution has passed, it is written again."""
    integration, token = factories.integration(commune_a)
    assert integration.last_used_at is None
    before = timezone.now()
    assert _post(client, token).status_code == 202
    first = _last_used(integration)
    assert first is not None and before <= first <= timezone.now()
    with CaptureQueriesContext(connection) as queries:
        assert _post(client, token, "2026-03-05T08:25:00Z").status_code == 202
    assert _integration_writes(queries) == []
    assert _last_used(integration) == first
    Integration.objects.filter(pk=integration.pk).update(
        last_used_at=first - LAST_USED_RESOLUTION - timedelta(seconds=1)
    )
    assert _post(client, token, "2026-03-05T08:35:00Z").status_code == 202
    again = _last_used(integration)
    assert again is not None and again >= first


def test_refused_token_does_not_touch_last_use(client, commune_a):
    """A wrong token is not a use of the integration whose prefix it borrows."""
    integration, token = factories.integration(commune_a)
    assert _post(client, token[:-4] + "AAAA").status_code == 401
    assert _last_used(integration) is None


def test_mqtt_batch_writes_last_use_once_per_resolution(operator, commune_a):
    """A stored batch stamps last_used_at; the next batch of the same worker within the
    resolution writes nothing."""
    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    body = json.dumps(_uplink()).encode()
    handled = handle_batch(integration=integration, messages=[(TOPIC, body)])
    assert [item.outcome for item in handled] == ["stored"]
    first = _last_used(integration)
    assert first is not None
    assert integration.last_used_at == first
    with CaptureQueriesContext(connection) as queries:
        handled = handle_batch(integration=integration, messages=[(TOPIC, body)])
    assert [item.outcome for item in handled] == ["duplicate"]
    assert _integration_writes(queries) == []
    assert _last_used(integration) == first


def test_worker_flush_writes_last_use(operator, commune_a):
    """The worker's batch, once stored, stamps its integration's last use."""
    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    worker = IngestWorker(
        integration=integration, broker=BrokerAddress("127.0.0.1", 1), client_id="unit"
    )

    class Client:
        def ack(self, mid: int, qos: int) -> None:
            pass

    message = mqtt.MQTTMessage(mid=1, topic=TOPIC.encode())
    message.payload, message.qos = json.dumps(_uplink()).encode(), 1
    client: Any = Client()
    worker._on_message(client, None, message)
    worker._flush(client)
    assert worker.counters.stored == 1
    assert _last_used(integration) is not None


def test_failed_batch_does_not_write_last_use(commune_a, monkeypatch):
    """A batch rolled back by the database is not a use: nothing written."""
    from clocher.iot import mqtt as iot_mqtt

    integration, _token = factories.integration(commune_a)

    def broken_ingest(**_kwargs):
        raise OperationalError("database is restarting")

    monkeypatch.setattr(iot_mqtt, "ingest_batch", broken_ingest)
    body = json.dumps(_uplink()).encode()
    handled = handle_batch(integration=integration, messages=[(TOPIC, body)])
    assert [item.outcome for item in handled] == ["failed"]
    assert _last_used(integration) is None


def test_last_use_that_cannot_be_written_does_not_fail_the_batch(operator, commune_a, monkeypatch):
    """The write of the last use fails: the batch is still stored and acknowledged."""
    factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)

    class BrokenManager:
        def filter(self, **_kwargs):
            return self

        def update(self, **_kwargs):
            raise OperationalError("no more room for this row")

    monkeypatch.setattr(
        integration_services, "Integration", type("Broken", (), {"objects": BrokenManager()})
    )
    body = json.dumps(_uplink()).encode()
    handled = handle_batch(integration=integration, messages=[(TOPIC, body)])
    assert [(item.outcome, item.acknowledge) for item in handled] == [("stored", True)]
    assert Uplink.objects.count() == 1
    assert integration.last_used_at is None
    assert _last_used(integration) is None


def test_health_page_shows_last_use_or_never(commune_a, admin_a):
    """The staff page lists each integration with its last use, "jamais" when never used."""
    used, _token = factories.integration(commune_a)
    factories.integration(commune_a, kind="tts")
    moment = timezone.make_aware(datetime(2026, 3, 5, 8, 15), ZoneInfo("Europe/Paris"))
    Integration.objects.filter(pk=used.pk).update(last_used_at=moment)
    response = signed_in_client(admin_a).get(reverse("staff:iot:health", args=[commune_a.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    table = page[page.index('id="integrations-caption"') :]
    table = table[: table.index("</table>")]
    assert "Dernière utilisation" in table
    assert '<time datetime="2026-03-05T08:15:00+01:00">5/03/2026 08:15</time>' in table
    assert table.count("<td>jamais</td>") == 1
