"""Benchmark: what the ingestion worker spends in paho per MQTT message, with paho's own MQTT v5
properties and reason codes and with the shared tables the worker installs
(``mqtt.use_shared_paho_tables``), in the same process.

The worker is ``IngestWorker`` itself, run as ``clocher iot-ingest`` runs it (MQTT v5, manual
acknowledgements, batches of 500 read from the socket, garbage collector settled), against a
Mosquitto of the benchmark's own; only its storage is left out: each batch is acknowledged as
soon as it is read. A publisher in another process sends ChirpStack ``up`` events as the
ingestion benchmark does (QoS 1). Rounds alternate between the two variants; each prints the
worker's CPU time per message (its process only, not the publisher's or the broker's), then
the medians and their ratio.

Run: ``.venv/bin/python bench/iot_mqtt_receive.py [messages per round] [rounds per variant]``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MESSAGES = 40_000
ROUNDS = 4

PUBLISHER = """
import sys, paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from clocher.iot.bench import Uplinks
url, count, first = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
host, port = url.removeprefix("mqtt://").split(":")
uplinks = Uplinks([f"B0{number:014X}" for number in range(1000)], seed=first)
bodies = [uplinks.make(first + number)[:2] for number in range(count)]
client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=f"pub{first}")
client.max_inflight_messages_set(0)
client.max_queued_messages_set(0)
client.connect(host, int(port))
client.loop_start()
infos = [client.publish(topic, body, qos=1) for topic, body in bodies]
infos[-1].wait_for_publish(120)
client.loop_stop()
client.disconnect()
"""


def main() -> int:
    messages = int(sys.argv[1]) if len(sys.argv) > 1 else MESSAGES
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else ROUNDS
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clocher.config.settings")
    os.environ.setdefault("CLOCHER_DATA_DIR", str(Path("var/bench-mqtt-receive").resolve()))
    import django

    django.setup()
    import paho.mqtt.client as paho_client
    from paho.mqtt.properties import Properties
    from paho.mqtt.reasoncodes import ReasonCode

    from clocher.iot import mqtt
    from clocher.iot.bench import APPLICATION, private_mosquitto
    from clocher.iot.models import Integration

    class ReceiveOnlyWorker(mqtt.IngestWorker):
        """The worker, acknowledging each batch as soon as it is read (no database)."""

        def __init__(self, total: int, **options: object) -> None:
            super().__init__(**options)  # type: ignore[arg-type]
            self.total = total
            self.received = 0
            self.measured = 0  # messages after the first batch (connected, subscribed)
            self.started = 0.0
            self.cpu = 0.0

        def _store(self, client: paho_client.Client, batch: list[paho_client.MQTTMessage]) -> None:
            if self.received:
                self.measured += len(batch)
            else:
                self.started = time.process_time()
            for message in batch:
                client.ack(message.mid, message.qos)
            self.received += len(batch)
            if self.received >= self.total:
                self.cpu = time.process_time() - self.started
                self.stop()

    variants = {
        "paho's tables": (Properties, ReasonCode),
        "shared tables": (mqtt.SharedTableProperties, mqtt.SharedTableReasonCode),
    }
    results: dict[str, list[float]] = {name: [] for name in variants}
    mqtt.settle_garbage_collector()
    with private_mosquitto() as url:
        print(f"broker: {url}; {messages} messages per round, {rounds} rounds per variant")
        for number in range(rounds * len(variants)):
            name = list(variants)[number % len(variants)]
            worker = ReceiveOnlyWorker(
                messages,
                integration=Integration(kind="chirpstack", token_prefix="cit_bench"),
                broker=mqtt.parse_broker_url(url),
                applications=[APPLICATION],
                client_id=f"bench-receive-{number}",
                group=f"bench{number}",  # a group of its own: no session of an earlier round
                session_expiry_s=60,
            )
            paho_client.Properties, paho_client.ReasonCode = variants[name]  # type: ignore[misc]
            thread = threading.Thread(target=worker.run, daemon=True)
            thread.start()
            if not worker.subscribed.wait(10):
                raise SystemExit("the worker did not subscribe")
            publisher = subprocess.run(
                [sys.executable, "-c", PUBLISHER, url, str(messages), str(number * messages)],
                check=False,
                timeout=600,
            )
            thread.join(120)
            if publisher.returncode or thread.is_alive() or not worker.cpu:
                raise SystemExit(f"round {number + 1} did not complete")
            per_message = worker.cpu / worker.measured * 1e6
            results[name].append(per_message)
            print(f"  round {number + 1:2d}, {name}: {per_message:6.1f} µs of worker CPU a message")
    medians = {name: statistics.median(values) for name, values in results.items()}
    for name, median in medians.items():
        print(f"{name:14s}: median {median:6.1f} µs a message")
    ratio = medians["shared tables"] / medians["paho's tables"]
    print(f"ratio shared / paho's: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
