"""Bounds-checked reading of binary frames: a short frame raises DecodeError, never IndexError."""

from __future__ import annotations

from typing import Literal

from clocher.iot.codecs import DecodeError

ByteOrder = Literal["big", "little"]


class FrameReader:
    """Reads a frame from left to right; every read checks that the bytes are there."""

    def __init__(self, payload: bytes, *, model: str) -> None:
        self.payload = payload
        self.position = 0
        self.model = model

    @property
    def remaining(self) -> int:
        return len(self.payload) - self.position

    def take(self, size: int, what: str) -> bytes:
        if size > self.remaining:
            raise DecodeError(
                f"{self.model}: truncated frame, {what} needs {size} byte(s) at offset "
                f"{self.position} but {self.remaining} remain"
            )
        chunk = self.payload[self.position : self.position + size]
        self.position += size
        return chunk

    def unsigned(self, size: int, what: str, *, byteorder: ByteOrder = "big") -> int:
        return int.from_bytes(self.take(size, what), byteorder, signed=False)

    def signed(self, size: int, what: str, *, byteorder: ByteOrder = "big") -> int:
        return int.from_bytes(self.take(size, what), byteorder, signed=True)
