"""Tracking numbers and the secret of the tracking link."""

from __future__ import annotations

import hashlib
import secrets

from django.db import connection, transaction
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

    On PostgreSQL the counter is a sequence per commune and year: ``nextval`` takes no row lock,
    so simultaneous submissions do not wait for each other's commit (a counter row locked until
    commit would cap a commune at one submission per disk flush). A number taken by a submission
    that then fails is skipped, never given twice. On SQLite, which has one writer at a time
    anyway, a counter row (:class:`RequestCounter`) does the same job.
    """
    year = timezone.localdate().year
    if connection.vendor == "postgresql":
        return f"{year}-{_sequence_next(commune.pk, year):05d}"
    with transaction.atomic():
        counter, _created = RequestCounter.objects.select_for_update(of=("self",)).get_or_create(
            commune=commune, year=year
        )
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{year}-{counter.last:05d}"


def _sequence_next(commune_id: int, year: int) -> int:
    """``nextval`` of the commune's sequence for ``year``, created on first use.

    One round trip in the common case (the sequence exists). Creation happens in a savepoint: if
    another submission created it at the same moment, ours fails harmlessly and uses theirs.
    The sequence starts after any number the counter table already gave (a database restored
    from the SQLite era, numbers imported), so numbers never go back.
    """
    from django.db import DatabaseError

    name = f"demarches_request_number_{int(commune_id)}_{int(year)}"
    with connection.cursor() as cursor:
        # to_regclass is evaluated per row (it is not immutable), so a missing sequence gives no
        # row instead of an error that would abort the submission's transaction.
        cursor.execute(
            "SELECT nextval(seq) FROM (SELECT to_regclass(%s) AS seq) found WHERE seq IS NOT NULL",
            [name],
        )
        row = cursor.fetchone()
        if row is not None:
            return int(row[0])
        start = (
            RequestCounter.objects.filter(commune_id=commune_id, year=year)
            .values_list("last", flat=True)
            .first()
            or 0
        ) + 1
        try:
            with transaction.atomic():
                cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} START WITH {int(start)}")
        except DatabaseError:
            pass  # created meanwhile by another submission
        cursor.execute("SELECT nextval(%s)", [name])
        return int(cursor.fetchone()[0])


def tracking_path(commune: Commune, token: str) -> str:
    return reverse("public:demarches:track", kwargs={"commune_slug": commune.slug, "token": token})
