"""Notifications: e-mail and SMS to the people on duty, once; quiet hours and their digest;
escalation to the elected members; the SMS providers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from clocher.core.scheduling import jobs
from clocher.iot import tasks
from clocher.iot.models import Alert, AlertEvent
from clocher.iot.models.alerts import AlertStatus, NotificationState, Severity
from clocher.iot.services import notifications
from clocher.iot.services.alerting import (
    alert_acknowledge,
    alert_recipient_save,
    alert_settings_update,
    evaluate_readings,
)
from clocher.iot.services.notifications import (
    MemorySmsBackend,
    OutboxSmsBackend,
    SmsMessage,
    alerts_notify,
    escalations_send,
    held_notifications_release,
    normalise_phone,
)
from clocher.iot.tests import factories
from clocher.iot.tests.alerts_support import MEMORY_SMS, co2, reading, rule

pytestmark = pytest.mark.django_db

PARIS_23H = datetime(2024, 3, 5, 22, 0, tzinfo=UTC)  # 23:00 in Paris (winter time)
PARIS_10H = datetime(2024, 3, 5, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _memory_sms():
    MemorySmsBackend.outbox.clear()
    with override_settings(SMS_BACKEND=MEMORY_SMS):
        yield
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def classroom(commune_a, operator):
    device = factories.device(commune_a, factories.profile(operator))
    device.name = "CO2 salle 3"
    device.site = "École"
    device.save()
    return device


@pytest.fixture
def on_duty(commune_a, agent_a, technician_a):
    """The agent by e-mail and SMS from warnings; the technician by e-mail, critical only."""
    alert_recipient_save(
        commune=commune_a,
        user=agent_a,
        by_email=True,
        by_sms=True,
        phone="06 12 34 56 78",
        minimum_severity=Severity.WARNING,
    )
    alert_recipient_save(
        commune=commune_a,
        user=technician_a,
        by_email=True,
        by_sms=False,
        phone="",
        minimum_severity=Severity.CRITICAL,
    )
    return {"agent": agent_a, "technician": technician_a}


def _open(commune, device, **fields):
    rule(commune, minimum_duration_minutes=0, **fields)
    [alert] = evaluate_readings(device, [co2(0, 1600)])
    return alert


def test_opening_enqueues_the_notification_task_on_commit(
    commune_a, classroom, django_capture_on_commit_callbacks
):
    """The notification is a task queued once the ingestion transaction commits."""
    with django_capture_on_commit_callbacks(execute=True):
        alert = _open(commune_a, classroom)
    [queued] = DBTaskResult.objects.filter(task_path=tasks.notify_alerts.module_path)
    assert queued.args_kwargs["args"] == [[alert.pk]]


def test_each_person_on_duty_gets_one_email_and_sms(commune_a, classroom, on_duty):
    """A warning goes to the agent (e-mail + SMS), not to the technician (critical only)."""
    alert = _open(commune_a, classroom)
    assert alerts_notify([alert.pk], now=PARIS_10H) == 1
    [message] = mail.outbox
    assert message.to == [on_duty["agent"].email]
    assert message.subject == "[Agey] Avertissement : Aérer maintenant — CO2 salle 3"
    assert "Valeur : 1600 ppm" in message.body
    assert "Site : École" in message.body
    assert f"/mairie/agey/iot/alertes/{alert.pk}/" in message.body
    [sms] = MemorySmsBackend.outbox
    assert sms.to == "+33612345678"
    assert sms.body.startswith("Agey — Avertissement : Aérer maintenant, CO2 salle 3 : 1600 ppm.")
    alert.refresh_from_db()
    assert alert.notification == NotificationState.SENT
    assert alert.notified_at == PARIS_10H
    event = AlertEvent.objects.get(alert=alert, kind="notified")
    assert event.text == "Courriel : 1 destinataire(s) ; SMS : 1 destinataire(s)."


def test_a_critical_alert_reaches_both(commune_a, classroom, on_duty):
    """A critical alert goes to both people, one e-mail each (nobody sees the other)."""
    alert = _open(commune_a, classroom, severity=Severity.CRITICAL)
    alerts_notify([alert.pk], now=PARIS_10H)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [on_duty["agent"].email, on_duty["technician"].email]
    )
    assert all(len(message.to) == 1 for message in mail.outbox)


def test_an_alert_is_notified_only_once(commune_a, classroom, on_duty):
    """A second call, and the alert reopened within the cool-down, send nothing more."""
    alert = _open(commune_a, classroom)
    alerts_notify([alert.pk], now=PARIS_10H)
    assert alerts_notify([alert.pk], now=PARIS_10H) == 0
    evaluate_readings(classroom, [co2(5, 1200)])  # closes
    assert evaluate_readings(classroom, [co2(10, 1700)]) == []  # reopens, same alert
    assert alerts_notify([alert.pk], now=PARIS_10H) == 0
    assert len(mail.outbox) == 1
    assert len(MemorySmsBackend.outbox) == 1


def test_nobody_on_duty(commune_a, classroom):
    """Without anybody on duty the alert is marked so and nothing is sent."""
    alert = _open(commune_a, classroom)
    assert alerts_notify([alert.pk], now=PARIS_10H) == 0
    alert.refresh_from_db()
    assert alert.notification == NotificationState.NOBODY
    assert mail.outbox == []


def test_quiet_hours_hold_a_warning_until_the_morning_digest(commune_a, classroom, on_duty):
    """At 23:00 a warning is held until 07:00; at 06:59 nothing leaves; at 07:05 the agent
    gets one digest of the two held alerts."""
    first = _open(commune_a, classroom)
    other = factories.device(commune_a, classroom.profile, dev_eui="0000000000000002")
    [second] = evaluate_readings(other, [co2(0, 1800)])
    assert alerts_notify([first.pk, second.pk], now=PARIS_23H) == 0
    assert mail.outbox == []
    first.refresh_from_db()
    assert first.notification == NotificationState.HELD
    assert first.held_until == datetime(2024, 3, 6, 6, 0, tzinfo=UTC)  # 07:00 in Paris
    assert AlertEvent.objects.filter(alert=first, kind="held").exists()
    assert held_notifications_release(now=datetime(2024, 3, 6, 5, 59, tzinfo=UTC)) == 0
    assert held_notifications_release(now=datetime(2024, 3, 6, 6, 5, tzinfo=UTC)) == 2
    [digest] = mail.outbox
    assert digest.to == [on_duty["agent"].email]
    assert digest.subject == ("[Agey] Récapitulatif : 2 alerte(s) pendant les heures de silence")
    assert digest.body.count("Alerte : Aérer maintenant") == 2
    [sms] = MemorySmsBackend.outbox
    assert "2 alerte(s) pendant les heures de silence, dont 2 encore ouverte(s)" in sms.body
    # Released once.
    assert held_notifications_release(now=datetime(2024, 3, 6, 7, 0, tzinfo=UTC)) == 0
    assert len(mail.outbox) == 1


def test_quiet_hours_let_critical_alerts_through(commune_a, classroom, on_duty):
    """At 23:00 a critical alert is sent at once."""
    alert = _open(commune_a, classroom, severity=Severity.CRITICAL)
    assert alerts_notify([alert.pk], now=PARIS_23H) == 1
    assert len(mail.outbox) == 2


def test_quiet_hours_can_be_changed_or_removed(commune_a, classroom, on_duty):
    """Without quiet hours a warning at 23:00 is sent at once."""
    alert_settings_update(
        commune=commune_a, quiet_hours_start=None, quiet_hours_end=None, cool_down_minutes=30
    )
    alert = _open(commune_a, classroom)
    assert alerts_notify([alert.pk], now=PARIS_23H) == 1


def test_is_quiet_across_midnight_and_daytime_ranges():
    """22:00–07:00 spans midnight; 12:00–14:00 does not."""
    from datetime import time

    is_quiet = notifications.is_quiet
    assert is_quiet(PARIS_23H, time(22), time(7))
    assert is_quiet(datetime(2024, 3, 6, 5, 59, tzinfo=UTC), time(22), time(7))
    assert not is_quiet(datetime(2024, 3, 6, 6, 0, tzinfo=UTC), time(22), time(7))
    assert not is_quiet(PARIS_23H, time(12), time(14))
    assert is_quiet(datetime(2024, 3, 6, 12, 0, tzinfo=UTC), time(12), time(14))
    assert not is_quiet(PARIS_23H, None, None)


def test_pending_notifications_are_retried(commune_a, classroom, on_duty):
    """An alert left pending (the task never ran) is notified by the periodic job."""
    alert = _open(commune_a, classroom)
    Alert.objects.filter(pk=alert.pk).update(opened_at=PARIS_10H - timedelta(minutes=10))
    assert notifications.pending_notifications_retry(now=PARIS_10H) == 1
    assert len(mail.outbox) == 1


def test_a_failing_mail_server_releases_the_claim(commune_a, classroom, on_duty):
    """When sending fails the alert stays pending, to be retried."""
    alert = _open(commune_a, classroom)
    with override_settings(EMAIL_BACKEND="clocher.iot.tests.test_alerts_notifications.Broken"):
        assert alerts_notify([alert.pk], now=PARIS_10H) == 0
    alert.refresh_from_db()
    assert alert.notification == NotificationState.PENDING
    assert alerts_notify([alert.pk], now=PARIS_10H) == 1


class Broken:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")


class FailingSms:
    def send_messages(self, messages):
        raise notifications.SmsError("provider down")


def test_a_failing_sms_provider_does_not_stop_the_email(commune_a, classroom, on_duty):
    """The SMS provider failing is logged; the e-mail leaves and the history says 0 SMS."""
    alert = _open(commune_a, classroom)
    with override_settings(SMS_BACKEND="clocher.iot.tests.test_alerts_notifications.FailingSms"):
        assert alerts_notify([alert.pk], now=PARIS_10H) == 1
    assert len(mail.outbox) == 1
    event = AlertEvent.objects.get(alert=alert, kind="notified")
    assert event.text == "Courriel : 1 destinataire(s) ; SMS : 0 destinataire(s)."


def test_outbox_sms_backend_writes_a_json_line(tmp_path):
    """The default provider calls no service: one JSON line per message in the day's file."""
    backend = OutboxSmsBackend(directory=tmp_path)
    assert backend.send_messages([SmsMessage("+33612345678", "Crue", 7)]) == 1
    [day] = tmp_path.iterdir()
    record = json.loads(day.read_text().strip())
    assert record["to"] == "+33612345678"
    assert record["body"] == "Crue"
    assert record["commune_id"] == 7


