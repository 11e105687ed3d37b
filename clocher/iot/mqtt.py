"""MQTT ingestion worker: one integration's network-server events from a broker, stored once.

The worker subscribes, with QoS 1 and a shared subscription (``$share/<group>/<topic>``, so
several workers split the load), to ChirpStack v4 ``application/+/device/+/event/+`` or to The
Things Stack ``v3/+/devices/+/<kind>`` for every kind the server publishes (``up``, ``join``,
``down/ack``, ``down/failed``…; never ``down/push``, which Clocher itself publishes).

Batches: the worker reads what the broker has delivered (up to ``batch_size`` messages, as
long as more are waiting on the socket) and stores it in one transaction
(``ingest_batch``), so a busy worker commits hundreds of uplinks at once and an idle one stores
each message as it comes. MQTT v5 workers announce a Receive Maximum of ``receive_maximum`` so the
broker keeps that many messages in flight while a batch is being written (Mosquitto otherwise
allows 20 unacknowledged messages per client).

Delivery guarantee: acknowledgements are manual. A message is acknowledged (PUBACK, in the order
received) only once its batch's transaction is committed; a malformed message is acknowledged
too (it would fail again) and counted as rejected. When the database
fails, the message is not acknowledged and the worker leaves the broker, waits (backoff) and
comes back on its persistent session, so the broker delivers the unacknowledged messages again;
ingestion is idempotent, so a message stored but not yet acknowledged when the worker stops is
answered as a duplicate the second time. A broker that restarts is reconnected with backoff.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import socket
import threading
import time
import urllib.parse
from collections.abc import Sequence
from typing import Any, Literal

import paho.mqtt
import paho.mqtt.client as mqtt
from django.db import Error as DatabaseError
from django.db import close_old_connections, connections, transaction
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from clocher.iot.models import Integration, IntegrationKind, RejectedMessage
from clocher.iot.network import MessageRejected, NormalisedEvent, NormalisedUplink
from clocher.iot.network.chirpstack import parse_chirpstack_mqtt
from clocher.iot.network.tts import KINDS as TTS_KINDS
from clocher.iot.network.tts import parse_tts
from clocher.iot.services.health import HealthAccumulator, rejected_message_build
from clocher.iot.services.ingestion import IngestResult, ingest_batch, ingest_event
from clocher.iot.services.integrations import integration_mark_used

logger = logging.getLogger("clocher.iot.mqtt")

DEFAULT_GROUP = "clocher"
QOS = 1
BATCH_SIZE = 500
RECEIVE_MAXIMUM = 2000
# Net allocations (of objects the collector tracks) that start a collection of the youngest
# generation by themselves: well above what a batch holds alive (see settle_garbage_collector).
GC_YOUNG_THRESHOLD = 1_000_000
Outcome = Literal["stored", "duplicate", "ignored", "rejected", "failed"]
MQTT_VERSIONS = {"5": MQTTProtocolVersion.MQTTv5, "3.1.1": MQTTProtocolVersion.MQTTv311}
PAHO_WITH_PER_PACKET_TABLES = "2.1.0"  # see SharedTableProperties and use_shared_paho_tables


def settle_garbage_collector() -> None:
    """For a process that ingests from now on: everything built while starting (Django, the
    models, paho) is moved out of the garbage collector's sight, and the collector no longer
    starts by itself in the middle of a batch; the worker collects the youngest generation
    between batches instead (``collect_batch_garbage``).

    Why: the collector starts when the objects allocated and not yet freed exceed a threshold
    (700 by default). A batch of 500 messages holds tens of thousands of them alive (paho's
    messages and their MQTT v5 properties, the parsed JSON, the rows) until it is stored, so at
    any lower threshold the collector ran in every batch and walked all of them: first the
    whole startup heap, about a third of a worker's time, then, once that was frozen, the
    batch's live objects, about an eighth. Reference counting frees what a batch leaves behind
    but for the few cycles paho makes per message (a recursive closure that matches the
    topic), which the collection between batches frees."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, 20, 100)


def collect_batch_garbage() -> None:
    """Between two batches, when the batch's objects are freed: collect the youngest generation
    (what is left is the batch's few cycles, so the pass is short)."""
    gc.collect(0)


# --- paho's constant tables -------------------------------------------------------------------

# What a ``Properties`` object holds besides the properties themselves (paho's own list).
_PROPERTIES_OWN_ATTRIBUTES = frozenset({"packetType", "types", "names", "properties"})


