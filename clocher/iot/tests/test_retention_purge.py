"""Retention of raw uplinks and rejected messages: older than IOT_RAW_RETENTION_DAYS they go,
measurements and roll-ups stay; ``--dry-run`` only counts; a daily job does it."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from clocher.core import scheduling
from clocher.iot import partitions
from clocher.iot.models import Measurement, RejectedMessage, Rollup, Uplink
from clocher.iot.services.health import rejected_message_build
from clocher.iot.services.ingestion import ingest
from clocher.iot.services.retention import uplinks_purge
from clocher.iot.tests import factories

pytestmark = pytest.mark.django_db


def _at(days_ago: int) -> str:
    moment = timezone.now() - timedelta(days=days_ago)
    return moment.replace(microsecond=0).isoformat()


@pytest.fixture
def stored(operator, commune_a, settings):
    """Uplinks with measurements 200, 100, 10 days ago and now; rejected messages 120 and 5
    days ago; retention 90 days."""
    settings.IOT_RAW_RETENTION_DAYS = 90
    device = factories.device(commune_a, factories.profile(operator))
    integration, _token = factories.integration(commune_a)
    for days in (200, 100, 10, 0):
        result = ingest(
            integration=integration, message=factories.chirpstack_uplink(time=_at(days))
        )
        assert result.status == "stored"
    for days in (120, 5):
        message = rejected_message_build(
            integration=integration,
            source="chirpstack",
            reason="body is not JSON",
            body=b"{",
            at=timezone.now() - timedelta(days=days),
        )
        message.save()
    return device


def _kept_days(device) -> list[int]:
    now = timezone.now()
    return sorted(
        round((now - moment).total_seconds() / 86400)
        for moment in Uplink.objects.filter(device=device).values_list("received_at", flat=True)
    )


def test_old_uplinks_and_rejected_messages_go_measurements_stay(stored):
    """After the purge the raw uplinks older than 90 days are gone (on PostgreSQL the month
    partitions wholly past the limit), measurements and roll-ups all stay."""
    measurements, rollups = Measurement.objects.count(), Rollup.objects.count()
    report = uplinks_purge()
    if partitions.is_partitioned("iot_uplink"):
        assert 200 not in _kept_days(stored)
        assert {10, 0} <= set(_kept_days(stored))
    else:
        assert _kept_days(stored) == [0, 10]
        assert report.total() == 2
    assert list(RejectedMessage.objects.values_list("reason", flat=True)) == ["body is not JSON"]
    assert (Measurement.objects.count(), Rollup.objects.count()) == (measurements, rollups)


def test_dry_run_counts_and_changes_nothing(stored):
    """A dry run reports what would go and removes nothing."""
    report = uplinks_purge(dry_run=True)
    assert report.dry_run
    assert report.total(("rejected_messages",)) == 1
    assert Uplink.objects.count() == 4
    assert RejectedMessage.objects.count() == 2


def test_command_prints_what_it_removes(stored):
    """``clocher iot purge-uplinks --dry-run`` prints the limit and the counts, then the real
    run removes them."""
    out = StringIO()
    call_command("iot", "purge-uplinks", "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Simulation : rien n'est supprimé.")
    assert "(90 jours)" in lines[0]
    assert "- messages rejetés : 1" in lines
    assert lines[-1].startswith("À supprimer : ")
    assert Uplink.objects.count() == 4
    out = StringIO()
    call_command("iot", "purge-uplinks", stdout=out)
    assert "✓ messages rejetés : 1" in out.getvalue().splitlines()
    assert RejectedMessage.objects.count() == 1


def test_retention_is_a_daily_periodic_job(stored):
    """The purge and the partitions ahead are declared daily jobs; the task purges."""
    from clocher.iot import tasks_ops

    jobs = {job.name: job for job in scheduling.jobs()}
    assert jobs["iot.raw_retention"].daily_at is not None
    assert jobs["iot.partitions_ahead"].daily_at is not None
    summary = tasks_ops.purge_raw_uplinks.call()
    assert summary["rejected_messages"] == 1
    assert RejectedMessage.objects.count() == 1
