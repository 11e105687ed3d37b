"""``clocher bench iot``: the whole ingestion pipeline under load, measured end to end.

    clocher bench iot --devices 1000 --messages 300000 [--database-url URL] [--broker URL]
                      [--workers 2] [--rate 0] [--batch-size 500] [--readings 6]

What runs is what runs in production: simulated ChirpStack v4 uplinks (real Elsys ERS CO2
frames with six readings, or three with ``--readings 3``, decoded by the built-in decoder) are
published with QoS 1 to an MQTT broker on ``application/<app>/device/<eui>/event/up``;
``--workers`` processes of ``clocher iot-ingest`` share the subscription, decode, store the raw
uplinks, the measurements and the roll-ups, evaluate the commune's alert rules (the default
ones, applied to the benchmark's commune) and acknowledge after commit. The figures:

- ``uplinks_per_s`` and ``datapoints_per_s``: messages and measurements stored, divided by the
  time from the first publication to the last message stored;
- ``p50``/``p99_ingest_to_query_ms``: every ``--probe-interval`` seconds a probe uplink is
  published among the load and the database is polled until a query finds it; the time from
  publication to found;
- ``worker_rss_mb``: each worker's resident memory at the start of the load and at the end.

The database: ``--database-url`` names a PostgreSQL server (its database
``clocher_bench_iot`` is dropped and created again; the server's role needs CREATEDB; a superuser
creates the database for a role of the same name without superuser rights and the benchmark
works as that role, so that Row-Level Security costs what it costs in production:
``row_level_security`` in the figures) or a SQLite file; without it, a fresh SQLite file under
``var/bench-iot``. The run happens in a child process configured for that database, so
nothing touches the instance's own data. The broker:
``--broker``, else ``CLOCHER_IOT_MQTT_URL``, else ``CLOCHER_TEST_MQTT_URL``; or, with
``--private-broker``, a Mosquitto the benchmark starts for itself on a free port, configured as
docs/operations.md asks of an ingestion broker (a queue per client large enough for a burst: a
default Mosquitto keeps about 1,000 messages per client and drops QoS 1 messages beyond). The
publisher keeps at most ``--window`` messages not yet stored and, with ``--rate``, publishes at
that pace instead of as fast as the pipeline takes them. The workers' memory is sampled every
``RSS_SAMPLE_S`` seconds during the run.

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import base64
import contextlib
import getpass
import json
import os
import queue
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

BENCH_DATABASE = "clocher_bench_iot"
BENCH_ROLE = "clocher_bench_iot"
APPLICATION = "bench"
PROFILE = "elsys-ers-co2"
RSS_SAMPLE_S = 10.0
PROBE_POLL_S = 0.02  # a query every 20 ms: latency to ±20 ms, a light load on what is measured


@dataclass(frozen=True)
class BenchOptions:
    devices: int
    messages: int
    workers: int
    batch_size: int
    rate: float
    window: int
    probe_interval: float
    broker: str
    private_broker: bool = False
    readings: int = 6


class Output(Protocol):
    def write(self, text: str) -> Any: ...

    def flush(self) -> Any: ...


class BenchError(Exception):
    """The benchmark cannot run (no broker, no database…): the message says why."""


# --- Parent: choose the database and run the child configured for it ---------------------------


def _bench_database(database_url: str | None, data_dir: Path) -> str:
    """The database URL the benchmark's child works in: a PostgreSQL database recreated on the
    given server, the SQLite file given (a path or a ``sqlite:///`` URL; it must not exist yet,
    the benchmark fills it), or by default a SQLite file recreated in ``data_dir``."""
    if not database_url:
        sqlite = data_dir / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{sqlite}"
    scheme = urlsplit(database_url).scheme
    if scheme.startswith("postgres"):
        return _fresh_postgres(database_url)
    if scheme == "sqlite":
        path = Path(urlsplit(database_url).path[1:])  # as dj-database-url reads it
    elif "://" in database_url:
        raise BenchError(
            f"--database-url {database_url!r} : schéma {scheme!r} non pris en charge ; "
            "donner un serveur PostgreSQL (postgres://…) ou un fichier SQLite."
        )
    else:
        path = Path(database_url)
    path = path.resolve()
    if path.exists():
        raise BenchError(
            f"{path} existe déjà : la mesure remplit une base neuve, donner un autre fichier "
            "(ou rien : la base SQLite de la mesure est alors recréée)."
        )
    if not path.parent.is_dir():
        raise BenchError(f"{path.parent} n'est pas un dossier existant.")
    return f"sqlite:///{path}"


def run(options: BenchOptions, database_url: str | None, out: Output) -> int:
    """Prepare the database, then run the benchmark in a child process; returns its exit code."""
    data_dir = Path(os.environ.get("CLOCHER_BENCH_DATA_DIR", "var/bench-iot")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    target = _bench_database(database_url, data_dir)
    environment = {
        **os.environ,
        "DATABASE_URL": target,
        "CLOCHER_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "clocher.config.settings",
    }
    arguments = [
        sys.executable,
        "-m",
        "clocher.config.cli",
        "bench",
        "iot",
        "--in-this-database",
        f"--devices={options.devices}",
        f"--messages={options.messages}",
        f"--workers={options.workers}",
        f"--batch-size={options.batch_size}",
        f"--rate={options.rate}",
        f"--window={options.window}",
        f"--probe-interval={options.probe_interval}",
        f"--readings={options.readings}",
        f"--broker={options.broker}",
    ]
    out.write(f"Base de mesure : {_without_password(target)}\n")
    out.flush()
    if not options.private_broker:
        return subprocess.call(arguments, env=environment)  # noqa: S603 - our own CLI
    with private_mosquitto() as broker:
        out.write(f"Broker privé : {broker}\n")
        out.flush()
        arguments[-1] = f"--broker={broker}"
        return subprocess.call(arguments, env=environment)  # noqa: S603 - our own CLI


def mosquitto_path() -> str | None:
    found = shutil.which("mosquitto")
    if found is None and os.path.exists("/usr/sbin/mosquitto"):
        found = "/usr/sbin/mosquitto"
    return found


@contextlib.contextmanager
def private_mosquitto(queued_per_client: int = 1_000_000) -> Iterator[str]:
    """A Mosquitto of the benchmark's own on a free local port; yields its URL."""
    executable = mosquitto_path()
    if executable is None:
        raise BenchError("--private-broker: mosquitto is not installed")
    with tempfile.TemporaryDirectory(prefix="clocher-bench-mqtt-") as directory:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        config = Path(directory) / "mosquitto.conf"
        config.write_text(
            f"listener {port} 127.0.0.1\n"
            "allow_anonymous true\n"
            "log_dest none\n"
            f"max_queued_messages {queued_per_client}\n"
            # Started as root, Mosquitto would switch to its own user: stay who runs the bench.
            f"user {getpass.getuser()}\n"
        )
        process = subprocess.Popen(  # noqa: S603 - the installed broker, our configuration
            [executable, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 10
            while not _answers(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise BenchError("--private-broker: mosquitto did not start")
                time.sleep(0.05)
            yield f"mqtt://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _fresh_postgres(server_url: str) -> str:
    """Create the benchmark's database afresh; returns the URL to reach it. When ``server_url``
    names a superuser, the database belongs to a role ``BENCH_ROLE`` without superuser rights,
    with a new random password, and the benchmark works as that role: a superuser goes around
    the Row-Level Security policies that production pays on every row (docs/operations.md asks
    for a role without superuser rights), so it would measure less than production does."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(server_url)
    try:
        with psycopg.connect(server_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
            row = connection.execute(
                "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
            ).fetchone()
            if not (row and row[0]):
                connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
                return urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))
            password = secrets.token_urlsafe(24)
            exists = connection.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", [BENCH_ROLE]
            ).fetchone()
            verb = "ALTER" if exists else "CREATE"
            connection.execute(
                sql.SQL(
                    verb + " ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB PASSWORD {}"
                ).format(sql.Identifier(BENCH_ROLE), sql.Literal(password))
            )
            connection.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(BENCH_DATABASE), sql.Identifier(BENCH_ROLE)
                )
            )
    except psycopg.Error as error:
        raise BenchError(
            f"cannot create the database {BENCH_DATABASE} on {_without_password(server_url)}: "
            f"{error}"
        ) from error
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{BENCH_ROLE}:{password}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc, path=f"/{BENCH_DATABASE}"))


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


# --- Child: the benchmark itself, in the prepared database --------------------------------------


@dataclass
class World:
    commune_id: int
    integration_prefix: str
    dev_euis: list[str]
    probe_eui: str


def prepare_world(devices: int) -> World:
    """Migrate, then one commune with ``devices`` Elsys sensors, a probe sensor, the default
    alert rules and a ChirpStack integration."""
    from django.core.management import call_command

    from clocher.iot.models import Device
    from clocher.iot.services.alerting import default_rules_apply
    from clocher.iot.services.integrations import integration_create
    from clocher.iot.services.profiles import profiles_load
    from clocher.tenancy.models import Operator
    from clocher.tenancy.services import commune_create

    call_command("migrate", verbosity=0, interactive=False)
    operator, _created = Operator.objects.get_or_create(
        slug="bench", defaults={"name": "Opérateur de mesure"}
    )
    commune = commune_create(operator=operator, insee_code="99999", name="Banc d'essai IoT")
    profiles = {profile.slug: profile for profile in profiles_load(operator=operator)}
    profile = profiles[PROFILE]
    dev_euis = [f"B0{number:014X}" for number in range(devices)]
    probe_eui = "B0FFFFFFFFFFFFFF"
    Device.objects.bulk_create(
        Device(
            commune=commune,
            dev_eui=dev_eui,
            name=f"CO2 salle {number}",
            profile=profile,
            building=f"Bâtiment {number // 20}",
            site=f"Site {number // 100}",
            expected_interval_minutes=10,
        )
        for number, dev_eui in enumerate([*dev_euis, probe_eui])
    )
    # The rules a commune applies in one click (CO2 "ventilate now", low battery, silent
    # object, river rising): every uplink goes through their evaluation, as in production.
    default_rules_apply(commune=commune, actor=None)
    integration, _token = integration_create(commune=commune, kind="chirpstack", label="bench")
    return World(commune.pk, integration.token_prefix, dev_euis, probe_eui)


# What an Elsys ERS CO2 sends is configured on the sensor: all six of its readings, or the
# three a classroom needs (the targets count three data points an uplink, as
# ThingsBoard's figures do).
READINGS_CHOICES = (3, 6)


def elsys_frame(
    temperature: float, humidity: int, light: int, co2: int, *, readings: int = 6
) -> bytes:
    """A real Elsys ERS CO2 frame: temperature, humidity, light, motion, CO2, battery voltage
    (``readings=6``), or temperature, humidity and CO2 (``readings=3``)."""
    if readings not in READINGS_CHOICES:
        raise ValueError(f"an Elsys frame carries 3 or 6 readings, not {readings}")
    temperature_and_humidity = (
        bytes([0x01])
        + round(temperature * 10).to_bytes(2, "big", signed=True)
        + bytes([0x02, humidity])
    )
    carbon_dioxide = bytes([0x06]) + co2.to_bytes(2, "big")
    if readings == 3:
        return temperature_and_humidity + carbon_dioxide
    return (
        temperature_and_humidity
        + bytes([0x04])
        + light.to_bytes(2, "big")
        + bytes([0x05, 0])
        + carbon_dioxide
        + bytes([0x07])
        + (3600).to_bytes(2, "big")
    )


class Uplinks:
    """ChirpStack v4 ``up`` events as the network server publishes them."""

    def __init__(self, dev_euis: Sequence[str], seed: int = 4, *, readings: int = 6) -> None:
        self.dev_euis = list(dev_euis)
        self.readings = readings
        self.lock = threading.Lock()  # the probe thread makes uplinks too
        self.random = random.Random(seed)
        self.counters = dict.fromkeys(self.dev_euis, 0)
        self.co2: dict[str, int] = {}
        self.base = {
            "deviceInfo": {
                "tenantId": "52f14cd4-c6f1-4fbd-8f87-4025e1d49242",
                "tenantName": "ChirpStack",
                "applicationId": APPLICATION,
                "applicationName": "Banc d'essai",
                "deviceProfileId": "cf2aec2f-03e1-4a60-a32c-0faeef5730d8",
                "deviceProfileName": "Elsys ERS CO2",
                "deviceName": "",
                "devEui": "",
            },
            "devAddr": "00189440",
            "adr": True,
            "dr": 5,
            "fCnt": 0,
            "fPort": 5,
            "confirmed": False,
            "data": "",
            "rxInfo": [
                {
                    "gatewayId": "0016c001f153a14c",
                    "uplinkId": 4217106255,
                    "rssi": -36,
                    "snr": 10.5,
                    "channel": 2,
                    "location": {},
                    "context": "2sl+Sw==",
                    "metadata": {"region_common_name": "EU868", "region_config_id": "eu868"},
                    "crcStatus": "CRC_OK",
                }
            ],
            "txInfo": {
                "frequency": 868500000,
                "modulation": {
                    "lora": {"bandwidth": 125000, "spreadingFactor": 7, "codeRate": "CR_4_5"}
                },
            },
        }

    def make(self, number: int, dev_eui: str | None = None) -> tuple[str, bytes, str]:
        """The ``number``-th uplink (topic, body, deduplication id), timed now."""
        dev_eui = dev_eui or self.dev_euis[number % len(self.dev_euis)]
        with self.lock:
            self.counters[dev_eui] = self.counters.get(dev_eui, 0) + 1
            dedup = str(uuid.UUID(int=self.random.getrandbits(128), version=4))
            # A classroom's CO2 moves slowly: a walk between 400 and 1,700 ppm per sensor.
            co2 = self.co2.get(dev_eui) or self.random.randint(450, 1300)
            co2 = min(1700, max(400, co2 + self.random.randint(-20, 20)))
            self.co2[dev_eui] = co2
            frame = elsys_frame(
                19.0 + self.random.random() * 4,
                self.random.randint(30, 60),
                self.random.randint(0, 500),
                co2,
                readings=self.readings,
            )
        message = dict(self.base)
        message["deduplicationId"] = dedup
        message["time"] = time_now_iso()
        message["deviceInfo"] = {
            **self.base["deviceInfo"],  # type: ignore[dict-item]
            "devEui": dev_eui.lower(),
            "deviceName": f"co2-{dev_eui[-4:]}",
        }
        message["fCnt"] = self.counters[dev_eui]
        message["data"] = base64.b64encode(frame).decode()
        topic = f"application/{APPLICATION}/device/{dev_eui.lower()}/event/up"
        return topic, json.dumps(message).encode(), dedup


def time_now_iso() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat()


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _percentile(values: Sequence[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run_here(options: BenchOptions, err: Output) -> dict[str, Any]:
    """The benchmark, in the database Django is configured for (the child process)."""
    import paho.mqtt.client as mqtt
    from django.db import connection
    from paho.mqtt.enums import CallbackAPIVersion

    from clocher.iot.models import Measurement, Uplink
    from clocher.iot.mqtt import (
        parse_broker_url,
        settle_garbage_collector,
        use_shared_paho_tables,
    )

    broker = parse_broker_url(options.broker)
    world = prepare_world(options.devices)
    uplinks = Uplinks(world.dev_euis, readings=options.readings)
    vendor = connection.vendor
    group = f"bench{os.getpid()}"
    workers = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and CLI
            [
                sys.executable,
                "-m",
                "clocher.config.cli",
                "iot-ingest",
                f"--integration-prefix={world.integration_prefix}",
                f"--broker={options.broker}",
                f"--group={group}",
                f"--client-id={group}-{number}",
                f"--batch-size={options.batch_size}",
                "--stats-interval=3600",
            ],
            stdout=subprocess.DEVNULL,
        )
        for number in range(options.workers)
    ]
    use_shared_paho_tables()  # paho built a table of reason codes for every acknowledgement
    publisher = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2, client_id=f"{group}-publisher"
    )
    # No limit of paho's own on messages in flight: the window below bounds them, and with a
    # limit paho walks every message in flight at each acknowledgment to find one to send.
    publisher.max_inflight_messages_set(0)
    publisher.max_queued_messages_set(0)
    if broker.username is not None:
        publisher.username_pw_set(broker.username, broker.password)
    if broker.tls:
        publisher.tls_set()
    publisher.connect(broker.host, broker.port)
    network = _Publisher(publisher)
    network.pump(10, until=publisher.is_connected)
    if not publisher.is_connected():
        raise BenchError(f"the broker {broker} did not accept the publisher's connection")
    probes: list[float] = []
    table = connection.ops.quote_name(Uplink._meta.db_table)

    def stored_count() -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608 - a model's table
            (value,) = cursor.fetchone()
        return int(value or 0)

    def exact_count() -> int:
        """The benchmark's uplinks stored since the start (probes left out)."""
        return (
            Uplink.objects.filter(commune_id=world.commune_id, id__gt=base)
            .exclude(dev_eui=world.probe_eui)
            .count()
        )

    try:
        # Warm-up: wait until every worker is subscribed and storing (probe messages).
        err.write(f"{options.workers} worker(s) démarré(s), attente de l'abonnement…\n")
        deadline = time.monotonic() + 60
        while True:
            topic, body, dedup = uplinks.make(0, world.probe_eui)
            network.pump(5, until=publisher.publish(topic, body, qos=1).is_published)
            if _wait_stored(world.commune_id, body, dedup, timeout=2.0):
                break
            if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
                raise BenchError("the ingestion workers did not start storing within a minute")
        network.pump(1.0)  # every worker of the group subscribed
        base = stored_count()
        rss_start = [_rss_mb(worker.pid) for worker in workers]
        rss_curve: list[list[float | None]] = []
        stop_sampling = threading.Event()
        sampler = threading.Thread(
            target=_sample_rss,
            args=([worker.pid for worker in workers], rss_curve, stop_sampling),
            daemon=True,
        )
        sampler.start()
        stop_probes = threading.Event()
        probe_thread = threading.Thread(
            target=_probe_loop,
            args=(
                network,
                uplinks,
                world.commune_id,
                world.probe_eui,
                options.probe_interval,
                probes,
                stop_probes,
            ),
            daemon=True,
        )
        bodies = [uplinks.make(number) for number in range(options.messages)]
        settle_garbage_collector()  # the prepared messages are not garbage: out of its sight
        err.write(f"{options.messages} messages préparés, envoi…\n")
        started = time.monotonic()
        probe_thread.start()
        published = 0
        next_report = started + 5
        done = base
        while published < options.messages:
            done = stored_count()
            room = options.window - (published - (done - base))
            if options.rate:
                due = int((time.monotonic() - started) * options.rate) - published
                room = min(room, due)
            for topic, body, _dedup in bodies[published : published + max(0, room)]:
                publisher.publish(topic, body, qos=1)
            published += max(0, min(room, options.messages - published))
            if time.monotonic() >= next_report:
                err.write(f"  {done - base} enregistrés, {published} publiés\n")
                next_report += 5
            network.pump(0.01 if room > 0 else 0.02)
        # The highest id runs ahead of what is stored (ids of rolled-back batches and of
        # duplicates are burnt): fine to pace the publisher, not to say when all is stored.
        progress = exact_count()
        last_seen = (progress, time.monotonic())
        while progress < options.messages:
            network.pump(0.25)
            progress = exact_count()
            if progress != last_seen[0]:
                last_seen = (progress, time.monotonic())
            elif time.monotonic() - last_seen[1] > 30:
                raise BenchError(
                    f"stalled: {progress} of {options.messages} stored (did the broker drop "
                    "messages? see its log and max_queued_messages)"
                )
        elapsed = last_seen[1] - started
        stop_probes.set()
        probe_thread.join()
        rss_end = [_rss_mb(worker.pid) for worker in workers]
        stop_sampling.set()
        sampler.join()
    finally:
        publisher.disconnect()
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
    stored = (
        Uplink.objects.filter(commune_id=world.commune_id).exclude(dev_eui=world.probe_eui).count()
    )
    datapoints = (
        Measurement.objects.filter(commune_id=world.commune_id)
        .exclude(device__dev_eui=world.probe_eui)
        .count()
    )
    return {
        "database": vendor,
        "row_level_security": _row_level_security(),
        "devices": options.devices,
        "messages": options.messages,
        "readings_per_uplink": options.readings,
        "workers": options.workers,
        "batch_size": options.batch_size,
        "rate_limit": options.rate or None,
        "stored": stored,
        "datapoints": datapoints,
        "elapsed_s": round(elapsed, 2),
        "uplinks_per_s": round(stored / elapsed, 1),
        "datapoints_per_s": round(datapoints / elapsed, 1),
        "probes": len(probes),
        "p50_ingest_to_query_ms": _round(_percentile(probes, 0.5)),
        "p99_ingest_to_query_ms": _round(_percentile(probes, 0.99)),
        "worker_rss_mb_start": rss_start,
        "worker_rss_mb_end": rss_end,
        "worker_rss_mb_max": [
            max((row[1 + index] or 0.0 for row in rss_curve), default=None)
            for index in range(len(workers))
        ],
        # [seconds since the start, RSS of each worker] every RSS_SAMPLE_S seconds.
        "worker_rss_mb_curve": rss_curve,
    }


@dataclass
class _Probe:
    topic: str
    body: bytes
    dedup: str
    sent_at: float = 0.0
    sent: threading.Event = field(default_factory=threading.Event)


class _Publisher:
    """The simulated network server's MQTT connection, driven from one thread: paho's network
    loop (acknowledgements, keep-alive) runs in ``pump``, not in a thread of its own. Handing
    every message over to another thread (locks, wake-ups) cost more than publishing it, and
    what the load generator takes of the 2 cores is taken from the pipeline it measures. The
    probe thread queues its uplinks (``probes``) and the pump publishes them."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.probes: queue.SimpleQueue[_Probe] = queue.SimpleQueue()

    def pump(self, seconds: float, *, until: Callable[[], bool] | None = None) -> None:
        """Run the network loop for ``seconds``, or until ``until()`` holds."""
        import paho.mqtt.client as mqtt

        deadline = time.monotonic() + seconds
        while True:
            self._publish_probes()
            if until is not None and until():
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            code = self.client.loop(timeout=min(remaining, 0.01))
            if code != mqtt.MQTT_ERR_SUCCESS:
                raise BenchError(f"the publisher lost the broker: {mqtt.error_string(code)}")

    def _publish_probes(self) -> None:
        while True:
            try:
                probe = self.probes.get_nowait()
            except queue.Empty:
                return
            self.client.publish(probe.topic, probe.body, qos=1)
            probe.sent_at = time.monotonic()
            probe.sent.set()


def _row_level_security() -> bool | None:
    """Whether the policies apply to the benchmark's connection (None: not PostgreSQL)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT NOT (rolsuper OR rolbypassrls) FROM pg_roles WHERE rolname = current_user"
        )
        (applies,) = cursor.fetchone()
    return bool(applies)


def _sample_rss(
    pids: Sequence[int], curve: list[list[float | None]], stop: threading.Event
) -> None:
    started = time.monotonic()
    while not stop.wait(RSS_SAMPLE_S):
        curve.append([round(time.monotonic() - started), *(_rss_mb(pid) for pid in pids)])


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _wait_stored(commune_id: int, body: bytes, dedup: str, *, timeout: float) -> bool:
    """Whether the uplink ``body`` (deduplication id ``dedup``) got stored within ``timeout``
    seconds. The query gives the whole unique key of the uplinks (commune, time, id): without
    it, it would scan the table and the benchmark would load the database it measures."""
    from datetime import datetime

    from clocher.iot.models import Uplink

    received_at = datetime.fromisoformat(json.loads(body)["time"])
    uplinks = Uplink.objects.filter(commune_id=commune_id, received_at=received_at, dedup_key=dedup)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if uplinks.exists():
            return True
        time.sleep(PROBE_POLL_S)
    return False


def _probe_loop(
    publisher: _Publisher,
    uplinks: Uplinks,
    commune_id: int,
    probe_eui: str,
    interval: float,
    latencies: list[float],
    stop: threading.Event,
) -> None:
    """Publish a probe uplink every ``interval`` seconds and time it from its publication until
    a query finds it."""
    from django.db import connections

    try:
        while not stop.wait(interval):
            probe = _Probe(*uplinks.make(0, probe_eui))
            publisher.probes.put(probe)
            while not probe.sent.wait(0.1):
                if stop.is_set():
                    return
            if _wait_stored(commune_id, probe.body, probe.dedup, timeout=60):
                latencies.append((time.monotonic() - probe.sent_at) * 1000)
    finally:
        connections.close_all()
