"""Rate of change, low battery (uplink and status event) and silent devices."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from clocher.iot.models import Alert, AlertRuleState, Device
from clocher.iot.models.alerts import AlertStatus, Direction, RuleKind, RuleScope, Severity
from clocher.iot.network.chirpstack import parse_chirpstack
from clocher.iot.network.senml import parse_senml
from clocher.iot.services import alerting
from clocher.iot.services.alerting import alert_close, evaluate_batch, evaluate_readings
from clocher.iot.services.ingestion import Reading, ingest_event, ingest_records
from clocher.iot.tests import factories
from clocher.iot.tests.alerts_support import at, reading, rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def gauge(commune_a, operator):
    return factories.device(
        commune_a,
        factories.profile(operator, slug="gauge", model="Jauge", quantities={"level": "m"}),
        dev_eui="0101010101010101",
    )


def _river_rule(commune, **fields):
    values = {
        "label": "Crue",
        "kind": RuleKind.RATE_OF_CHANGE,
        "severity": Severity.CRITICAL,
        "quantity": "level",
        "max_change_per_hour": 0.2,
        "direction": Direction.RISING,
        "hysteresis": 0.05,
        "minimum_duration_minutes": 0,
        "threshold": None,
    }
    values.update(fields)
    return rule(commune, **values)


def test_rate_of_change_opens_on_a_fast_rise_and_closes_when_it_slows(commune_a, gauge):
    """+0.09 m in 30 min (0.18 m/h) is allowed; +0.16 m in 30 min (0.32 m/h) opens; a rise of
    0.10 m/h (below 0.2 − 0.05) closes."""
    _river_rule(commune_a)
    assert evaluate_readings(gauge, [reading("level", 0, 1.00, "m")]) == []
    assert evaluate_readings(gauge, [reading("level", 30, 1.09, "m")]) == []
    [alert] = evaluate_readings(gauge, [reading("level", 60, 1.25, "m")])
    alert.refresh_from_db()
    assert alert.value == pytest.approx(0.32)
    assert alert.unit == "m/h"
    evaluate_readings(gauge, [reading("level", 90, 1.30, "m")])  # 0.1 m/h
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED


def test_rate_of_change_between_hysteresis_bounds_stays_open(commune_a, gauge):
    """A rise of 0.18 m/h is under the maximum but above maximum − hysteresis: still open."""
    _river_rule(commune_a)
    evaluate_readings(gauge, [reading("level", 0, 1.0, "m"), reading("level", 60, 1.3, "m")])
    evaluate_readings(gauge, [reading("level", 120, 1.48, "m")])
    assert Alert.objects.get().status == AlertStatus.OPEN


def test_falling_rate_ignores_rises(commune_a, gauge):
    """A "falling" rule opens on a fast fall, never on a rise."""
    _river_rule(commune_a, direction=Direction.FALLING)
    evaluate_readings(gauge, [reading("level", 0, 1.0, "m"), reading("level", 60, 2.0, "m")])
    assert not Alert.objects.exists()
    assert len(evaluate_readings(gauge, [reading("level", 120, 1.5, "m")])) == 1


def _battery_rule(commune, **fields):
    values = {
        "label": "Batterie faible",
        "kind": RuleKind.LOW_BATTERY,
        "battery_percent": 20,
        "hysteresis": 5.0,
        "minimum_duration_minutes": 0,
        "quantity": "",
        "threshold": None,
    }
    values.update(fields)
    return rule(commune, **values)


def test_low_battery_from_an_uplink(commune_a, operator):
    """A SenML battery reading of 15 % opens the alert; 22 % keeps it (hysteresis 5); 25 %
    closes it."""
    _battery_rule(commune_a)
    device = factories.device(
        commune_a,
        factories.profile(operator, slug="senml", model="SenML", codec_kind="network"),
        dev_eui="0024BEFFFE804FF1",
    )
    integration, _token = factories.integration(commune_a, "generic")

    def send(minutes: int, percent: float) -> None:
        records = parse_senml(
            [
                {
                    "bn": "urn:dev:eui:0024befffe804ff1:",
                    "n": "battery",
                    "u": "%",
                    "v": percent,
                    "t": at(minutes).timestamp(),
                }
            ]
        )
        ingest_records(integration=integration, dev_eui=device.dev_eui, records=records)

    send(0, 15)
    alert = Alert.objects.get()
    assert alert.kind == RuleKind.LOW_BATTERY
    assert alert.value == 15
    send(60, 22)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    send(120, 25)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED


def test_low_battery_from_a_chirpstack_status_event(commune_a, operator):
    """A ChirpStack status event with batteryLevel 12 opens the low-battery alert."""
    _battery_rule(commune_a)
    device = factories.device(commune_a, factories.profile(operator), dev_eui="0101010101010101")
    integration, _token = factories.integration(commune_a)
    message = factories.fixture_json("chirpstack_status.json")
    message["batteryLevel"] = 12
    event = parse_chirpstack("status", message)
    assert ingest_event(integration=integration, event=event).status == "stored"  # type: ignore[arg-type]
    alert = Alert.objects.get()
    assert alert.device == device
    assert alert.value == 12
    assert alert.unit == "%"
    # The fixture's own level (87.5 %), later, closes it.
    later = factories.fixture_json("chirpstack_status.json")
    later["time"] = "2022-07-19T09:40:00Z"
    ingest_event(integration=integration, event=parse_chirpstack("status", later))  # type: ignore[arg-type]
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED


def test_battery_rule_ignores_a_battery_voltage(commune_a, gauge):
    """A "battery" value in volts is not a percentage: the low-battery rule ignores it."""
    _battery_rule(commune_a)
    assert evaluate_readings(gauge, [reading("battery", 0, 3.1, "V")]) == []


def _silent_rule(commune, **fields):
    values = {
        "label": "Objet silencieux",
        "kind": RuleKind.SILENT,
        "silent_factor": 3.0,
        "minimum_duration_minutes": 0,
        "quantity": "",
        "threshold": None,
    }
    values.update(fields)
    return rule(commune, **values)


def _registered(commune, profile, number, *, interval, last_seen_minutes_ago, site=""):
    now = timezone.now()
    return Device.objects.create(
        commune=commune,
        dev_eui=f"{number:016X}",
        name=f"Objet {number}",
        profile=profile,
        expected_interval_minutes=interval,
        last_seen_at=None
        if last_seen_minutes_ago is None
        else now - timedelta(minutes=last_seen_minutes_ago),
        created_at=now - timedelta(days=2),
        site=site,
    )


def test_silent_devices_are_found_by_their_own_interval(commune_a, operator):
    """3 × 10 min: silent after 31 minutes; 3 × 60 min: not yet after 100 minutes; never
    heard and registered two days ago: silent."""
    profile = factories.profile(operator)
    _silent_rule(commune_a)
    quick = _registered(commune_a, profile, 1, interval=10, last_seen_minutes_ago=31)
    _registered(commune_a, profile, 2, interval=60, last_seen_minutes_ago=100)
    _registered(commune_a, profile, 3, interval=10, last_seen_minutes_ago=20)
    never = _registered(commune_a, profile, 4, interval=60, last_seen_minutes_ago=None)
    assert alerting.silent_devices_watch() == 2
    assert set(Alert.objects.values_list("device", flat=True)) == {quick.pk, never.pk}
    alert = Alert.objects.get(device=quick)
    assert alert.kind == RuleKind.SILENT
    assert alert.unit == "min"
    # Running again opens nothing more.
    assert alerting.silent_devices_watch() == 0
    assert Alert.objects.count() == 2


def test_silent_rule_of_a_site_watches_only_that_site(commune_a, operator):
    """A site-scoped silent rule ignores the silent devices of other sites."""
    profile = factories.profile(operator)
    _silent_rule(commune_a, scope=RuleScope.SITE, site="Station")
    station = _registered(
        commune_a, profile, 1, interval=10, last_seen_minutes_ago=60, site="Station"
    )
    _registered(commune_a, profile, 2, interval=10, last_seen_minutes_ago=60, site="École")
    assert alerting.silent_devices_watch() == 1
    assert Alert.objects.get().device == station


def test_a_silent_device_heard_again_closes_its_alert(commune_a, operator):
    """The next reading of the device closes its silent alert at ingestion; the next silence
    opens a new one."""
    profile = factories.profile(operator)
    _silent_rule(commune_a)
    device = _registered(commune_a, profile, 1, interval=10, last_seen_minutes_ago=45)
    alerting.silent_devices_watch()
    alert = Alert.objects.get()
    evaluate_readings(device, [Reading("co2", timezone.now(), 800.0, "ppm")])
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    assert alert.closed_automatically


def test_readings_of_devices_without_a_silent_alert_leave_the_silent_rule_alone(
    commune_a, operator
):
    """A silent rule's readings only close an open alert: a device heard without one has no
    state of that rule created, locked or written at ingestion (every device of a commune
    with the default rules is watched for silence)."""
    profile = factories.profile(operator)
    silent = _silent_rule(commune_a)
    quiet = _registered(commune_a, profile, 1, interval=10, last_seen_minutes_ago=45)
    heard = _registered(commune_a, profile, 2, interval=10, last_seen_minutes_ago=1)
    alerting.silent_devices_watch()
    alert = Alert.objects.get()
    evaluate_batch(
        [
            (quiet, [Reading("co2", timezone.now(), 800.0, "ppm")]),
            (heard, [Reading("co2", timezone.now(), 700.0, "ppm")]),
        ]
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    assert not AlertRuleState.objects.filter(rule=silent, device=heard).exists()


def test_the_periodic_job_closes_alerts_of_devices_heard_without_readings(commune_a, operator):
    """A device heard (last_seen_at moved) with no decodable reading: the job closes it."""
    profile = factories.profile(operator)
    _silent_rule(commune_a)
    device = _registered(commune_a, profile, 1, interval=10, last_seen_minutes_ago=45)
    alerting.silent_devices_watch()
    Device.objects.filter(pk=device.pk).update(last_seen_at=timezone.now())
    assert alerting.silent_alerts_close() == 1
    assert Alert.objects.get().status == AlertStatus.CLOSED


def test_a_silent_alert_closed_by_hand_is_not_reopened_for_the_same_silence(
    commune_a, operator, technician_a
):
    """Closing a silent alert by hand (device removed from the field) stops it for this
    silence: the next runs open nothing until the device speaks and falls silent again."""
    profile = factories.profile(operator)
    _silent_rule(commune_a)
    device = _registered(commune_a, profile, 1, interval=10, last_seen_minutes_ago=45)
    alerting.silent_devices_watch()
    alert_close(commune=commune_a, actor=technician_a, alert=Alert.objects.get())
    assert alerting.silent_devices_watch() == 0
    Device.objects.filter(pk=device.pk).update(last_seen_at=timezone.now() - timedelta(minutes=40))
    assert alerting.silent_devices_watch() == 1


def test_silent_watch_queries_do_not_grow_with_devices(
    commune_a, operator, django_assert_max_num_queries
):
    """200 silent devices among 400 are found and alerted in a fixed number of queries: a few
    selects and one bulk statement per table (SQLite splits bulk statements at its 999
    parameters, so there a few more), never one query per device."""
    profile = factories.profile(operator)
    _silent_rule(commune_a)
    for number in range(400):
        _registered(
            commune_a,
            profile,
            number + 1,
            interval=(10, 15, 60, 30)[number % 4],
            last_seen_minutes_ago=500 if number % 2 else 5,
        )
    bulk_chunks = 0 if connection.vendor == "postgresql" else 10
    with django_assert_max_num_queries(11 + bulk_chunks):
        assert alerting.silent_devices_watch() == 200
    with django_assert_max_num_queries(7):
        assert alerting.silent_devices_watch() == 0
    assert AlertRuleState.objects.count() == 200
