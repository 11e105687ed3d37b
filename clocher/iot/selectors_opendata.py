"""Reads of the open data (SensorThings API): only published datastreams of devices that are
not personal, always within one commune."""

from __future__ import annotations

from django.db.models import Exists, IntegerField, OuterRef, QuerySet, Subquery, Value

from clocher.iot.models import Device, DeviceProfile, Measurement, PublishedDatastream
from clocher.tenancy.models import Commune


def published_datastreams(commune: Commune) -> QuerySet[PublishedDatastream]:
    """The commune's published datastreams, devices flagged personal left out, by id."""
    return (
        PublishedDatastream.objects.for_commune(commune)
        .filter(device__is_personal=False)
        .select_related("device", "device__profile")
        .order_by("pk")
    )


def published_devices(commune: Commune) -> QuerySet[Device]:
    """The commune's devices with at least one published datastream (SensorThings Things)."""
    return (
        Device.objects.for_commune(commune)
        .filter(is_personal=False)
        .filter(Exists(published_datastreams(commune).filter(device=OuterRef("pk"))))
        .select_related("profile")
        .order_by("pk")
    )


def published_profiles(commune: Commune) -> QuerySet[DeviceProfile]:
    """The device profiles of the published devices (SensorThings Sensors)."""
    devices = published_devices(commune)
    return DeviceProfile.objects.filter(Exists(devices.filter(profile=OuterRef("pk")))).order_by(
        "pk"
    )


def published_observations(
    commune: Commune, datastream: PublishedDatastream | None = None
) -> QuerySet[Measurement]:
    """The measurements of the commune's published datastreams (or of one), each annotated with
    its ``datastream_id``; unordered."""
    measurements = Measurement.objects.for_commune(commune)
    if datastream is not None:
        return measurements.filter(
            device_id=datastream.device_id, quantity=datastream.quantity
        ).annotate(datastream_id=Value(datastream.pk, output_field=IntegerField()))
    streams = published_datastreams(commune).filter(
        device=OuterRef("device"), quantity=OuterRef("quantity")
    )
    return measurements.annotate(datastream_id=Subquery(streams.values("pk")[:1])).filter(
        datastream_id__isnull=False
    )
