"""What alert evaluation costs at ingestion: no query for devices no rule covers, a bounded
number per batch with rules, whatever the number of devices and readings."""

from __future__ import annotations

import pytest
from django.db import connection

from clocher.iot.models import Alert, AlertRule, AlertSettings, Device
from clocher.iot.models.alerts import RuleKind, RuleScope
from clocher.iot.services import alerting
from clocher.iot.services.alerting import evaluate_batch
from clocher.iot.tests import factories
from clocher.iot.tests.alerts_support import co2, reading, rule

pytestmark = pytest.mark.django_db


def _devices(commune, profile, count, prefix="A"):
    return [
        Device.objects.create(
            commune=commune,
            dev_eui=f"{prefix}{number:015X}",
            name=f"Objet {number}",
            profile=profile,
        )
        for number in range(count)
    ]


def _batch(devices, minutes, value):
    return [
        (device, [co2(minutes, value), reading("temperature", minutes, 20, "°C")])
        for device in devices
    ]


def test_no_query_for_a_commune_without_rules(commune_a, operator, django_assert_num_queries):
    """Once the commune's (empty) rule index is loaded, 100 devices cost no query."""
    devices = _devices(commune_a, factories.profile(operator), 100)
    evaluate_batch(_batch(devices[:1], 0, 400))  # loads the index
    with django_assert_num_queries(0):
        assert evaluate_batch(_batch(devices, 1, 5000)) == []


def test_no_query_for_devices_outside_every_rule(commune_a, operator, django_assert_num_queries):
    """Rules of one site only: devices of other sites and readings of other quantities cost
    nothing."""
    profile = factories.profile(operator)
    rule(commune_a, scope=RuleScope.SITE, site="École", minimum_duration_minutes=0)
    rule(
        commune_a,
        kind=RuleKind.THRESHOLD_ABOVE,
        scope=RuleScope.COMMUNE,
        quantity="level",
        threshold=3.0,
        label="Niveau haut",
    )
    devices = _devices(commune_a, profile, 50)
    evaluate_batch(_batch(devices[:1], 0, 400))
    with django_assert_num_queries(0):
        assert evaluate_batch(_batch(devices, 1, 5000)) == []


def test_a_batch_with_rules_costs_a_bounded_number_of_queries(
    commune_a, operator, django_assert_max_num_queries
):
    """50 covered devices × 2 readings: states read in one query and written in one; when all
    50 open an alert, one bulk insert of alerts and one of events more (SQLite splits bulk
    inserts at 999 parameters)."""
    rule(commune_a, minimum_duration_minutes=0)
    devices = _devices(commune_a, factories.profile(operator), 50)
    evaluate_batch(_batch(devices, 0, 400))  # creates the states
    with django_assert_max_num_queries(2):
        assert evaluate_batch(_batch(devices, 1, 450)) == []
    chunks = 0 if connection.vendor == "postgresql" else 1
    with django_assert_max_num_queries(4 + chunks):
        assert len(evaluate_batch(_batch(devices, 2, 1600))) == 50
    assert Alert.objects.count() == 50


def test_first_batch_creates_the_states_in_bulk(commune_a, operator, django_assert_max_num_queries):
    """The first readings of 50 devices: the index (2 queries), states read, created in bulk
    and read back (3), then written (1)."""
    rule(commune_a, minimum_duration_minutes=0)
    devices = _devices(commune_a, factories.profile(operator), 50)
    with django_assert_max_num_queries(6):
        evaluate_batch(_batch(devices, 0, 400))


def test_a_stale_index_is_checked_with_one_query(
    commune_a, operator, monkeypatch, django_assert_num_queries
):
    """Past its maximum age the index costs one query (the version) and is kept when the
    rules did not change."""
    devices = _devices(commune_a, factories.profile(operator), 10)
    evaluate_batch(_batch(devices, 0, 400))
    monkeypatch.setattr(alerting, "RULE_INDEX_MAX_AGE_SECONDS", 0.0)
    with django_assert_num_queries(1):
        evaluate_batch(_batch(devices, 1, 400))


def test_a_rule_added_by_another_process_is_seen_once_the_index_is_stale(
    commune_a, operator, monkeypatch
):
    """Another worker adds a rule and bumps the version: this process reloads its index at the
    next check, without anyone clearing its cache."""
    devices = _devices(commune_a, factories.profile(operator), 1)
    evaluate_batch(_batch(devices, 0, 400))
    AlertRule.objects.create(
        commune=commune_a,
        label="Aérer",
        kind=RuleKind.THRESHOLD_ABOVE,
        scope=RuleScope.COMMUNE,
        quantity="co2",
        threshold=1000,
    )
    AlertSettings.objects.create(commune=commune_a, rules_version=1)
    assert evaluate_batch(_batch(devices, 1, 1600)) == []  # still the fresh, empty index
    monkeypatch.setattr(alerting, "RULE_INDEX_MAX_AGE_SECONDS", 0.0)
    assert len(evaluate_batch(_batch(devices, 2, 1600))) == 1


def test_a_rule_saved_here_is_seen_at_once(commune_a, operator, admin_a):
    """A rule saved through the service drops this process's index immediately."""
    devices = _devices(commune_a, factories.profile(operator), 1)
    evaluate_batch(_batch(devices, 0, 400))
    alerting.default_rules_apply(commune=commune_a, actor=admin_a)
    evaluate_batch(_batch(devices, 1, 1600))
    opened = evaluate_batch(_batch(devices, 11, 1600))
    assert [alert.label for alert in opened] == ["Aérer maintenant"]


def test_batches_mix_communes(commune_a, commune_b, operator):
    """One batch of two communes applies each commune's own rules."""
    profile = factories.profile(operator)
    rule(commune_a, minimum_duration_minutes=0)
    device_a = _devices(commune_a, profile, 1, prefix="A")[0]
    device_b = _devices(commune_b, profile, 1, prefix="B")[0]
    opened = evaluate_batch([*_batch([device_a], 0, 2000), *_batch([device_b], 0, 2000)])
    assert [alert.device_id for alert in opened] == [device_a.pk]
