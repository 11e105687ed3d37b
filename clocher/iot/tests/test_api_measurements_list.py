"""GET /api/v1/communes/{slug}/iot/devices/{dev_eui}/measurements: scope, commune, filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from clocher.core.api.services import api_key_create
from clocher.iot.models import Measurement
from clocher.iot.tests import factories

pytestmark = pytest.mark.django_db

START = datetime(2024, 3, 5, 8, tzinfo=UTC)


def _url(commune, dev_eui=factories.ELSYS_DEV_EUI, query=""):
    return f"/api/v1/communes/{commune.slug}/iot/devices/{dev_eui}/measurements{query}"


def _key(commune, scopes=("iot:read",)):
    _api_key, token = api_key_create(commune=commune, name="test", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def device_a(operator, commune_a):
    device = factories.device(commune_a, factories.profile(operator))
    for index in range(3):
        for quantity, value in (("co2", 500 + index), ("temperature", 20 + index)):
            Measurement.objects.create(
                commune=commune_a,
                device=device,
                quantity=quantity,
                time=START + timedelta(hours=index),
                value=value,
                unit="ppm" if quantity == "co2" else "°C",
            )
    return device


def test_lists_filtered_measurements(client, commune_a, device_a, django_assert_max_num_queries):
    """A key with iot:read gets the device's measurements of one quantity in [from, to)."""
    headers = _key(commune_a)
    query = "?quantity=co2&from=2024-03-05T09:00:00Z&to=2024-03-05T10:00:00Z"
    with django_assert_max_num_queries(8):
        response = client.get(_url(commune_a, query=query), **headers)
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {"quantity": "co2", "time": "2024-03-05T09:00:00Z", "value": 501.0, "unit": "ppm"}
        ],
        "count": 1,
        "limit": 50,
        "offset": 0,
    }


def test_pages_all_measurements(client, commune_a, device_a):
    """Without filters: every measurement, oldest first, paginated."""
    response = client.get(_url(commune_a, query="?limit=4&offset=4"), **_key(commune_a))
    body = response.json()
    assert body["count"] == 6
    assert [(item["quantity"], item["value"]) for item in body["items"]] == [
        ("co2", 502.0),
        ("temperature", 22.0),
    ]


def test_lower_case_dev_eui_is_found(client, commune_a, device_a):
    """The DevEUI in the path is read in any case."""
    response = client.get(_url(commune_a, factories.ELSYS_DEV_EUI.lower()), **_key(commune_a))
    assert response.json()["count"] == 6


def test_anonymous_is_401(client, commune_a, device_a):
    """No key: 401."""
    assert client.get(_url(commune_a)).status_code == 401


def test_key_without_scope_is_403(client, commune_a, device_a):
    """A key of the commune without iot:read: 403."""
    response = client.get(_url(commune_a), **_key(commune_a, scopes=()))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "missing_scope"


def test_key_of_another_commune_is_404(client, commune_a, commune_b, device_a):
    """B's key on A's device, or B's key naming B with A's DevEUI: 404."""
    headers_b = _key(commune_b)
    assert client.get(_url(commune_a), **headers_b).status_code == 404
    assert client.get(_url(commune_b), **headers_b).status_code == 404


def test_unknown_device_is_404(client, commune_a, device_a):
    """A DevEUI not registered in the commune, or malformed: 404."""
    headers = _key(commune_a)
    assert client.get(_url(commune_a, "0000000000000000"), **headers).status_code == 404
    assert client.get(_url(commune_a, "not-an-eui"), **headers).status_code == 404