class SharedTableProperties(Properties):
    """paho's ``Properties`` with its constant tables built once instead of for every packet.

    For each MQTT v5 packet it reads (every PUBLISH a worker receives), paho 2.1 makes a new
    ``Properties`` whose constructor builds the names, identifiers and types of all 27 MQTT v5
    properties, then empties it before reading (``clear`` walks the 27 names). With these
    classes a worker spends 36.9 µs of CPU per message in paho instead of 63.4
    (``bench/iot_mqtt_receive.py``, docs/performance.md). This class shares the tables, which
    paho only reads, and empties an object by the attributes it holds; reading, writing and
    checking the properties stay paho's own code. ``use_shared_paho_tables`` puts it in paho's
    place."""

    _tables = Properties(PacketTypes.PUBLISH)

    def __init__(self, packetType: int) -> None:
        set_attribute = object.__setattr__  # paho's __setattr__ checks property names
        set_attribute(self, "packetType", packetType)
        set_attribute(self, "types", self._tables.types)
        set_attribute(self, "names", self._tables.names)
        set_attribute(self, "properties", self._tables.properties)

    def clear(self) -> None:
        for name in [name for name in vars(self) if name not in _PROPERTIES_OWN_ATTRIBUTES]:
            delattr(self, name)


class SharedTableReasonCode(ReasonCode):
    """paho's ``ReasonCode`` with its table of the 45 reason codes built once, for the same
    reason: paho makes one for every acknowledgement a publisher receives (the benchmark's
    simulated network server), and built the table each time. The rest is paho's constructor."""

    _tables = ReasonCode(PacketTypes.PUBACK)

    def __init__(self, packetType: int, aName: str = "Success", identifier: int = -1) -> None:
        self.packetType = packetType
        self.names = self._tables.names
        if identifier == -1:
            if packetType == PacketTypes.DISCONNECT and aName == "Success":
                aName = "Normal disconnection"
            self.set(aName)
        else:
            self.value = identifier
            self.getName()  # raises for an identifier unknown to this packet type


def use_shared_paho_tables() -> None:
    """Make paho's client build its packets' properties and reason codes with the shared
    tables above, for the whole process (idempotent). Only paho 2.1.0's client is known to
    work as described there: with another version nothing is changed, and
    ``test_mqtt_paho_tables`` fails until the classes are checked against it."""
    if paho.mqtt.__version__ != PAHO_WITH_PER_PACKET_TABLES:
        return
    mqtt.Properties = SharedTableProperties  # type: ignore[misc]
    mqtt.ReasonCode = SharedTableReasonCode  # type: ignore[misc]


class BrokerUrlError(ValueError):
    """A broker URL that cannot be used."""


@dataclasses.dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = None

    def __str__(self) -> str:  # never the password (logs)
        scheme = "mqtts" if self.tls else "mqtt"
        return f"{scheme}://{self.host}:{self.port}"


def parse_broker_url(url: str) -> BrokerAddress:
    """``mqtt://[user:pass@]host[:1883]`` or ``mqtts://…[:8883]``."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in {"mqtt", "mqtts", "tcp", "ssl"}:
        raise BrokerUrlError(f"{url!r}: expected mqtt://host:port or mqtts://host:port")
    tls = parts.scheme in {"mqtts", "ssl"}
    try:
        port = parts.port or (8883 if tls else 1883)
    except ValueError as error:
        raise BrokerUrlError(f"{url!r}: {error}") from None
    if not parts.hostname:
        raise BrokerUrlError(f"{url!r}: no host")
    username = urllib.parse.unquote(parts.username) if parts.username else None
    password = urllib.parse.unquote(parts.password) if parts.password else None
    return BrokerAddress(parts.hostname, port, tls, username, password)


def _check_application(application: str) -> str:
    if not application or any(char in application for char in "/+#$\x00"):
        raise ValueError(f"{application!r} is not an application id")
    return application


def subscription_topics(kind: str, applications: Sequence[str] = ()) -> list[str]:
    """The topics of an integration's events, for every application (``+``) or the given ones."""
    names = [_check_application(name) for name in applications] or ["+"]
    if kind == IntegrationKind.CHIRPSTACK:
        return [f"application/{name}/device/+/event/+" for name in names]
    if kind == IntegrationKind.TTS:
        return [f"v3/{name}/devices/+/{suffix}" for name in names for suffix in TTS_KINDS]
    raise ValueError(f"integrations of kind {kind!r} do not use MQTT")


def shared_topic(topic: str, group: str) -> str:
    """``$share/<group>/<topic>``, or the topic itself when ``group`` is empty."""
    return f"$share/{group}/{topic}" if group else topic


@dataclasses.dataclass(frozen=True)
class Handled:
    """What became of one message, and whether the broker may forget it."""

    outcome: Outcome
    acknowledge: bool
    detail: str = ""
    database_error: bool = False


