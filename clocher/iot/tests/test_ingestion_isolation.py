"""An integration's messages only ever land in its own commune."""

from __future__ import annotations

import pytest

from clocher.iot.models import Measurement, PendingDevice, Uplink
from clocher.iot.services.ingestion import ingest
from clocher.iot.tests import factories

pytestmark = pytest.mark.django_db


def test_device_of_another_commune_is_pending_in_the_token_commune(operator, commune_a, commune_b):
    """B's device heard through A's integration stays pending in A; B gets nothing."""
    device_b = factories.device(commune_b, factories.profile(operator))
    integration_a, _token = factories.integration(commune_a)
    result = ingest(integration=integration_a, message=factories.chirpstack_uplink())
    assert result.status == "pending_device"
    uplink = Uplink.objects.get()
    assert (uplink.commune_id, uplink.device_id) == (commune_a.pk, None)
    assert PendingDevice.objects.get().commune_id == commune_a.pk
    assert not Measurement.objects.filter(device=device_b).exists()


def test_same_dedup_key_in_two_communes_is_two_uplinks(operator, commune_a, commune_b):
    """Idempotency is per commune: one commune's uplink never hides another's."""
    integration_a, _token = factories.integration(commune_a)
    integration_b, _token = factories.integration(commune_b)
    message = factories.chirpstack_uplink()
    assert ingest(integration=integration_a, message=message).status == "pending_device"
    assert ingest(integration=integration_b, message=message).status == "pending_device"
    assert sorted(Uplink.objects.values_list("commune_id", flat=True)) == sorted(
        [commune_a.pk, commune_b.pk]
    )
