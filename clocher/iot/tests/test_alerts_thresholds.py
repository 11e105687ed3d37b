"""Threshold rules: minimum duration, hysteresis, late readings, cool-down, closing by hand."""

from __future__ import annotations

import base64

import pytest

from clocher.iot.models import Alert, AlertEvent, AlertRuleState
from clocher.iot.models.alerts import AlertStatus, RuleKind
from clocher.iot.services.alerting import alert_close, evaluate_readings
from clocher.iot.services.ingestion import ingest
from clocher.iot.tests import factories
from clocher.iot.tests.alerts_support import co2, reading, rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def classroom(commune_a, operator):
    return factories.device(commune_a, factories.profile(operator))


def _status(alert_rule, device):
    return list(
        Alert.objects.filter(rule=alert_rule, device=device).values_list("status", flat=True)
    )


def test_opens_only_once_the_condition_lasted_the_minimum_duration(commune_a, classroom):
    """Above 1,500 ppm at 0, 5 and 9 minutes: nothing; still above at 10 minutes: one alert."""
    ventilate = rule(commune_a)
    assert evaluate_readings(classroom, [co2(0, 1600), co2(5, 1700), co2(9, 1650)]) == []
    assert not Alert.objects.exists()
    [opened] = evaluate_readings(classroom, [co2(10, 1620)])
    opened.refresh_from_db()
    assert opened.status == AlertStatus.OPEN
    assert opened.value == 1620
    assert opened.unit == "ppm"
    assert opened.triggered_at == co2(10, 0).time
    assert opened.label == "Aérer maintenant"
    state = AlertRuleState.objects.get(rule=ventilate, device=classroom)
    assert state.alert_id == opened.pk
    assert state.condition_since == co2(0, 0).time
    event = AlertEvent.objects.get(alert=opened)
    assert event.kind == "opened"
    assert event.text == "Valeur 1620 ppm (seuil 1500 ppm)."


def test_a_dip_below_the_threshold_restarts_the_minimum_duration(commune_a, classroom):
    """1,600 then 1,450 (below the threshold) then 1,600 again: the ten minutes start over."""
    rule(commune_a)
    evaluate_readings(classroom, [co2(0, 1600), co2(8, 1450), co2(12, 1600)])
    assert not Alert.objects.exists()
    assert evaluate_readings(classroom, [co2(21, 1600)]) == []
    assert len(evaluate_readings(classroom, [co2(22, 1600)])) == 1


def test_closes_only_below_threshold_minus_hysteresis(commune_a, classroom):
    """Open at 1,600; 1,450 keeps it open (within the 100 ppm hysteresis); 1,400 closes it."""
    ventilate = rule(commune_a, minimum_duration_minutes=0)
    [alert] = evaluate_readings(classroom, [co2(0, 1600)])
    evaluate_readings(classroom, [co2(5, 1450), co2(10, 1499)])
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    evaluate_readings(classroom, [co2(15, 1400)])
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    assert alert.closed_automatically is True
    assert alert.closed_by is None
    kinds = list(AlertEvent.objects.filter(alert=alert).values_list("kind", flat=True))
    assert kinds == ["opened", "closed"]
    state = AlertRuleState.objects.get(rule=ventilate, device=classroom)
    assert state.alert_id is None
    assert state.last_alert_id == alert.pk


def test_threshold_below(commune_a, classroom):
    """A "below" rule on temperature: opens under 12 °C, closes at 12 + 1 °C."""
    rule(
        commune_a,
        kind=RuleKind.THRESHOLD_BELOW,
        quantity="temperature",
        threshold=12.0,
        hysteresis=1.0,
        minimum_duration_minutes=0,
        label="Hors gel",
    )
    cold = evaluate_readings(classroom, [reading("temperature", 0, 11.5, "°C")])
    assert len(cold) == 1
    evaluate_readings(classroom, [reading("temperature", 10, 12.5, "°C")])
    assert Alert.objects.get().status == AlertStatus.OPEN
    evaluate_readings(classroom, [reading("temperature", 20, 13.0, "°C")])
    assert Alert.objects.get().status == AlertStatus.CLOSED


def test_other_quantities_are_not_evaluated(commune_a, classroom):
    """A CO2 rule ignores temperatures, whatever their value."""
    rule(commune_a, minimum_duration_minutes=0)
    assert evaluate_readings(classroom, [reading("temperature", 0, 5000, "°C")]) == []
    assert not AlertRuleState.objects.exists()


