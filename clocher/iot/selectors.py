"""Reads of Cité IoT, always scoped to a commune."""

from __future__ import annotations

import datetime
import re

from django.db.models import QuerySet

from clocher.iot.models import Device, Measurement
from clocher.tenancy.models import Commune

_DEV_EUI = re.compile(r"^[0-9A-Fa-f]{16}$")


def device_of_commune(commune: Commune, dev_eui: str) -> Device | None:
    """The commune's device of that DevEUI (any case), or None."""
    if not _DEV_EUI.match(dev_eui or ""):
        return None
    return Device.objects.for_commune(commune).filter(dev_eui=dev_eui.upper()).first()


def measurements_of_device(
    device: Device,
    *,
    quantity: str | None = None,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
) -> QuerySet[Measurement]:
    """The device's measurements in ``[start, end)``, oldest first, in a stable order."""
    measurements = Measurement.objects.for_commune(device.commune).filter(device=device)
    if quantity:
        measurements = measurements.filter(quantity=quantity)
    if start is not None:
        measurements = measurements.filter(time__gte=start)
    if end is not None:
        measurements = measurements.filter(time__lt=end)
    return measurements.order_by("time", "quantity", "pk")
