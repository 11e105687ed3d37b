"""Downlinks: the topic and JSON body of a command, and publishing them to the MQTT broker.

- ChirpStack v4: ``application/{application_id}/device/{dev_eui}/command/down`` with
  ``{"id", "devEui", "confirmed", "fPort", "data"|"object"}``; ChirpStack keeps our ``id`` as the
  queue item id, so its ``ack`` and ``txack`` events name the command (``queueItemId``).
- The Things Stack v3: ``v3/{application_id}[@{tenant_id}]/devices/{device_id}/down/push`` with
  ``{"downlinks": [{"f_port", "frm_payload"|"decoded_payload", "priority", "confirmed",
  "correlation_ids": ["clocher:cmd:{id}"]}]}``; its ``down/*`` events carry that correlation id.

``Publisher`` connects once (MQTT 3.1.1, which both network servers' brokers speak), publishes each
message with QoS 1 and waits for the broker's PUBACK: a command is "sent" only once the broker has
taken it. A broker that is down, refuses the connection or does not answer raises
``BrokerUnavailable`` with the reason, and the command is retried later.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import paho.mqtt.client as mqtt
from django.conf import settings
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from clocher.iot.command_profiles import EncodedCommand
from clocher.iot.mqtt import BrokerAddress, BrokerUrlError, parse_broker_url
from clocher.iot.network import MessageRejected
from clocher.iot.network.chirpstack import chirpstack_downlink
from clocher.iot.network.tts import tts_downlink

QOS = 1
DEFAULT_TIMEOUT_S = 10.0
_TOPIC_UNSAFE = frozenset("/+#\x00")


class DownlinkError(Exception):
    """A command that cannot be published (reason in English, shown in the journal)."""


class DeviceNotAddressable(DownlinkError):
    """The device's application (and TTS device id) on the network server is not known."""


class BrokerUnavailable(DownlinkError):
    """The broker is not configured, refused us, or did not acknowledge in time."""


def _identifier(value: str, what: str) -> str:
    if not value or any(char in _TOPIC_UNSAFE for char in value) or value.startswith("$"):
        raise DeviceNotAddressable(f"{what} {value!r} cannot be used in a topic")
    return value


def chirpstack_message(
    *, application_id: str, dev_eui: str, encoded: EncodedCommand, downlink_id: uuid.UUID
) -> tuple[str, dict[str, Any]]:
    """Topic and body of a ChirpStack ``command/down``."""
    application = _identifier(application_id, "ChirpStack application")
    try:
        suffix, body = chirpstack_downlink(
            dev_eui, encoded.f_port, encoded.payload, encoded.confirmed, id=str(downlink_id)
        )
    except MessageRejected as error:
        raise DownlinkError(str(error)) from None
    return f"application/{application}/{suffix}", body


def tts_message(
    *,
    application_id: str,
    device_id: str,
    encoded: EncodedCommand,
    correlation_id: str,
) -> tuple[str, dict[str, Any]]:
    """Topic and body of a The Things Stack ``down/push`` (``application_id`` may be
    ``app@tenant`` on The Things Stack Cloud)."""
    application, _at, tenant = application_id.partition("@")
    prefix = _identifier(application, "The Things Stack application")
    if tenant:
        prefix = f"{prefix}@{_identifier(tenant, 'The Things Stack tenant')}"
    device = _identifier(device_id, "The Things Stack device")
    try:
        body = tts_downlink(encoded.f_port, encoded.payload, encoded.confirmed, correlation_id)
    except MessageRejected as error:
        raise DownlinkError(str(error)) from None
    return f"v3/{prefix}/devices/{device}/down/push", body


def broker_url_for(network: str) -> str:
    """The broker that carries ``network``'s downlinks (settings; may be empty)."""
    if network == "tts" and settings.IOT_TTS_DOWNLINK_MQTT_URL:
        return str(settings.IOT_TTS_DOWNLINK_MQTT_URL)
    return str(settings.IOT_DOWNLINK_MQTT_URL or settings.IOT_MQTT_URL or "")


def encode_body(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class Publisher:
    """One MQTT connection to publish downlinks with QoS 1 (use as a context manager)."""

    def __init__(
        self,
        broker: BrokerAddress | str,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        client_id: str | None = None,
    ) -> None:
        if isinstance(broker, str):
            if not broker:
                raise BrokerUnavailable(
                    "no MQTT broker configured for downlinks (CLOCHER_IOT_DOWNLINK_MQTT_URL)"
                )
            try:
                broker = parse_broker_url(broker)
            except BrokerUrlError as error:
                raise BrokerUnavailable(str(error)) from None
        self.broker = broker
        self.timeout_s = timeout_s
        self._connected = threading.Event()
        self._refusal: str | None = None
        self.client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=client_id or f"clocher-downlinks-{uuid.uuid4().hex[:16]}",
            clean_session=True,
            protocol=MQTTProtocolVersion.MQTTv311,
            reconnect_on_failure=False,
        )
        if broker.username is not None:
            self.client.username_pw_set(broker.username, broker.password)
        if broker.tls:
            self.client.tls_set()
        self.client.on_connect = self._on_connect

    def _on_connect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if reason.is_failure:
            self._refusal = str(reason)
        self._connected.set()

    def connect(self) -> None:
        try:
            self.client.connect(self.broker.host, self.broker.port, keepalive=30)
        except (OSError, ValueError) as error:
            raise BrokerUnavailable(f"cannot reach {self.broker}: {error}") from None
        self.client.loop_start()
        if not self._connected.wait(self.timeout_s):
            self.close()
            raise BrokerUnavailable(f"{self.broker} did not answer within {self.timeout_s:g} s")
        if self._refusal is not None:
            self.close()
            raise BrokerUnavailable(f"{self.broker} refused the connection: {self._refusal}")

    def publish(self, topic: str, body: Mapping[str, Any]) -> None:
        """Publish with QoS 1; return once the broker has acknowledged (PUBACK)."""
        info = self.client.publish(topic, encode_body(body), qos=QOS)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise BrokerUnavailable(f"{self.broker}: {mqtt.error_string(info.rc)}")
        try:
            info.wait_for_publish(timeout=self.timeout_s)
        except (RuntimeError, ValueError) as error:
            raise BrokerUnavailable(f"{self.broker}: {error}") from None
        if not info.is_published():
            raise BrokerUnavailable(
                f"{self.broker} did not acknowledge the message within {self.timeout_s:g} s"
            )

    def close(self) -> None:
        try:
            self.client.disconnect()
        finally:
            self.client.loop_stop()

    def __enter__(self) -> Publisher:
        self.connect()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()
