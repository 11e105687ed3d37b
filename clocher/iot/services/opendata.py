"""Publishing a device's quantity as open data (SensorThings API and CSV), and withdrawing it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from clocher.iot.models import Device, PublishedDatastream
from clocher.iot.models.opendata import ETALAB_LICENCE, ETALAB_LICENCE_URL


@transaction.atomic
def datastream_publish(
    *,
    device: Device,
    quantity: str,
    name: str = "",
    description: str = "",
    licence: str = ETALAB_LICENCE,
    licence_url: str = ETALAB_LICENCE_URL,
) -> PublishedDatastream:
    """Publish one quantity of a device of the commune (or update what is published about it).

    A device flagged personal (a household meter) can never be published: ValidationError.
    The quantity must be one the device's profile measures."""
    if device.is_personal:
        raise ValidationError(
            {
                "device": _(
                    "L'objet « %(name)s » relève des données personnelles (compteur d'un "
                    "foyer) : ses mesures ne peuvent pas être publiées en données ouvertes."
                )
                % {"name": device.name}
            }
        )
    quantities = device.profile.quantities or {}
    if quantity not in quantities:
        raise ValidationError(
            {
                "quantity": _(
                    "Le modèle « %(model)s » ne mesure pas « %(quantity)s » (grandeurs : "
                    "%(known)s)."
                )
                % {
                    "model": device.profile.model,
                    "quantity": quantity,
                    "known": ", ".join(sorted(quantities)) or "—",
                }
            }
        )
    licence_url = licence_url.strip()
    if licence_url:
        try:
            URLValidator(schemes=["http", "https"])(licence_url)
        except ValidationError as error:
            raise ValidationError(
                {"licence_url": _("Entrez l'adresse web (http ou https) de la licence.")}
            ) from error
    published, _created = PublishedDatastream.objects.for_commune(device.commune).update_or_create(
        device=device,
        quantity=quantity,
        defaults={
            "commune": device.commune,
            "name": name.strip() or f"{device.name} — {quantity}",
            "description": description.strip(),
            "licence": licence.strip() or ETALAB_LICENCE,
            "licence_url": licence_url,
        },
    )
    return published


@transaction.atomic
def datastream_unpublish(*, datastream: PublishedDatastream) -> None:
    """Withdraw a datastream from open data (the measurements themselves are kept)."""
    datastream.delete()
