"""paho's properties and reason codes built on shared tables (``mqtt.SharedTableProperties``,
``mqtt.SharedTableReasonCode``): the same packets, the same checks, no state shared between
objects. The round trips run against paho's own classes, so an upgrade that changes them fails
here first."""

from __future__ import annotations

import paho.mqtt
import paho.mqtt.client as paho_client
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import MQTTException, Properties
from paho.mqtt.reasoncodes import ReasonCode

from clocher.iot import mqtt as iot_mqtt
from clocher.iot.mqtt import SharedTableProperties, SharedTableReasonCode


def publish_properties(kind: type[Properties]) -> Properties:
    properties = kind(PacketTypes.PUBLISH)
    properties.PayloadFormatIndicator = 1
    properties.MessageExpiryInterval = 3600
    properties.ContentType = "application/json"
    properties.ResponseTopic = "réponses/capteur"
    properties.CorrelationData = b"\x00\x01corr"
    properties.UserProperty = ("commune", "Saint-Éloi")
    properties.UserProperty = ("site", "école")
    properties.SubscriptionIdentifier = 7
    return properties


def test_this_is_the_paho_whose_tables_are_shared() -> None:
    """The classes copy what paho 2.1.0 builds: check them against a new version, then move
    ``PAHO_WITH_PER_PACKET_TABLES`` (with another version they are not used at all)."""
    assert paho.mqtt.__version__ == iot_mqtt.PAHO_WITH_PER_PACKET_TABLES


@pytest.mark.parametrize(
    ("writer", "reader"),
    [(Properties, SharedTableProperties), (SharedTableProperties, Properties)],
)
def test_properties_round_trip_between_paho_and_shared_tables(
    writer: type[Properties], reader: type[Properties]
) -> None:
    packed = publish_properties(writer).pack()
    assert packed == publish_properties(Properties).pack()
    read = reader(PacketTypes.PUBLISH)
    read.unpack(packed)
    expected = Properties(PacketTypes.PUBLISH)
    expected.unpack(packed)
    assert read.json() == expected.json()
    assert read.json()["UserProperty"] == [("commune", "Saint-Éloi"), ("site", "école")]
    assert str(read) == str(expected)


def test_shared_tables_keep_each_objects_properties_its_own() -> None:
    first = SharedTableProperties(PacketTypes.PUBLISH)
    second = SharedTableProperties(PacketTypes.PUBLISH)
    first.ContentType = "text/plain"
    first.UserProperty = ("a", "1")
    assert second.isEmpty()
    assert not hasattr(second, "ContentType")
    assert first.names is second.names  # the tables are shared, not the values

    first.clear()
    assert first.isEmpty()
    assert first.packetType == PacketTypes.PUBLISH
    assert first.names == Properties(PacketTypes.PUBLISH).names
    first.UserProperty = ("b", "2")  # a list property starts again after clear
    assert getattr(first, "UserProperty") == [("b", "2")]  # noqa: B009 - set by paho


def test_reading_again_replaces_what_an_object_held() -> None:
    """paho reads each packet into an emptied object (``unpack`` starts with ``clear``)."""
    properties = SharedTableProperties(PacketTypes.PUBLISH)
    properties.unpack(publish_properties(Properties).pack())
    bare = Properties(PacketTypes.PUBLISH)
    bare.ContentType = "text/csv"
    properties.unpack(bare.pack())
    assert properties.json() == {"ContentType": "text/csv"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ReceiveMaximum", 10),  # a CONNECT property, not a PUBLISH one
        ("NoSuchProperty", 1),
        ("PayloadFormatIndicator", 2),  # 0 or 1
    ],
)
def test_shared_tables_refuse_what_paho_refuses(name: str, value: int) -> None:
    with pytest.raises(MQTTException):
        setattr(Properties(PacketTypes.PUBLISH), name, value)
    with pytest.raises(MQTTException):
        setattr(SharedTableProperties(PacketTypes.PUBLISH), name, value)


@pytest.mark.parametrize(
    ("packet_type", "name", "identifier"),
    [
        (PacketTypes.PUBACK, "Success", -1),
        (PacketTypes.DISCONNECT, "Success", -1),  # becomes "Normal disconnection"
        (PacketTypes.CONNACK, "Not authorized", -1),
        (PacketTypes.SUBACK, "Granted QoS 1", -1),
        (PacketTypes.PUBACK, "Success", 16),  # "No matching subscribers"
        (PacketTypes.CONNACK, "Success", 0x9F),  # "Connection rate exceeded"
    ],
)
def test_reason_codes_match_paho(packet_type: int, name: str, identifier: int) -> None:
    shared = SharedTableReasonCode(packet_type, name, identifier)
    own = ReasonCode(packet_type, name, identifier)
    assert (shared.value, shared.getName(), shared.is_failure) == (
        own.value,
        own.getName(),
        own.is_failure,
    )
    assert shared == own
    assert shared.pack() == own.pack()


def test_reason_codes_refuse_what_paho_refuses() -> None:
    with pytest.raises(KeyError):
        ReasonCode(PacketTypes.PUBACK, "Granted QoS 1")
    with pytest.raises(KeyError):
        SharedTableReasonCode(PacketTypes.PUBACK, "Granted QoS 1")
    with pytest.raises(ValueError, match="Expected exactly one name"):
        SharedTableReasonCode(PacketTypes.PUBACK, identifier=0x84)  # a CONNACK code


def test_worker_puts_the_shared_tables_in_paho_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(paho_client, "Properties", Properties)
    monkeypatch.setattr(paho_client, "ReasonCode", ReasonCode)
    iot_mqtt.IngestWorker(
        integration=iot_mqtt.Integration(kind="chirpstack", token_prefix="cit_test"),
        broker=iot_mqtt.parse_broker_url("mqtt://127.0.0.1:1"),
    )
    assert paho_client.Properties is SharedTableProperties
    assert paho_client.ReasonCode is SharedTableReasonCode


def test_another_paho_version_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paho_client, "Properties", Properties)
    monkeypatch.setattr(paho_client, "ReasonCode", ReasonCode)
    monkeypatch.setattr(paho.mqtt, "__version__", "9.0.0")
    iot_mqtt.use_shared_paho_tables()
    assert paho_client.Properties is Properties
    assert paho_client.ReasonCode is ReasonCode