def test_late_readings_neither_reopen_nor_close(commune_a, classroom):
    """Once 10:30 is evaluated, readings of 10:00–10:29 arriving late change nothing."""
    ventilate = rule(commune_a, minimum_duration_minutes=0)
    [alert] = evaluate_readings(classroom, [co2(30, 1700)])
    evaluate_readings(classroom, [co2(10, 400), co2(20, 300)])  # late, low: would close
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    evaluate_readings(classroom, [co2(40, 400)])
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    evaluate_readings(classroom, [co2(35, 2000)])  # late, high: would reopen
    assert _status(ventilate, classroom) == ["closed"]
    state = AlertRuleState.objects.get(rule=ventilate, device=classroom)
    assert state.last_evaluated_at == co2(40, 0).time


def test_readings_of_one_batch_are_taken_in_time_order(commune_a, classroom):
    """Readings given out of order are evaluated oldest first."""
    rule(commune_a)
    opened = evaluate_readings(classroom, [co2(10, 1600), co2(0, 1600)])
    assert len(opened) == 1


def test_flapping_within_the_cool_down_reopens_the_same_alert(commune_a, classroom):
    """Closed automatically, then above again 10 minutes later (cool-down 30 min): the same
    alert is reopened, no second alert and no second notification."""
    rule(commune_a, minimum_duration_minutes=0)
    [alert] = evaluate_readings(classroom, [co2(0, 1600)])
    evaluate_readings(classroom, [co2(5, 1300)])
    assert evaluate_readings(classroom, [co2(15, 1700)]) == []
    assert Alert.objects.count() == 1
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    assert alert.closed_at is None
    kinds = list(AlertEvent.objects.filter(alert=alert).values_list("kind", flat=True))
    assert kinds == ["opened", "closed", "reopened"]


def test_after_the_cool_down_a_new_alert_opens(commune_a, classroom):
    """Above again 45 minutes after closing (cool-down 30 min): a new alert."""
    rule(commune_a, minimum_duration_minutes=0)
    evaluate_readings(classroom, [co2(0, 1600), co2(5, 1300)])
    assert len(evaluate_readings(classroom, [co2(50, 1700)])) == 1
    assert list(Alert.objects.order_by("pk").values_list("status", flat=True)) == [
        "closed",
        "open",
    ]


def test_open_and_close_within_one_batch(commune_a, classroom):
    """A batch that opens then clears writes one closed alert with its two events."""
    rule(commune_a, minimum_duration_minutes=0)
    opened = evaluate_readings(classroom, [co2(0, 1600), co2(5, 1200)])
    assert len(opened) == 1
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.CLOSED
    assert AlertEvent.objects.filter(alert=alert).count() == 2
    assert AlertRuleState.objects.get().last_alert_id == alert.pk


def test_closed_by_hand_while_high_stays_quiet_until_the_condition_clears(
    commune_a, classroom, agent_a
):
    """An agent closes the alert while CO2 is still high: no new alert while it stays high,
    even past the cool-down; once it has cleared, the next excess opens a new alert."""
    rule(commune_a, minimum_duration_minutes=0)
    [alert] = evaluate_readings(classroom, [co2(0, 1600)])
    alert_close(commune=commune_a, actor=agent_a, alert=alert, text="Fenêtres ouvertes")
    assert evaluate_readings(classroom, [co2(10, 1700), co2(120, 1800)]) == []
    evaluate_readings(classroom, [co2(130, 900)])
    assert len(evaluate_readings(classroom, [co2(140, 1600)])) == 1
    alert.refresh_from_db()
    assert alert.closed_by == agent_a
    assert alert.closed_automatically is False


def test_real_uplinks_open_the_alert_through_ingestion(commune_a, classroom):
    """Elsys frames sent through the ChirpStack pipeline open the alert at the right time."""
    rule(commune_a)
    integration, _token = factories.integration(commune_a)

    def send(time: str, ppm: int) -> None:
        frame = base64.b64encode(bytes([0x06, ppm >> 8, ppm & 0xFF])).decode()
        result = ingest(
            integration=integration, message=factories.chirpstack_uplink(time=time, data=frame)
        )
        assert result.status == "stored"

    send("2024-03-05T08:00:00Z", 1600)
    send("2024-03-05T08:05:00Z", 1650)
    assert not Alert.objects.exists()
    send("2024-03-05T08:10:00Z", 1700)
    alert = Alert.objects.get()
    assert alert.value == 1700
    assert alert.device == classroom
    send("2024-03-05T08:20:00Z", 1350)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED


def test_a_rule_of_another_commune_does_not_apply(commune_a, commune_b, classroom):
    """Commune B's rule never evaluates commune A's devices."""
    rule(commune_b, minimum_duration_minutes=0)
    assert evaluate_readings(classroom, [co2(0, 5000)]) == []
    assert not AlertRuleState.objects.exists()
