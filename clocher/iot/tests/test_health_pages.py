"""The ingestion-health pages: the commune's staff page and the operator console's view, with
their authorization matrix."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clocher.core.testing.clients import signed_in_client
from clocher.iot.models import PendingDevice, Uplink
from clocher.iot.services.health import HealthAccumulator, message_rejected
from clocher.iot.tests import factories

pytestmark = pytest.mark.django_db

READERS = ["admin_a", "agent_a", "elected_a", "technician_a", "operator_admin", "operator_support"]


@pytest.fixture
def world(operator, commune_a, commune_b):
    device = factories.device(commune_a, factories.profile(operator))
    integration, token = factories.integration(commune_a)
    other, _other_token = factories.integration(commune_b)
    now = timezone.now()
    accumulator = HealthAccumulator()
    accumulator.add(integration.pk, commune_a.pk, "stored", n=1234, at=now)
    accumulator.add(integration.pk, commune_a.pk, "decode_failed", n=7, at=now - timedelta(days=3))
    accumulator.add(other.pk, commune_b.pk, "stored", n=31337, at=now)
    accumulator.add(None, None, "unauthorized", n=5, at=now, source="tts")
    accumulator.flush()
    Uplink.objects.create(
        commune=commune_a,
        device=device,
        dev_eui=device.dev_eui,
        source="chirpstack",
        dedup_key="failed-1",
        received_at=now,
        status="decode_failed",
        error="frame too short for the Elsys codec",
    )
    message_rejected(
        integration=integration, source="chirpstack", reason="body is not JSON", body=b"{"
    )
    message_rejected(
        integration=other, source="chirpstack", reason="secret of commune B", body=b"{"
    )
    message_rejected(
        integration=None,
        source="tts",
        reason="invalid or revoked integration token",
        body=b"{}",
        outcome="unauthorized",
        client_address="198.51.100.0/24",
        token_prefix=integration.token_prefix,
    )
    PendingDevice.objects.create(commune=commune_a, dev_eui="ABCDEF0123456789", uplinks=1)
    return {
        "url": reverse("staff:iot:health", args=[commune_a.slug]),
        "token": token,
        "integration": integration,
    }


def test_anonymous_goes_to_sign_in(world):
    """An anonymous visitor is sent to sign in, from both pages."""
    client = Client()
    for url in [world["url"], reverse("console:iot-health")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_other_commune_and_outsider_get_not_found(world, admin_b, outsider):
    """A member of another commune, or of none, does not see the commune's health page."""
    for user in (admin_b, outsider):
        assert signed_in_client(user).get(world["url"]).status_code == 404


@pytest.mark.parametrize("role", READERS)
def test_every_reader_sees_the_commune_health(world, role, request):
    """Every role with VIEW_DEVICES reads the page: counts, last errors, pending devices."""
    response = signed_in_client(request.getfixturevalue(role)).get(world["url"])
    assert response.status_code == 200
    page = response.content.decode()
    assert "1234" in page and "1 objet en attente" in page
    assert "frame too short for the Elsys codec" in page
    assert "body is not JSON" in page
    assert "secret of commune B" not in page
    assert not any(count in page for count in ("31337", "31 337", "31\u202f337", "31,337"))
    assert "<svg" in page and 'role="img"' in page
    assert world["token"] not in page


def test_week_counts_include_three_days_ago_but_not_the_day(world, admin_a):
    """The 24-hour table leaves out the decoding failures of three days ago; the week has them."""
    response = signed_in_client(admin_a).get(world["url"])
    day, week = response.context["windows"]
    assert day["total"].counts == {"stored": 1234, "rejected": 1}
    assert week["total"].counts == {"stored": 1234, "decode_failed": 7, "rejected": 1}


def test_commune_page_queries_do_not_grow_with_errors(world, admin_a, commune_a):
    """More decoding failures do not add queries (no N+1 on devices)."""
    client = signed_in_client(admin_a)
    with CaptureQueriesContext(connection) as before:
        client.get(world["url"])
    device = Uplink.objects.get().device
    assert device is not None
    for index in range(10):
        Uplink.objects.create(
            commune=commune_a,
            device=device,
            dev_eui=device.dev_eui,
            source="chirpstack",
            dedup_key=f"more-{index}",
            received_at=timezone.now(),
            status="decode_failed",
            error="again",
        )
    with CaptureQueriesContext(connection) as after:
        client.get(world["url"])
    assert len(after) == len(before)


def test_console_shows_instance_wide_health_to_operator_staff(world, operator_support):
    """Operator staff see every commune's counts and the refused tokens by network and prefix,
    never a whole token."""
    response = signed_in_client(operator_support).get(reverse("console:iot-health"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "198.51.100.0/24" in page and world["integration"].token_prefix in page
    assert "1234" in page
    assert any(count in page for count in ("31337", "31 337", "31\u202f337", "31,337"))
    assert "secret of commune B" in page
    assert world["token"] not in page
    unauthorized = response.context["unauthorized"]
    assert [(row.attempts, row.integration) for row in unauthorized] == [(1, world["integration"])]


def test_commune_staff_cannot_open_the_console_page(world, admin_a):
    """A commune administrator is not operator staff: 403."""
    assert signed_in_client(admin_a).get(reverse("console:iot-health")).status_code == 403
