"""The ingestion-health accumulator: counts in memory, one upsert per slot at flush."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import OperationalError

from clocher.iot.models import HealthCounter
from clocher.iot.services import health
from clocher.iot.services.health import HealthAccumulator, hour_of
from clocher.iot.tests import factories

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 5, 8, 15, 42, tzinfo=UTC)


def _counts() -> dict[tuple[int | None, str, str, datetime], int]:
    return {
        (row.integration_id, row.source, row.outcome, row.hour): row.count
        for row in HealthCounter.objects.all()
    }


def test_flush_writes_one_row_per_integration_hour_and_outcome(commune_a):
    """Counts of the same slot are merged in memory; a second flush adds to the stored rows."""
    integration, _token = factories.integration(commune_a)
    accumulator = HealthAccumulator()
    for _ in range(3):
        accumulator.add(integration.pk, commune_a.pk, "stored", at=AT)
    accumulator.add(integration.pk, commune_a.pk, "duplicate", n=2, at=AT)
    accumulator.add(integration.pk, commune_a.pk, "stored", at=AT.replace(hour=9))
    assert len(accumulator) == 3
    assert accumulator.flush() == 3
    accumulator.add(integration.pk, commune_a.pk, "stored", n=10, at=AT.replace(minute=59))
    assert accumulator.flush() == 1
    hour = hour_of(AT)
    assert _counts() == {
        (integration.pk, "", "stored", hour): 13,
        (integration.pk, "", "duplicate", hour): 2,
        (integration.pk, "", "stored", hour.replace(hour=9)): 1,
    }
    assert set(HealthCounter.objects.values_list("commune_id", flat=True)) == {commune_a.pk}
    assert accumulator.flush() == 0


def test_instance_counts_are_kept_by_source(db):
    """Without integration, counts are the instance's, one row per source, hour and outcome."""
    accumulator = HealthAccumulator()
    accumulator.add(None, None, "unauthorized", at=AT, source="chirpstack")
    accumulator.add(None, None, "unauthorized", at=AT, source="chirpstack")
    accumulator.add(None, None, "unauthorized", at=AT, source="tts")
    accumulator.flush()
    accumulator.add(None, None, "unauthorized", at=AT, source="tts")
    accumulator.flush()
    hour = hour_of(AT)
    assert _counts() == {
        (None, "chirpstack", "unauthorized", hour): 2,
        (None, "tts", "unauthorized", hour): 2,
    }


def test_failed_flush_keeps_its_counts_for_the_next(commune_a, monkeypatch):
    """A flush that meets a database error raises and loses nothing: the next one writes all."""
    integration, _token = factories.integration(commune_a)
    accumulator = HealthAccumulator()
    accumulator.add(integration.pk, commune_a.pk, "stored", n=4, at=AT)
    real_upsert = health._upsert

    def broken(_slots):
        raise OperationalError("database restarting")

    monkeypatch.setattr(health, "_upsert", broken)
    with pytest.raises(OperationalError):
        accumulator.flush()
    accumulator.add(integration.pk, commune_a.pk, "stored", n=1, at=AT)
    monkeypatch.setattr(health, "_upsert", real_upsert)
    accumulator.flush()
    assert _counts() == {(integration.pk, "", "stored", hour_of(AT)): 5}


def test_unknown_outcome_is_refused():
    """A typo in an outcome is a programming error, raised at once."""
    with pytest.raises(ValueError, match="unknown health outcome"):
        HealthAccumulator().add(1, 1, "stord")


def test_address_and_token_are_reduced_to_prefixes():
    """Client addresses become their /24 or /48 network; only a token's public prefix is kept."""
    assert health.client_address_prefix("203.0.113.77") == "203.0.113.0/24"
    assert health.client_address_prefix("2001:db8:1234:5678::1") == "2001:db8:1234::/48"
    assert health.client_address_prefix("not an ip") == ""
    assert health.token_public_prefix("cit_0a1b2c3d_" + "s" * 43) == "cit_0a1b2c3d"
    assert health.token_public_prefix("sk_live_secretvalue") == ""
