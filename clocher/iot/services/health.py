"""Ingestion health: count what became of every message, keep the ones that could not be read.

Counting is cheap enough for thousands of uplinks per second: a ``HealthAccumulator`` adds in
memory and ``flush()`` writes one ``INSERT … ON CONFLICT DO UPDATE count = count + excluded.count``
row per (integration, hour, outcome) — one statement for all the integrations' slots, one for
the instance's. The HTTP endpoints, one message per request, use the one-call
``health_record``.

Outcomes (``HealthOutcome``): ``stored``, ``duplicate``, ``pending_device``, ``decode_failed``,
``ignored`` (an event not kept), ``rejected`` (unreadable: the message is kept as a
``RejectedMessage``), ``unauthorized`` (missing, wrong or revoked token: no commune is known,
so it is counted for the instance, by source, and kept with the client's address prefix and
the token's public prefix only — ``message_refused``: anyone can send those, so their bodies
are kept only up to ``IOT_REFUSED_BODIES_PER_SOURCE_PER_HOUR`` per client network and
``IOT_REFUSED_BODIES_PER_HOUR`` in all, the rest only counted), ``failed`` (the database
failed: the message was not acknowledged and comes back).

How the MQTT worker uses it (one accumulator per worker)::

    health = HealthAccumulator()
    # for each message, once its outcome is known:
    health.add(integration.pk, integration.commune_id, outcome, source="mqtt")
    # a message that cannot be read: keep it (in the batch transaction, or on its own)
    rejected.append(rejected_message_build(integration=integration, source="mqtt",
                                           reason=str(error), body=payload, topic=topic))
    # with the batch, inside its transaction (so the counts are those of what was committed):
    RejectedMessage.objects.bulk_create(rejected); health.flush()
    # after a rollback: count the batch as failed, flushed with the next batch
    health.add(integration.pk, integration.commune_id, "failed", n=len(batch), source="mqtt")

A ``flush()`` that fails keeps its counts for the next one.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from clocher.iot.models import HealthCounter, HealthOutcome, Integration, RejectedMessage
from clocher.iot.models.health import REJECTED_BODY_MAX_BYTES

logger = logging.getLogger("clocher.iot.health")

OUTCOMES = frozenset(HealthOutcome.values)
TOKEN_PREFIX = re.compile(r"^cit_[0-9a-f]{8}")
REASON_MAX_LENGTH = 2000
TOPIC_MAX_LENGTH = 300
REFUSED_BODIES_WINDOW = timedelta(hours=1)

# (integration id, commune id, source, hour, outcome)
SlotKey = tuple[int | None, int | None, str, datetime, str]


def hour_of(moment: datetime) -> datetime:
    """The start (UTC) of the hour of ``moment``."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


class HealthAccumulator:
    """Counts in memory, written by ``flush()``; safe to share between threads."""

    def __init__(self) -> None:
        self._counts: dict[SlotKey, int] = {}
        self._lock = threading.Lock()

    def add(
        self,
        integration_id: int | None,
        commune_id: int | None,
        outcome: str,
        n: int = 1,
        at: datetime | None = None,
        source: str = "",
    ) -> None:
        """Count ``n`` messages of ``outcome``. Without ``integration_id`` the count is the
        instance's (then ``source`` tells which endpoint or transport); ``at`` defaults to now."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown health outcome {outcome!r}")
        if n <= 0:
            return
        key = (integration_id, commune_id, source[:20], hour_of(at or timezone.now()), outcome)
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + n

    def __len__(self) -> int:
        return len(self._counts)

    def pending(self) -> dict[SlotKey, int]:
        """What the next ``flush()`` would write (a copy)."""
        with self._lock:
            return dict(self._counts)

    def flush(self) -> int:
        """Write the counts; returns how many slots were written. On a database error the
        counts are kept for the next flush and the error is raised."""
        with self._lock:
            counts, self._counts = self._counts, {}
        if not counts:
            return 0
        try:
            with transaction.atomic():
                _upsert(counts.items())
        except BaseException:
            with self._lock:
                for key, n in counts.items():
                    self._counts[key] = self._counts.get(key, 0) + n
            raise
        return len(counts)


def _upsert(slots: Iterable[tuple[SlotKey, int]]) -> None:
    # In key order: two workers counting the same slots lock them in the same order (no deadlock).
    slots = sorted(slots, key=lambda slot: tuple(str(part) for part in slot[0]))
    by_integration = [(key, n) for key, n in slots if key[0] is not None]
    of_instance = [(key, n) for key, n in slots if key[0] is None]
    if by_integration:
        _upsert_rows(
            by_integration, "(integration_id, hour, outcome) WHERE integration_id IS NOT NULL"
        )
    if of_instance:
        _upsert_rows(of_instance, "(source, hour, outcome) WHERE integration_id IS NULL")


def _upsert_rows(rows: list[tuple[SlotKey, int]], target: str) -> None:
    quote = connection.ops.quote_name
    table = quote(HealthCounter._meta.db_table)
    count = quote("count")
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    parameters: list[Any] = []
    for (integration_id, commune_id, source, hour, outcome), n in rows:
        parameters += [
            integration_id,
            commune_id,
            source,
            connection.ops.adapt_datetimefield_value(hour),
            outcome,
            n,
        ]
    # Identifiers are the model's quoted names; every value is a query parameter.
    sql = (
        f"INSERT INTO {table} (integration_id, commune_id, source, hour, outcome, {count}) "  # noqa: S608
        f"VALUES {values} ON CONFLICT {target} "
        f"DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)


def health_record(
    *,
    integration: Integration | None,
    outcome: str,
    source: str = "",
    n: int = 1,
    at: datetime | None = None,
) -> bool:
    """Count one message now (the HTTP endpoints). Never raises: a counter that cannot be
    written is logged, and the message's own answer is not changed. Returns whether it was."""
    accumulator = HealthAccumulator()
    accumulator.add(
        integration.pk if integration is not None else None,
        integration.commune_id if integration is not None else None,
        outcome,
        n=n,
        at=at,
        source=source or (integration.kind if integration is not None else ""),
    )
    try:
        accumulator.flush()
    except DatabaseError as error:
        logger.warning("iot-health: counter not written (%s): %s", outcome, error)
        return False
    return True


