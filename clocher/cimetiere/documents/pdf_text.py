"""Read back the text of a PDF drawn by ``documents.pdf`` (fpdf2, embedded TrueType subsets).

Enough of a PDF reader for our own output, so that tests (and a curious operator) can check
what a document says without a PDF library: objects, Flate streams, each font's ``ToUnicode``
map, and the text-showing operators of the page content streams.
"""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj")
_LENGTH = re.compile(rb"/Length (\d+)")
_FONT_RESOURCE = re.compile(rb"/(F\d+) (\d+) 0 R")
_TO_UNICODE = re.compile(rb"/ToUnicode (\d+) 0 R")
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")
_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Each object's dictionary and (decompressed) stream, read in order: a stream is skipped by
    its ``/Length``, so binary font data can never be mistaken for PDF syntax."""
    found: dict[int, tuple[bytes, bytes | None]] = {}
    position = 0
    while (match := _OBJECT.search(data, position)) is not None:
        start = match.end()
        stream_at = data.find(b"stream", start)
        end_at = data.find(b"endobj", start)
        if end_at == -1:
            break
        content = None
        if stream_at != -1 and stream_at < end_at:
            head = data[start:stream_at]
            length = _LENGTH.search(head)
            offset = stream_at + len(b"stream")
            offset += 2 if data[offset : offset + 2] == b"\r\n" else 1
            size = int(length.group(1)) if length else 0
            content = data[offset : offset + size]
            if b"/FlateDecode" in head:
                content = zlib.decompress(content)
            end_at = data.find(b"endobj", offset + size)
        else:
            head = data[start:end_at]
        found[int(match.group(1))] = (head, content)
        position = end_at + len(b"endobj")
    return found


def _unicode_map(cmap: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in _BFCHAR.findall(cmap):
        codes = _HEX.findall(block)
        for source, target in zip(codes[::2], codes[1::2], strict=False):
            mapping[int(source, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be")
    for block in _BFRANGE.findall(cmap):
        for line in block.strip().splitlines():
            codes = _HEX.findall(line)
            if len(codes) < 3:
                continue
            start, end, first = (int(code, 16) for code in codes[:3])
            for offset in range(end - start + 1):
                mapping[start + offset] = chr(first + offset)
    return mapping


def _literal(content: bytes, index: int) -> tuple[bytes, int]:
    """The literal string starting after the ``(`` at ``index``; returns (bytes, next index)."""
    out = bytearray()
    depth = 1
    while index < len(content):
        char = content[index]
        if char == ord("\\"):
            following = content[index + 1]
            if following in _ESCAPES:
                out += _ESCAPES[following]
                index += 2
            elif chr(following).isdigit():
                digits = re.match(rb"[0-7]{1,3}", content[index + 1 : index + 4])
                assert digits is not None
                out.append(int(digits.group(0), 8) & 0xFF)
                index += 1 + len(digits.group(0))
            else:
                out.append(following)
                index += 2
            continue
        if char == ord("("):
            depth += 1
        elif char == ord(")"):
            depth -= 1
            if depth == 0:
                return bytes(out), index + 1
        out.append(char)
        index += 1
    return bytes(out), index


def _decode(raw: bytes, mapping: dict[int, str]) -> str:
    return "".join(
        mapping.get(int.from_bytes(raw[i : i + 2], "big"), "") for i in range(0, len(raw) - 1, 2)
    )


def _content_text(content: bytes, fonts: dict[bytes, dict[int, str]]) -> str:
    text: list[str] = []
    mapping: dict[int, str] = {}
    index = 0
    last_name = b""
    while index < len(content):
        char = content[index]
        if char == ord("("):
            raw, index = _literal(content, index + 1)
            text.append(_decode(raw, mapping))
            continue
        if char == ord("/"):
            name = re.match(rb"/([A-Za-z0-9]+)", content[index:])
            assert name is not None
            last_name = name.group(1)
            index += len(name.group(0))
            continue
        if content.startswith(b"Tf", index) and last_name in fonts:
            mapping = fonts[last_name]
        elif content.startswith(b"ET", index):
            text.append("\n")
        index += 1
    return "".join(text)


def pdf_text(data: bytes) -> str:
    """All the text drawn in ``data``, page after page, one line per text object."""
    objects = _objects(data)
    cmaps = {
        number: _unicode_map(content)
        for number, (_body, content) in objects.items()
        if content is not None and (b"beginbfchar" in content or b"beginbfrange" in content)
    }
    fonts: dict[bytes, dict[int, str]] = {}
    for name, number in set(_FONT_RESOURCE.findall(data)):
        body, _content = objects.get(int(number), (b"", None))
        to_unicode = _TO_UNICODE.search(body)
        if to_unicode is not None:
            fonts[name] = cmaps.get(int(to_unicode.group(1)), {})
    pages = []
    for _number, (body, content) in sorted(objects.items()):
        if content is None or b"/Length1" in body or b"beginbf" in content:
            continue
        if b"BT" in content and (b"Tj" in content or b"TJ" in content):
            pages.append(_content_text(content, fonts))
    return "".join(pages)


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
