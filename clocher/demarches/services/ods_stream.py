"""Writing an OpenDocument spreadsheet (ODS) row by row into a stream that cannot seek back.

An ODS file is a ZIP archive (ODF 1.2, part 3): ``mimetype`` first, stored uncompressed with no
extra field; then ``META-INF/manifest.xml``, ``styles.xml`` and ``content.xml``. Python's
``zipfile`` can write to a non-seekable stream, but it then marks *every* member with a data
descriptor — the ``mimetype`` member included, which office suites reject as a damaged file. So
this module writes the few ZIP structures itself (APPNOTE 6.3: local headers, data descriptors,
central directory): ``mimetype`` with its CRC and sizes known in advance, the other members
deflated as they come, with a data descriptor after them. ``content.xml`` is never held whole:
each row is escaped, compressed and handed to the sink at once.

Limits: no ZIP64, so at most 4 GiB per member and in all (an export is far below).
"""

from __future__ import annotations

import datetime
import re
import struct
import zlib
from typing import Any, BinaryIO
from xml.sax.saxutils import escape, quoteattr

MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_LIMIT = 0xFFFFFFFF
# Characters XML 1.0 forbids: dropped (a hostile answer must not break the file).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    b'manifest:version="1.2">'
    b'<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
    b'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    b'<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
    b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    b"</manifest:manifest>"
)
_STYLES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<office:document-styles xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    b'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" office:version="1.2">'
    b"<office:styles>"
    b'<number:date-style style:name="date-fr"><number:day number:style="long"/>'
    b'<number:text>/</number:text><number:month number:style="long"/>'
    b'<number:text>/</number:text><number:year number:style="long"/></number:date-style>'
    b'<style:style style:name="date" style:family="table-cell" '
    b'style:data-style-name="date-fr"/>'
    b'<number:date-style style:name="datetime-fr"><number:day number:style="long"/>'
    b'<number:text>/</number:text><number:month number:style="long"/>'
    b'<number:text>/</number:text><number:year number:style="long"/><number:text> </number:text>'
    b'<number:hours number:style="long"/><number:text>:</number:text>'
    b'<number:minutes number:style="long"/></number:date-style>'
    b'<style:style style:name="datetime" style:family="table-cell" '
    b'style:data-style-name="datetime-fr"/>'
    b"</office:styles></office:document-styles>"
)
_CONTENT_START = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    "<office:body><office:spreadsheet>"
)
_CONTENT_END = "</office:spreadsheet></office:body></office:document-content>"