# --- Rejected messages ---------------------------------------------------------------------------


def client_address_prefix(address: str | None) -> str:
    """The network of a client address, never the address itself: /24 for IPv4, /48 for IPv6."""
    if not address:
        return ""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    length = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{length}", strict=False))


def token_public_prefix(token: str | None) -> str:
    """The public prefix ``cit_xxxxxxxx`` of a token that has the integration token's shape;
    nothing of anything else (it might be a secret of another system)."""
    match = TOKEN_PREFIX.match((token or "").strip())
    return match.group(0) if match else ""


def rejected_message_build(
    *,
    integration: Integration | None,
    source: str,
    reason: str,
    body: bytes | str,
    topic: str = "",
    outcome: str = HealthOutcome.REJECTED,
    client_address: str = "",
    token_prefix: str = "",
    at: datetime | None = None,
) -> RejectedMessage:
    """A rejected message, not saved yet (for a batch ``bulk_create``): the first 64 KiB of its
    body and whether the rest was cut."""
    raw = body.encode("utf-8", "surrogateescape") if isinstance(body, str) else bytes(body)
    return RejectedMessage(
        integration=integration,
        commune_id=integration.commune_id if integration is not None else None,
        received_at=at or timezone.now(),
        source=source[:20],
        outcome=outcome,
        reason=reason[:REASON_MAX_LENGTH],
        topic=topic[:TOPIC_MAX_LENGTH],
        client_address=client_address[:50],
        token_prefix=token_prefix[:12],
        body=raw[:REJECTED_BODY_MAX_BYTES],
        body_size=len(raw),
        is_truncated=len(raw) > REJECTED_BODY_MAX_BYTES,
    )


def message_rejected(
    *,
    integration: Integration | None,
    source: str,
    reason: str,
    body: bytes | str,
    topic: str = "",
    outcome: str = HealthOutcome.REJECTED,
    client_address: str = "",
    token_prefix: str = "",
) -> RejectedMessage | None:
    """Keep a message that could not be read (or whose token was refused) and count it, in one
    call. Never raises; returns the kept row, or None when the database refused it."""
    message = rejected_message_build(
        integration=integration,
        source=source,
        reason=reason,
        body=body,
        topic=topic,
        outcome=outcome,
        client_address=client_address,
        token_prefix=token_prefix,
    )
    kept: RejectedMessage | None = message
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except DatabaseError as error:
        logger.warning("iot-health: rejected message not kept: %s", error)
        kept = None
    health_record(integration=integration, outcome=outcome, source=source)
    return kept


def refused_body_is_kept(*, client_address: str, at: datetime | None = None) -> bool:
    """Whether the body of one more request with a refused token may be kept: fewer than
    ``IOT_REFUSED_BODIES_PER_SOURCE_PER_HOUR`` kept from ``client_address`` (the client's
    network, as stored) and fewer than ``IOT_REFUSED_BODIES_PER_HOUR`` in all over the last
    hour. Counted on the kept rows themselves (index ``iot_rejected_refused``), so the caps hold
    across processes and restarts; two requests at the same instant may both pass the last
    place, no more."""
    since = (at or timezone.now()) - REFUSED_BODIES_WINDOW
    kept = RejectedMessage.objects.filter(integration__isnull=True, received_at__gt=since)
    per_source = settings.IOT_REFUSED_BODIES_PER_SOURCE_PER_HOUR
    overall = settings.IOT_REFUSED_BODIES_PER_HOUR
    if kept.filter(client_address=client_address)[:per_source].count() >= per_source:
        return False
    return kept[:overall].count() < overall


def message_refused(
    *,
    source: str,
    reason: str,
    body: bytes | str,
    client_address: str = "",
    token_prefix: str = "",
) -> RejectedMessage | None:
    """A request whose integration token was missing, wrong or revoked: always counted
    (``unauthorized``, for the instance), its body kept as a ``RejectedMessage`` only within
    the caps of ``refused_body_is_kept`` — whoever can reach the endpoint can send them, and
    must not be able to fill the database. Never raises; returns the kept row, or None."""
    try:
        is_kept = refused_body_is_kept(client_address=client_address)
    except DatabaseError as error:
        logger.warning("iot-health: refused message not kept (cannot count): %s", error)
        is_kept = False
    if not is_kept:
        health_record(integration=None, outcome=HealthOutcome.UNAUTHORIZED, source=source)
        return None
    return message_rejected(
        integration=None,
        source=source,
        reason=reason,
        body=body,
        outcome=HealthOutcome.UNAUTHORIZED,
        client_address=client_address,
        token_prefix=token_prefix,
    )