def handle_message(*, integration: Integration, topic: str, payload: bytes) -> Handled:
    """Read and store one MQTT message of ``integration``; never raises.

    Returns once the message's transaction is committed (or rolled back on an error).
    """
    return handle_batch(integration=integration, messages=[(topic, payload)])[0]


def handle_batch(
    *,
    integration: Integration,
    messages: Sequence[tuple[str, bytes]],
    health: HealthAccumulator | None = None,
) -> list[Handled]:
    """Read and store MQTT messages of ``integration`` (topic, payload) in one transaction; one
    ``Handled`` per message, in order; never raises. On a database error nothing of the batch is
    stored and no message may be acknowledged but the malformed ones.

    What became of each message is counted in ``health`` (the worker's accumulator, written with
    the batch; without one, a fresh one) and unreadable messages are kept as
    ``RejectedMessage`` rows, in the batch's transaction. Once the batch is committed, the
    integration's last use is written if it is due (``integration_mark_used``: at most once a
    minute for the same ``integration`` object, after the transaction, never failing the batch)."""
    health = health if health is not None else HealthAccumulator()
    handled: list[Handled | None] = [None] * len(messages)
    rejected: list[RejectedMessage] = []
    outcomes: list[str] = []
    uplinks: list[tuple[int, NormalisedUplink]] = []
    events: list[tuple[int, NormalisedEvent]] = []
    for index, (topic, payload) in enumerate(messages):
        try:
            if integration.kind == IntegrationKind.CHIRPSTACK:
                parsed = parse_chirpstack_mqtt(topic, payload)
            elif integration.kind == IntegrationKind.TTS:
                parsed = parse_tts(topic, payload)
            else:
                raise MessageRejected(f"integration kind {integration.kind!r} does not use MQTT")
        except MessageRejected as error:
            handled[index] = Handled("rejected", acknowledge=True, detail=str(error))
            rejected.append(
                rejected_message_build(
                    integration=integration,
                    source="mqtt",
                    reason=str(error),
                    body=payload,
                    topic=topic,
                )
            )
            outcomes.append("rejected")
            continue
        if isinstance(parsed, NormalisedUplink):
            uplinks.append((index, parsed))
        else:
            events.append((index, parsed))
    try:
        with transaction.atomic():
            results = ingest_batch(
                integration=integration, messages=[message for _index, message in uplinks]
            )
            for (index, _message), result in zip(uplinks, results, strict=True):
                handled[index] = _handled(result)
                outcomes.append(result.status)
            for index, event in events:
                result = ingest_event(integration=integration, event=event)
                handled[index] = _handled(result)
                outcomes.append(result.status)
            RejectedMessage.objects.bulk_create(rejected)
            for outcome in outcomes:
                health.add(integration.pk, integration.commune_id, outcome, source="mqtt")
            health.flush()
    except DatabaseError as error:
        health.add(integration.pk, integration.commune_id, "failed", n=len(messages), source="mqtt")
        failure = Handled(
            "failed",
            acknowledge=False,
            detail=f"{type(error).__name__}: {error}",
            database_error=True,
        )
        return [
            item if item is not None and item.outcome == "rejected" else failure for item in handled
        ]
    except Exception as error:  # a bug: keep them unacknowledged, redelivered on reconnection
        logger.exception("iot-ingest: unexpected error on a batch of %d", len(messages))
        failure = Handled("failed", acknowledge=False, detail=f"{type(error).__name__}: {error}")
        return [
            item if item is not None and item.outcome == "rejected" else failure for item in handled
        ]
    integration_mark_used(integration=integration)
    return [item or Handled("failed", acknowledge=False) for item in handled]


def _handled(result: IngestResult) -> Handled:
    if result.status == "duplicate":
        return Handled("duplicate", acknowledge=True)
    if result.status == "ignored":
        return Handled("ignored", acknowledge=True, detail=result.reason)
    return Handled("stored", acknowledge=True, detail=result.status)


@dataclasses.dataclass
class Counters:
    """Messages seen since the worker started (in memory, logged every minute)."""

    received: int = 0
    stored: int = 0
    duplicates: int = 0
    ignored: int = 0
    rejected: int = 0
    failed: int = 0

    def count(self, outcome: Outcome) -> None:
        name = {"duplicate": "duplicates"}.get(outcome, outcome)
        setattr(self, name, getattr(self, name) + 1)

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def default_client_id(integration: Integration) -> str:
    """Stable across restarts, so the broker's session (unacknowledged messages) is resumed."""
    return f"clocher-iot-{integration.token_prefix}-{socket.gethostname()}"[:120]