def test_the_sms_provider_comes_from_the_setting():
    """By default (CLOCHER_SMS_BACKEND unset) the outbox provider; the setting picks another."""
    from clocher.config import settings as configured

    assert configured.SMS_BACKEND == "clocher.iot.services.notifications.OutboxSmsBackend"
    with override_settings(SMS_BACKEND=configured.SMS_BACKEND):
        assert isinstance(notifications.sms_backend(), OutboxSmsBackend)
    assert isinstance(notifications.sms_backend(), MemorySmsBackend)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("07.12.34.56.78", "+33712345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("+32 470 12 34 56", "+32470123456"),
    ],
)
def test_phone_numbers_are_normalised(typed, stored):
    """French and international numbers are stored in E.164."""
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12", "06 12 34", "abc", "+0612345678"])
def test_wrong_phone_numbers_are_refused(typed):
    """A number that cannot be a mobile number is refused with a message on the field."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        normalise_phone(typed)
    assert "phone" in error.value.message_dict


def _river_alert(commune, gauge):
    rule(
        commune,
        label="Crue",
        kind="rate_of_change",
        severity=Severity.CRITICAL,
        quantity="level",
        threshold=None,
        max_change_per_hour=0.2,
        direction="rising",
        hysteresis=0.05,
        minimum_duration_minutes=0,
        escalate_after_minutes=30,
    )
    evaluate_readings(gauge, [reading("level", 0, 1.0, "m")])
    [alert] = evaluate_readings(gauge, [reading("level", 60, 1.5, "m")])
    return alert


def test_unacknowledged_critical_alert_is_escalated_to_the_mayor(
    commune_a, operator, elected_a, on_duty
):
    """The river rising fast, nobody acknowledging for 30 minutes: the elected member is
    e-mailed once, and the history says so."""
    gauge = factories.device(commune_a, factories.profile(operator), dev_eui="0101010101010101")
    alert = _river_alert(commune_a, gauge)
    assert alert.escalate_at == alert.opened_at + timedelta(minutes=30)
    assert escalations_send(now=alert.opened_at + timedelta(minutes=29)) == 0
    assert escalations_send(now=alert.opened_at + timedelta(minutes=31)) == 1
    [message] = mail.outbox
    assert message.to == [elected_a.email]
    assert message.subject == "[Agey] Alerte critique non prise en compte : Crue"
    assert "ouverte depuis 31 minutes" in message.body
    event = AlertEvent.objects.get(alert=alert, kind="escalated")
    assert str(elected_a) in event.text
    assert escalations_send(now=alert.opened_at + timedelta(minutes=60)) == 0
    assert len(mail.outbox) == 1


def test_an_acknowledged_alert_is_not_escalated(commune_a, operator, elected_a, agent_a):
    """Taking the alert into account in time stops the escalation."""
    gauge = factories.device(commune_a, factories.profile(operator), dev_eui="0101010101010101")
    alert = _river_alert(commune_a, gauge)
    alert_acknowledge(commune=commune_a, actor=agent_a, alert=alert)
    assert escalations_send(now=alert.opened_at + timedelta(hours=2)) == 0
    assert mail.outbox == []
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED


def test_escalation_also_texts_an_elected_member_on_duty_by_sms(commune_a, operator, elected_a):
    """An elected member on the on-duty list with a mobile number also gets an SMS."""
    alert_recipient_save(
        commune=commune_a,
        user=elected_a,
        by_email=True,
        by_sms=True,
        phone="0611111111",
        minimum_severity=Severity.CRITICAL,
    )
    gauge = factories.device(commune_a, factories.profile(operator), dev_eui="0101010101010101")
    alert = _river_alert(commune_a, gauge)
    escalations_send(now=alert.opened_at + timedelta(minutes=45))
    assert [sms.to for sms in MemorySmsBackend.outbox] == ["+33611111111"]


def test_the_watch_job_runs_every_quarter_of_an_hour(commune_a):
    """The periodic job is registered every 15 minutes and runs its five steps."""
    [job] = [job for job in jobs() if job.name == "iot.watch_alerts"]
    assert job.every == timedelta(minutes=15)
    assert job.task is tasks.watch_alerts
    assert tasks.watch_alerts.call() == {
        "silent_closed": 0,
        "silent_opened": 0,
        "escalated": 0,
        "released": 0,
        "retried": 0,
    }
