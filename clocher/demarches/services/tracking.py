"""Tracking numbers and the secret of the tracking link."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clocher.demarches.models import RequestCounter
from clocher.tenancy.models import Commune


def new_token() -> str:
    """A secret for a tracking or draft link: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def next_request_number(commune: Commune) -> str:
    """``2026-00042``: the year of receipt and a counter per commune and year, never reused.

    Must run inside the submission's transaction (the counter row is locked until it ends).
    """
    year = timezone.localdate().year
    with transaction.atomic():
        counter, _created = RequestCounter.objects.select_for_update().get_or_create(
            commune=commune, year=year
        )
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{year}-{counter.last:05d}"


def tracking_path(commune: Commune, token: str) -> str:
    return reverse("public:demarches:track", kwargs={"commune_slug": commune.slug, "token": token})
