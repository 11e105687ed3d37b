"""Background work of Cité IoT (run by ``clocher worker``): alert notifications and the periodic
watch of alerts (silent devices, escalations to the mayor, digests held by the quiet hours)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from clocher.core.scheduling import periodic


@task()
def notify_alerts(alert_ids: list[int]) -> int:
    """Notify the people on duty of newly opened alerts (once each); returns how many."""
    from clocher.iot.services import notifications

    return notifications.alerts_notify(alert_ids)


@periodic(name="iot.watch_alerts", every=timedelta(minutes=15))
@task()
def watch_alerts() -> dict[str, int]:
    """Every quarter of an hour: close the silent alerts of devices heard again, open those of
    devices now silent, escalate unacknowledged critical alerts to the elected members, send the
    digests held by the quiet hours and the notifications left pending."""
    from clocher.iot.services import alerting, notifications

    return {
        "silent_closed": alerting.silent_alerts_close(),
        "silent_opened": alerting.silent_devices_watch(),
        "escalated": notifications.escalations_send(),
        "released": notifications.held_notifications_release(),
        "retried": notifications.pending_notifications_retry(),
    }
