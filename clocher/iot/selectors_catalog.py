"""Reads of the profile catalogue (operator console, each commune's adoptions) and of a
commune's open-data publishing page. Commune reads are always scoped to the commune."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from clocher.iot.dashboards import _quantity_rank
from clocher.iot.models import Device, DeviceProfile, ProfileAdoption, PublishedDatastream
from clocher.tenancy.models import Commune, Operator

# --- Operator console --------------------------------------------------------------------------


def operator_profiles(operator: Operator) -> QuerySet[DeviceProfile]:
    """The operator's profiles, each with ``device_count`` (every commune) and
    ``adoption_count`` (communes that adopted it)."""
    devices = (
        Device.objects.filter(profile=OuterRef("pk"))
        .order_by()
        .values("profile")
        .annotate(total=Count("pk"))
        .values("total")
    )
    adoptions = (
        ProfileAdoption.objects.filter(profile=OuterRef("pk"))
        .order_by()
        .values("profile")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return (
        DeviceProfile.objects.filter(operator=operator)
        .annotate(
            device_count=Coalesce(Subquery(devices, output_field=IntegerField()), 0),
            adoption_count=Coalesce(Subquery(adoptions, output_field=IntegerField()), 0),
        )
        .order_by("model", "slug")
    )


def operator_profile(operator: Operator, slug: str) -> DeviceProfile | None:
    return operator_profiles(operator).filter(slug=slug).first()


# --- A commune's adoptions ---------------------------------------------------------------------


def adopted_profiles(commune: Commune) -> QuerySet[DeviceProfile]:
    """The profiles the commune adopted (offered when a device is registered or edited)."""
    adopted = ProfileAdoption.objects.for_commune(commune).values("profile_id")
    return DeviceProfile.objects.filter(
        operator_id=commune.operator_id, pk__in=Subquery(adopted)
    ).order_by("model", "slug")


def published_profile_of_commune(commune: Commune, profile_id: object) -> DeviceProfile | None:
    """A profile the commune's operator publishes, by id (any malformed id: None)."""
    try:
        number = int(str(profile_id))
    except (TypeError, ValueError):
        return None
    return DeviceProfile.objects.filter(
        operator_id=commune.operator_id, is_published=True, pk=number
    ).first()


@dataclass
class CommuneProfileRow:
    profile: DeviceProfile
    adoption: ProfileAdoption | None
    device_count: int

    @property
    def quantities(self) -> list[tuple[str, str]]:
        return sorted(
            (self.profile.quantities or {}).items(), key=lambda item: _quantity_rank(item[0])
        )


def commune_profile_rows(commune: Commune) -> list[CommuneProfileRow]:
    """The profiles the operator publishes and those the commune adopted (even if withdrawn
    since), each with the commune's adoption and how many of its devices use it: three
    queries whatever the number of profiles."""
    adoptions = {
        adoption.profile_id: adoption
        for adoption in ProfileAdoption.objects.for_commune(commune).select_related("adopted_by")
    }
    counts = dict(
        Device.objects.for_commune(commune)
        .order_by()
        .values("profile_id")
        .annotate(total=Count("pk"))
        .values_list("profile_id", "total")
    )
    profiles = DeviceProfile.objects.filter(operator_id=commune.operator_id).filter(
        Q(is_published=True) | Q(pk__in=list(adoptions)) | Q(pk__in=list(counts))
    )
    return [
        CommuneProfileRow(profile, adoptions.get(profile.pk), counts.get(profile.pk, 0))
        for profile in profiles.order_by("model", "slug")
    ]


# --- Open data publishing page -----------------------------------------------------------------


@dataclass
class DatastreamRow:
    device: Device
    quantity: str
    unit: str
    published: PublishedDatastream | None = None
    links: dict[str, str] | None = None  # public addresses, set by the view


@dataclass
class DeviceDatastreams:
    device: Device
    rows: list[DatastreamRow] = field(default_factory=list)


def devices_for_opendata(commune: Commune) -> QuerySet[Device]:
    return Device.objects.for_commune(commune).select_related("profile").order_by("name", "pk")


def datastream_rows(commune: Commune, devices: Sequence[Device]) -> list[DeviceDatastreams]:
    """One row per quantity of each device's profile, with what is published of it: one query
    for the published datastreams of all ``devices``."""
    published: dict[tuple[int, str], PublishedDatastream] = {}
    if devices:
        for stream in PublishedDatastream.objects.for_commune(commune).filter(
            device_id__in=[device.pk for device in devices]
        ):
            published[(stream.device_id, stream.quantity)] = stream
    result = []
    for device in devices:
        units = device.profile.quantities or {}
        names = sorted(
            set(units)
            | {quantity for (device_id, quantity) in published if device_id == device.pk},
            key=_quantity_rank,
        )
        result.append(
            DeviceDatastreams(
                device,
                [
                    DatastreamRow(
                        device, name, str(units.get(name, "")), published.get((device.pk, name))
                    )
                    for name in names
                ],
            )
        )
    return result


def published_datastream_of(
    commune: Commune, device: Device, quantity: str
) -> PublishedDatastream | None:
    return (
        PublishedDatastream.objects.for_commune(commune)
        .filter(device=device, quantity=quantity)
        .first()
    )
