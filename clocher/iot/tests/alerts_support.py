"""Helpers of the alerts tests: rules, readings at given minutes, the memory SMS backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from clocher.iot.models import AlertRule
from clocher.iot.models.alerts import RuleKind, RuleScope, Severity
from clocher.iot.services.ingestion import Reading

START = datetime(2024, 3, 5, 8, 0, tzinfo=UTC)
MEMORY_SMS = "clocher.iot.services.notifications.MemorySmsBackend"


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def co2(minutes: float, value: float) -> Reading:
    return Reading("co2", at(minutes), float(value), "ppm")


def reading(quantity: str, minutes: float, value: float, unit: str) -> Reading:
    return Reading(quantity, at(minutes), float(value), unit)


def rule(commune: Any, **fields: Any) -> AlertRule:
    values: dict[str, Any] = {
        "label": "Aérer maintenant",
        "kind": RuleKind.THRESHOLD_ABOVE,
        "severity": Severity.WARNING,
        "scope": RuleScope.COMMUNE,
        "quantity": "co2",
        "threshold": 1500.0,
        "hysteresis": 100.0,
        "minimum_duration_minutes": 10,
    }
    values.update(fields)
    return AlertRule.objects.create(commune=commune, **values)
