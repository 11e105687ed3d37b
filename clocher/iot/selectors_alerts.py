"""Reads of the IoT alerts, always scoped to a commune.

``open_alerts`` is the entry point other parts of Cité IoT read (the school air-quality report
reads the open "ventilate now" alerts with ``quantity="co2"``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet

from clocher.iot.models import Alert, AlertEvent, AlertRecipient, AlertRule, Device
from clocher.iot.models.alerts import ACTIVE_STATUSES, AlertStatus
from clocher.tenancy.models import Commune

# Filters of the alerts list: "" (the default) is every alert not closed.
STATUS_FILTERS = {
    "": ACTIVE_STATUSES,
    AlertStatus.OPEN.value: (AlertStatus.OPEN,),
    AlertStatus.ACKNOWLEDGED.value: (AlertStatus.ACKNOWLEDGED,),
    AlertStatus.CLOSED.value: (AlertStatus.CLOSED,),
    "all": tuple(AlertStatus),
}


def open_alerts(
    commune: Commune,
    *,
    device_ids: Iterable[int] | None = None,
    quantity: str | None = None,
) -> QuerySet[Alert]:
    """The commune's alerts not closed yet (open or acknowledged), newest first, optionally of
    some devices and of one quantity (``co2``, ``level``…)."""
    alerts = (
        Alert.objects.for_commune(commune)
        .filter(status__in=ACTIVE_STATUSES)
        .select_related("device", "rule")
    )
    if device_ids is not None:
        alerts = alerts.filter(device_id__in=list(device_ids))
    if quantity:
        alerts = alerts.filter(quantity=quantity)
    return alerts.order_by("-opened_at", "-pk")


def alerts_of_commune(
    commune: Commune,
    *,
    status: str = "",
    severity: str = "",
    device: Device | None = None,
) -> QuerySet[Alert]:
    alerts = Alert.objects.for_commune(commune).filter(
        status__in=STATUS_FILTERS.get(status, ACTIVE_STATUSES)
    )
    if severity:
        alerts = alerts.filter(severity=severity)
    if device is not None:
        alerts = alerts.filter(device=device)
    return alerts.select_related("device", "acknowledged_by", "closed_by").order_by(
        "-opened_at", "-pk"
    )


def alert_history(alert: Alert) -> QuerySet[AlertEvent]:
    return (
        AlertEvent.objects.for_commune(alert.commune)
        .filter(alert=alert)
        .select_related("actor")
        .order_by("at", "pk")
    )


def open_alert_counts(commune: Commune, *, device: Device | None = None) -> dict[str, int]:
    """How many alerts are open / acknowledged (one query)."""
    alerts = Alert.objects.for_commune(commune).filter(status__in=ACTIVE_STATUSES)
    if device is not None:
        alerts = alerts.filter(device=device)
    counts = alerts.aggregate(
        open=Count("pk", filter=Q(status=AlertStatus.OPEN)),
        acknowledged=Count("pk", filter=Q(status=AlertStatus.ACKNOWLEDGED)),
        critical=Count("pk", filter=Q(severity="critical")),
    )
    return {key: int(value or 0) for key, value in counts.items()}


def rules_of_commune(commune: Commune) -> QuerySet[AlertRule]:
    return (
        AlertRule.objects.for_commune(commune)
        .select_related("device", "profile")
        .annotate(active_alerts=Count("alerts", filter=Q(alerts__status__in=ACTIVE_STATUSES)))
        .order_by("-is_active", "label", "pk")
    )


def recipients_of_commune(commune: Commune) -> QuerySet[AlertRecipient]:
    return (
        AlertRecipient.objects.for_commune(commune)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def members_of_commune(commune: Commune) -> QuerySet[Any]:
    """The people holding a role in the commune (each once), for the on-duty list."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(memberships__commune=commune, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


def quantities_of_commune(commune: Commune) -> list[str]:
    """The quantities the commune's devices measure (from their profiles), for the rules form."""
    from clocher.iot.models import DeviceProfile

    names: set[str] = set()
    profiles = DeviceProfile.objects.filter(
        pk__in=Device.objects.for_commune(commune).values("profile_id")
    )
    for quantities in profiles.values_list("quantities", flat=True):
        if isinstance(quantities, dict):
            names.update(str(name) for name in quantities)
    return sorted(names)
