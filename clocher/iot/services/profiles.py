"""Device profiles published by the operator."""

from __future__ import annotations

from django.db import transaction

from clocher.iot.codecs.builtin import BUILTIN_DECODERS
from clocher.iot.models import DeviceProfile
from clocher.iot.models.devices import CodecKind
from clocher.tenancy.models import Operator


@transaction.atomic
def profiles_load(*, operator: Operator) -> list[DeviceProfile]:
    """One profile per built-in decoder for ``operator``, created or brought up to date.

    Running it again changes nothing; a profile's commands, set by the operator, are kept."""
    profiles = []
    for slug, decoder in sorted(BUILTIN_DECODERS.items()):
        profile, _created = DeviceProfile.objects.update_or_create(
            operator=operator,
            slug=slug,
            defaults={
                "model": decoder.model,
                "codec_kind": CodecKind.BUILTIN,
                "builtin_codec": slug,
                "quantities": dict(decoder.quantities),
            },
        )
        profiles.append(profile)
    return profiles
