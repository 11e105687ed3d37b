"""Milesight sensors (EM500, EM310 families): a frame is a sequence of channels.

Format from Milesight's public payload descriptions: each channel is a channel id byte, a
channel type byte and a value whose size the pair fixes; multi-byte values are little-endian.
Channel 0xFF carries device information (sent after power-on). An unknown pair stops
decoding, since the size of its value is unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from clocher.iot.codecs import BuiltinDecoder, DecodeError, DecodeResult
from clocher.iot.codecs.builtin.frames import FrameReader

ChannelReader = Callable[[FrameReader], dict[str, Any]]


def _battery(reader: FrameReader) -> dict[str, Any]:
    return {"battery": reader.unsigned(1, "battery")}  # %


def _temperature(reader: FrameReader) -> dict[str, Any]:
    return {"temperature": reader.signed(2, "temperature", byteorder="little") / 10}  # °C


def _humidity(reader: FrameReader) -> dict[str, Any]:
    return {"humidity": reader.unsigned(1, "humidity") / 2}  # %


def _co2(reader: FrameReader) -> dict[str, Any]:
    return {"co2": reader.unsigned(2, "co2", byteorder="little")}  # ppm


def _pressure(reader: FrameReader) -> dict[str, Any]:
    return {"pressure": reader.unsigned(2, "pressure", byteorder="little") / 10}  # hPa


def _distance(reader: FrameReader) -> dict[str, Any]:
    return {"distance": reader.unsigned(2, "distance", byteorder="little")}  # mm


def _tilt(reader: FrameReader) -> dict[str, Any]:
    value = reader.unsigned(1, "tilt")
    if value not in (0, 1):
        raise DecodeError(f"Milesight: unknown position value {value}")
    return {"tilt": "tilt" if value else "normal"}


def _device_information(key: str, size: int) -> ChannelReader:
    def read(reader: FrameReader) -> dict[str, Any]:
        return {key: reader.take(size, key).hex()}

    return read


DEVICE_INFORMATION: dict[tuple[int, int], ChannelReader] = {
    (0xFF, 0x01): _device_information("ipsoVersion", 1),
    (0xFF, 0x09): _device_information("hardwareVersion", 2),
    (0xFF, 0x0A): _device_information("firmwareVersion", 2),
    (0xFF, 0x0B): _device_information("powerOn", 1),
    (0xFF, 0x0F): _device_information("lorawanClass", 1),
    (0xFF, 0x16): _device_information("serialNumber", 8),
}


class MilesightDecoder(BuiltinDecoder):
    """Shared channel loop; each model lists the channels it sends."""

    channels: dict[tuple[int, int], ChannelReader]

    def decode_frame(
        self, payload: bytes, f_port: int, received_at: datetime | None
    ) -> DecodeResult:
        reader = FrameReader(payload, model=self.model)
        data: dict[str, Any] = {}
        while reader.remaining:
            offset = reader.position
            channel = (reader.unsigned(1, "channel id"), reader.unsigned(1, "channel type"))
            channel_reader = self.channels.get(channel) or DEVICE_INFORMATION.get(channel)
            if channel_reader is None:
                raise DecodeError(
                    f"Milesight: unknown channel 0x{channel[0]:02X} 0x{channel[1]:02X} "
                    f"at offset {offset}"
                )
            data.update(channel_reader(reader))
        return DecodeResult(data=data)


class MilesightEm500Co2Decoder(MilesightDecoder):
    slug = "milesight-em500-co2"
    model = "Milesight EM500-CO2 — capteur de CO2, température, humidité et pression"
    quantities = {
        "battery": "%",
        "temperature": "°C",
        "humidity": "%",
        "co2": "ppm",
        "pressure": "hPa",
    }
    channels = {
        (0x01, 0x75): _battery,
        (0x03, 0x67): _temperature,
        (0x04, 0x68): _humidity,
        (0x05, 0x7D): _co2,
        (0x06, 0x73): _pressure,
    }


class MilesightEm310UdlDecoder(MilesightDecoder):
    slug = "milesight-em310-udl"
    model = "Milesight EM310-UDL — capteur de niveau à ultrasons (conteneurs, cuves)"
    quantities = {"battery": "%", "distance": "mm"}
    channels = {
        (0x01, 0x75): _battery,
        (0x03, 0x82): _distance,
        (0x04, 0x00): _tilt,
    }