def _dos_time(moment: datetime.datetime) -> tuple[int, int]:
    time = (moment.hour << 11) | (moment.minute << 5) | (moment.second // 2)
    date = ((max(moment.year, 1980) - 1980) << 9) | (moment.month << 5) | moment.day
    return time, date


class _Member:
    """One deflated member being written; its CRC and sizes follow it (data descriptor)."""

    def __init__(self, archive: StreamingZip, name: bytes, offset: int) -> None:
        self._archive = archive
        self.name = name
        self.offset = offset
        self.crc = 0
        self.size = 0
        self.compressed_size = 0
        self._compressor = zlib.compressobj(6, zlib.DEFLATED, -15)

    def write(self, data: bytes) -> None:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        self._emit(self._compressor.compress(data))

    def _emit(self, data: bytes) -> None:
        if data:
            self.compressed_size += len(data)
            self._archive.write_raw(data)

    def close(self) -> None:
        self._emit(self._compressor.flush())
        if self.size > _LIMIT or self.compressed_size > _LIMIT:
            raise ValueError("A spreadsheet member is over 4 GiB: export in CSV instead.")
        self._archive.write_raw(
            struct.pack("<IIII", 0x08074B50, self.crc, self.compressed_size, self.size)
        )
        self._archive.record(self, flags=0x08, method=8)


class StreamingZip:
    """A write-once ZIP archive on a forward-only binary sink."""

    def __init__(self, sink: BinaryIO | Any, *, now: datetime.datetime | None = None) -> None:
        self._sink = sink
        self._offset = 0
        self._entries: list[tuple[Any, int, int]] = []
        self._time, self._date = _dos_time(now or datetime.datetime.now())

    def write_raw(self, data: bytes) -> None:
        self._sink.write(data)
        self._offset += len(data)

    def _local_header(
        self, name: bytes, *, flags: int, method: int, crc: int, size: int, compressed_size: int
    ) -> None:
        self.write_raw(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                20,
                flags,
                method,
                self._time,
                self._date,
                crc,
                compressed_size,
                size,
                len(name),
                0,
            )
            + name
        )

    def add_stored(self, name: str, data: bytes) -> None:
        """A small member stored as is, its CRC and size in its header (no data descriptor)."""
        encoded = name.encode()
        member = _Member(self, encoded, self._offset)
        member.crc = zlib.crc32(data)
        member.size = member.compressed_size = len(data)
        self._local_header(
            encoded, flags=0, method=0, crc=member.crc, size=len(data), compressed_size=len(data)
        )
        self.write_raw(data)
        self.record(member, flags=0, method=0)

    def open_deflated(self, name: str) -> _Member:
        encoded = name.encode()
        member = _Member(self, encoded, self._offset)
        self._local_header(encoded, flags=0x08, method=8, crc=0, size=0, compressed_size=0)
        return member

    def add_deflated(self, name: str, data: bytes) -> None:
        member = self.open_deflated(name)
        member.write(data)
        member.close()

    def record(self, member: _Member, *, flags: int, method: int) -> None:
        self._entries.append((member, flags, method))

    def close(self) -> None:
        """Write the central directory and its end record."""
        start = self._offset
        for member, flags, method in self._entries:
            self.write_raw(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    20,
                    20,
                    flags,
                    method,
                    self._time,
                    self._date,
                    member.crc,
                    member.compressed_size,
                    member.size,
                    len(member.name),
                    0,
                    0,
                    0,
                    0,
                    0,
                    member.offset,
                )
                + member.name
            )
        size = self._offset - start
        if start > _LIMIT or self._offset > _LIMIT:
            raise ValueError("The spreadsheet is over 4 GiB: export in CSV instead.")
        count = len(self._entries)
        self.write_raw(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, size, start, 0))


def _text(value: str) -> str:
    lines = _NOT_XML.sub("", value).split("\n")
    return "".join(f"<text:p>{escape(line)}</text:p>" for line in lines)


def cell_xml(value: Any) -> str:
    """One cell: numbers and dates typed (so the sheet can sum and sort them), text as text."""
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, bool):
        value = "Oui" if value else "Non"
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"{_text(str(value))}</table:table-cell>"
        )
    if isinstance(value, datetime.datetime):
        return (
            f'<table:table-cell office:value-type="date" '
            f'office:date-value="{value.replace(tzinfo=None).isoformat(timespec="seconds")}" '
            f'table:style-name="datetime">'
            f"{_text(value.strftime('%d/%m/%Y %H:%M'))}</table:table-cell>"
        )
    if isinstance(value, datetime.date):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}" '
            f'table:style-name="date">{_text(value.strftime("%d/%m/%Y"))}</table:table-cell>'
        )
    return f'<table:table-cell office:value-type="string">{_text(str(value))}</table:table-cell>'


class OdsWriter:
    """``write_row`` as many times as needed, then ``close``: one sheet with a heading row."""

    def __init__(self, sink: BinaryIO | Any, *, sheet_name: str, columns: list[str]) -> None:
        self._zip = StreamingZip(sink)
        self._zip.add_stored("mimetype", MIMETYPE)
        self._zip.add_deflated("META-INF/manifest.xml", _MANIFEST)
        self._zip.add_deflated("styles.xml", _STYLES)
        self._content = self._zip.open_deflated("content.xml")
        heading = "".join(cell_xml(str(column)) for column in columns)
        self._write(
            _CONTENT_START
            + f"<table:table table:name={quoteattr(_NOT_XML.sub('', sheet_name)[:31])}>"
            + f'<table:table-column table:number-columns-repeated="{max(len(columns), 1)}"/>'
            + f"<table:table-header-rows><table:table-row>{heading}</table:table-row>"
            + "</table:table-header-rows>"
        )

    def _write(self, text: str) -> None:
        self._content.write(text.encode())

    def write_row(self, values: list[Any]) -> None:
        self._write(
            "<table:table-row>" + "".join(cell_xml(v) for v in values) + "</table:table-row>"
        )

    def close(self) -> None:
        self._write("</table:table>" + _CONTENT_END)
        self._content.close()
        self._zip.close()
