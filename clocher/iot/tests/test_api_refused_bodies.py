"""Bodies sent with a refused integration token are kept only up to a cap per client network and
per hour, and a cap for the whole instance; every refusal is still counted and answered the
same."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import override_settings

from clocher.iot.models import HealthCounter, RejectedMessage
from clocher.iot.tests import factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("small_caps"),
]

URL = "/api/v1/iot/chirpstack?event=up"
FORGED = "cit_0123abcd_" + "A" * 43


@pytest.fixture
def small_caps():
    with override_settings(IOT_REFUSED_BODIES_PER_SOURCE_PER_HOUR=3, IOT_REFUSED_BODIES_PER_HOUR=5):
        yield


def _refused(client, address: str, token: str | None = FORGED, url: str = URL):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(
        url,
        data=json.dumps({"deviceInfo": {"devEui": "0011223344556677"}}),
        content_type="application/json",
        REMOTE_ADDR=address,
        **headers,
    )


def _unauthorized_count(source: str = "chirpstack") -> int:
    return sum(
        HealthCounter.objects.filter(
            integration__isnull=True, source=source, outcome="unauthorized"
        ).values_list("count", flat=True)
    )


def _answer(response) -> tuple[int, str, str]:
    error = response.json()["error"]
    return response.status_code, error["code"], error["message"]


def test_past_the_cap_of_a_network_bodies_are_counted_not_kept(client):
    """The fourth refused body from one network within the hour is not kept, but counted and
    answered exactly like the first."""
    answers = [_answer(_refused(client, "198.51.100.23")) for _ in range(4)]
    assert (
        answers
        == [(401, "invalid_integration_token", "Jeton d'intégration invalide ou révoqué.")] * 4
    )
    assert RejectedMessage.objects.count() == 3
    assert set(RejectedMessage.objects.values_list("client_address", flat=True)) == {
        "198.51.100.0/24"
    }
    assert _unauthorized_count() == 4


def test_the_cap_is_per_client_network(client):
    """Another address of the same /24 shares its cap; another network still gets its bodies
    kept."""
    for _ in range(3):
        _refused(client, "198.51.100.23")
    assert _refused(client, "198.51.100.99").status_code == 401
    assert _refused(client, "203.0.113.9").status_code == 401
    kept = list(RejectedMessage.objects.values_list("client_address", flat=True).order_by("pk"))
    assert kept == ["198.51.100.0/24"] * 3 + ["203.0.113.0/24"]
    assert _unauthorized_count() == 5


def test_the_instance_keeps_at_most_its_cap_in_all(client):
    """Bodies from many networks: no more than the instance's cap within the hour."""
    for network in range(7):
        assert _refused(client, f"192.0.{network}.1").status_code == 401
    assert RejectedMessage.objects.count() == 5
    assert _unauthorized_count() == 7


def test_bodies_are_kept_again_after_the_hour(client):
    """Once the kept bodies are more than an hour old, a network's bodies are kept again."""
    for _ in range(4):
        _refused(client, "198.51.100.23")
    assert RejectedMessage.objects.count() == 3
    for message in RejectedMessage.objects.all():
        RejectedMessage.objects.filter(pk=message.pk).update(
            received_at=message.received_at - timedelta(hours=1, seconds=1)
        )
    _refused(client, "198.51.100.23")
    assert RejectedMessage.objects.count() == 4


def test_missing_token_is_capped_too(client):
    """No Authorization header at all: capped like a wrong token, answered 401 every time."""
    url = "/api/v1/iot/generic"
    statuses = [_refused(client, "198.51.100.23", None, url).status_code for _ in range(4)]
    assert statuses == [401] * 4
    assert RejectedMessage.objects.count() == 3
    assert _unauthorized_count("generic") == 4


def test_rejected_bodies_of_a_known_integration_are_not_capped(client, commune_a):
    """Unreadable bodies sent with a valid token belong to the commune: all kept, and they do
    not use up the refused tokens' caps."""
    _integration, token = factories.integration(commune_a)
    for _ in range(6):
        response = client.post(
            URL,
            data=b"{not json",
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            REMOTE_ADDR="198.51.100.23",
        )
        assert response.status_code == 400
    assert RejectedMessage.objects.filter(commune=commune_a).count() == 6
    assert _refused(client, "198.51.100.23").status_code == 401
    assert RejectedMessage.objects.filter(integration__isnull=True).count() == 1


def test_console_says_refused_bodies_are_capped(operator_support):
    """The operator's page says how many refused bodies are kept, so a capped count is not
    taken for the whole story."""
    from django.urls import reverse

    from clocher.core.testing.clients import signed_in_client

    response = signed_in_client(operator_support).get(reverse("console:iot-health"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "conservé que pour les 3 premiers par réseau de client et par heure (5 en tout" in page