class IngestWorker:
    """Subscribe for one integration and store what arrives until ``stop()`` is called."""

    def __init__(
        self,
        *,
        integration: Integration,
        broker: BrokerAddress,
        applications: Sequence[str] = (),
        group: str = DEFAULT_GROUP,
        client_id: str | None = None,
        mqtt_version: str = "5",
        session_expiry_s: int = 86400,
        keepalive_s: int = 60,
        stats_interval_s: float = 60.0,
        backoff_initial_s: float = 1.0,
        backoff_max_s: float = 60.0,
        batch_size: int = BATCH_SIZE,
        receive_maximum: int = RECEIVE_MAXIMUM,
    ) -> None:
        use_shared_paho_tables()
        self.integration = integration
        self.broker = broker
        self.topics = [
            shared_topic(topic, group)
            for topic in subscription_topics(integration.kind, applications)
        ]
        self.client_id = client_id or default_client_id(integration)
        self.protocol = MQTT_VERSIONS[mqtt_version]
        self.session_expiry_s = session_expiry_s
        self.keepalive_s = keepalive_s
        self.stats_interval_s = stats_interval_s
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.batch_size = max(1, batch_size)
        self.receive_maximum = max(1, min(receive_maximum, 65535))
        self.counters = Counters()
        self._batch: list[mqtt.MQTTMessage] = []
        self.health = HealthAccumulator()  # written with each batch
        self.subscribed = threading.Event()  # set at each (re)subscription acknowledged
        self._stop = threading.Event()
        self._leave = False  # leave the broker: the database failed
        self._delay = backoff_initial_s
        self.client = self._make_client()

    # --- Client and callbacks -----------------------------------------------------------------

    def _make_client(self) -> mqtt.Client:
        v5 = self.protocol == MQTTProtocolVersion.MQTTv5
        client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            clean_session=None if v5 else False,
            protocol=self.protocol,
            reconnect_on_failure=False,
            manual_ack=True,
        )
        client.manual_ack_set(True)
        if self.broker.username is not None:
            client.username_pw_set(self.broker.username, self.broker.password)
        if self.broker.tls:
            client.tls_set()
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        return client

    def _on_connect(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if reason.is_failure:
            logger.error("iot-ingest: %s refused the connection: %s", self.broker, reason)
            return
        self._delay = self.backoff_initial_s
        logger.info("iot-ingest: connected to %s, subscribing to %s", self.broker, self.topics)
        client.subscribe([(topic, QOS) for topic in self.topics])

    def _on_subscribe(
        self, _client: mqtt.Client, _userdata: Any, _mid: int, reasons: Any, _props: Any
    ) -> None:
        refused = [reason for reason in reasons if reason.is_failure]
        if refused:
            logger.error("iot-ingest: subscription refused: %s", refused)
        else:
            self.subscribed.set()

    def _on_message(self, client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        if self._leave:
            return  # not acknowledged: delivered again when the worker comes back
        self._batch.append(message)
        if len(self._batch) >= self.batch_size:
            self._flush(client)

    def _flush(self, client: mqtt.Client) -> None:
        """Store the messages read since the last flush, then acknowledge them in order."""
        batch, self._batch = self._batch, []
        if not batch:
            return
        self._store(client, batch)
        del batch
        collect_batch_garbage()

    def _store(self, client: mqtt.Client, batch: list[mqtt.MQTTMessage]) -> None:
        """Store ``batch`` and acknowledge its messages in order. Apart from ``_flush`` so that
        nothing of the batch is referenced any more when ``_flush`` collects its garbage."""
        self.counters.received += len(batch)
        outcomes = handle_batch(
            integration=self.integration,
            messages=[(message.topic, message.payload) for message in batch],
            health=self.health,
        )
        failed: list[tuple[str, str]] = []
        for message, handled in zip(batch, outcomes, strict=True):
            self.counters.count(handled.outcome)
            if handled.outcome == "rejected":
                logger.warning(
                    "iot-ingest: rejected message on %s: %s", message.topic, handled.detail
                )
            elif handled.outcome == "failed":
                failed.append((message.topic, handled.detail))
        if failed:
            # A database error fails the whole batch with the same cause: one line, not 500.
            logger.error(
                "iot-ingest: %d message(s) not stored (%s), first on %s",
                len(failed),
                failed[0][1],
                failed[0][0],
            )
        if any(handled.database_error for handled in outcomes):
            self._leave = True  # nothing acknowledged: PUBACKs must follow the PUBLISH order
            return
        for message, handled in zip(batch, outcomes, strict=True):
            if not handled.acknowledge:
                break  # a bug kept this one: the rest waits with it for redelivery
            client.ack(message.mid, message.qos)

    def _drain(self) -> None:
        """Read the messages already waiting on the socket, up to a batch, then store them."""
        while len(self._batch) < self.batch_size and not self._leave:
            waiting = len(self._batch)
            if self.client.loop_read() != MQTTErrorCode.MQTT_ERR_SUCCESS:
                break
            if len(self._batch) == waiting:
                break
        if not self._leave:
            self._flush(self.client)

    # --- The loop -----------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask the loop to finish the message in hand, disconnect and return."""
        self._stop.set()

    def _connect(self) -> bool:
        properties = None
        if self.protocol == MQTTProtocolVersion.MQTTv5:
            properties = Properties(PacketTypes.CONNECT)
            properties.SessionExpiryInterval = self.session_expiry_s
            properties.ReceiveMaximum = self.receive_maximum
        try:
            if self.protocol == MQTTProtocolVersion.MQTTv5:
                self.client.connect(
                    self.broker.host,
                    self.broker.port,
                    keepalive=self.keepalive_s,
                    clean_start=False,
                    properties=properties,
                )
            else:
                self.client.connect(self.broker.host, self.broker.port, self.keepalive_s)
        except (OSError, ValueError) as error:
            logger.warning("iot-ingest: cannot reach %s: %s", self.broker, error)
            return False
        return True

    def _wait_backoff(self) -> None:
        self._stop.wait(self._delay)
        self._delay = min(self._delay * 2, self.backoff_max_s)

    def log_counters(self) -> None:
        logger.info(
            "iot-ingest counters: %s",
            " ".join(f"{name}={value}" for name, value in self.counters.as_dict().items()),
            extra={"integration": self.integration.token_prefix, **self.counters.as_dict()},
        )

    def run(self) -> Counters:
        """Run until ``stop()``; returns the counters."""
        next_stats = time.monotonic() + self.stats_interval_s
        connected = False
        try:
            while not self._stop.is_set():
                if time.monotonic() >= next_stats:
                    self.log_counters()
                    next_stats = time.monotonic() + self.stats_interval_s
                if not connected:
                    connected = self._connect()
                    if not connected:
                        self._wait_backoff()
                    continue
                code = self.client.loop(timeout=0.2)
                if code == MQTTErrorCode.MQTT_ERR_SUCCESS:
                    self._drain()
                if self._leave:
                    logger.warning("iot-ingest: database error, leaving the broker for a while")
                    self._batch = []
                    self.client.disconnect()
                    connected = False
                    self.subscribed.clear()
                    close_old_connections()
                    connections["default"].close()
                    self._wait_backoff()
                    self._leave = False
                elif code != MQTTErrorCode.MQTT_ERR_SUCCESS:
                    logger.warning(
                        "iot-ingest: connection to %s lost (%s), reconnecting",
                        self.broker,
                        mqtt.error_string(code),
                    )
                    connected = False
                    self._batch = []  # not acknowledged: the broker delivers them again
                    self.subscribed.clear()
                    self._wait_backoff()
        finally:
            if connected:
                self.client.disconnect()
                self.client.loop(timeout=0.2)
            self.log_counters()
            try:
                self.health.flush()  # the failures counted since the last batch
            except DatabaseError:
                logger.warning("iot-ingest: health counters not written (database unavailable)")
            connections.close_all()
        return self.counters


def worker_integration(
    *, prefix: str | None = None, commune_slug: str | None = None, kind: str | None = None
) -> Integration:
    """The live ChirpStack or TTS integration a worker serves, by token prefix or by commune
    and kind (then it must be the only live one). Raises ``LookupError`` with the reason."""
    live = Integration.objects.select_related("commune").filter(
        revoked_at__isnull=True,
        commune__is_active=True,
        kind__in=[IntegrationKind.CHIRPSTACK, IntegrationKind.TTS],
    )
    if prefix:
        found = list(live.filter(token_prefix=prefix))
        if not found:
            raise LookupError(f"no live ChirpStack or TTS integration with prefix {prefix!r}")
        return found[0]
    if not commune_slug or not kind:
        raise LookupError("give --integration-prefix, or --commune and --kind")
    found = list(live.filter(commune__slug=commune_slug, kind=kind).order_by("created_at"))
    if not found:
        raise LookupError(f"no live {kind} integration in commune {commune_slug!r}")
    if len(found) > 1:
        prefixes = ", ".join(integration.token_prefix for integration in found)
        raise LookupError(f"several live {kind} integrations ({prefixes}): give one prefix")
    return found[0]
