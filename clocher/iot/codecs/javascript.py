"""JavaScript payload codecs in the TTN / ChirpStack convention, run in a QuickJS sandbox.

A device profile may carry a codec written for The Things Stack or ChirpStack:
``decodeUplink(input)`` with ``input = {bytes, fPort, recvTime, variables}`` returning
``{data, warnings, errors}``, and optionally ``encodeDownlink({data, variables})`` returning
``{bytes, fPort, warnings, errors}``.

Each call runs in a fresh QuickJS runtime (as ChirpStack does): no global set by one uplink is
seen by the next, whatever the device or the codec. The runtime is evaluated in sloppy mode (TTN
codecs use undeclared loop variables), has only the ECMAScript built-ins (no ``require``,
``fetch``, ``XMLHttpRequest``, ``process``, nor QuickJS's ``std``/``os`` modules), and is bounded
by a time limit and a memory limit. Note that QuickJS measures the time limit with ``clock()``,
the CPU time of the whole process.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from typing import Any, TypedDict

import quickjs

MAX_SOURCE_BYTES = 40 * 1024
DEFAULT_TIME_LIMIT_MS = 100
DEFAULT_MEMORY_LIMIT_BYTES = 16 * 2**20

_RUNNER_NAME = "__clocherRunCodec"
# Evaluated before the codec: keeps its own references to JSON and Date so that a codec
# redefining them cannot break the conversion, and converts the output to JSON inside the
# time-limited call (a toJSON() or getter that loops is stopped like any other loop).
_PRELUDE = """
(function (global) {
  var stringify = JSON.stringify;
  var parse = JSON.parse;
  var DateConstructor = Date;
  var TypeErrorConstructor = TypeError;
  function run(entryPoint, inputJson) {
    var entry = global[entryPoint];
    if (typeof entry !== 'function') {
      return stringify(['missing', null]);
    }
    var input = parse(inputJson);
    if (typeof input.recvTime === 'string') {
      input.recvTime = new DateConstructor(input.recvTime);
    }
    var output = entry(input);
    var text;
    try {
      text = stringify(['ok', output === undefined ? null : output]);
    } catch (error) {
      if (!(error instanceof TypeErrorConstructor)) {
        throw error;
      }
      return stringify(['unserialisable', String(error)]);
    }
    return text;
  }
  Object.defineProperty(global, '__RUNNER__', {value: run});
})(this);
""".replace("__RUNNER__", _RUNNER_NAME)

_LINE_PATTERN = re.compile(r"<input>:(\d+)")


class JavaScriptCodecError(Exception):
    """Base class of the errors raised while loading or running a JavaScript codec."""


class CodecSourceInvalid(JavaScriptCodecError):
    """The codec source is too large, does not parse, or lacks the required function."""


class CodecFailed(JavaScriptCodecError):
    """The codec threw an exception (the message is the JavaScript one)."""


class CodecReportedErrors(CodecFailed):
    """The codec returned a non-empty ``errors`` list."""

    def __init__(self, errors: list[str], warnings: list[str]) -> None:
        super().__init__("codec reported errors: " + "; ".join(errors))
        self.errors = errors
        self.warnings = warnings


class CodecTimeout(JavaScriptCodecError):
    """The codec ran longer than its time limit and was stopped."""


class CodecMemoryExceeded(JavaScriptCodecError):
    """The codec allocated more than its memory limit."""


class CodecOutputInvalid(JavaScriptCodecError):
    """The codec returned something that is not JSON or not of the expected shape."""


class DecodedUplink(TypedDict):
    data: dict[str, Any]
    warnings: list[str]
    errors: list[str]


class EncodedDownlink(TypedDict):
    bytes: bytes
    fPort: int | None
    warnings: list[str]
    errors: list[str]


class JavaScriptCodec:
    """A TTN / ChirpStack JavaScript codec, run sandboxed with a time and memory limit."""

    def __init__(
        self,
        source: str,
        *,
        time_limit_ms: int = DEFAULT_TIME_LIMIT_MS,
        memory_limit_bytes: int = DEFAULT_MEMORY_LIMIT_BYTES,
    ) -> None:
        size = len(source.encode("utf-8"))
        if size > MAX_SOURCE_BYTES:
            raise CodecSourceInvalid(
                f"codec source is {size} bytes, more than the {MAX_SOURCE_BYTES} bytes allowed"
            )
        if time_limit_ms <= 0 or memory_limit_bytes <= 0:
            raise ValueError("time_limit_ms and memory_limit_bytes must be positive")
        self.source = source
        self.time_limit_ms = time_limit_ms
        self.memory_limit_bytes = memory_limit_bytes

    def decode_uplink(
        self,
        payload: bytes,
        f_port: int,
        received_at: datetime | None = None,
        variables: dict[str, Any] | None = None,
    ) -> DecodedUplink:
        """Run ``decodeUplink`` on one uplink; raise a ``JavaScriptCodecError`` on failure."""
        if received_at is None:
            received_at = datetime.now(UTC)
        if received_at.tzinfo is None:
            raise ValueError("received_at must be an aware datetime")
        received_text = received_at.astimezone(UTC).isoformat(timespec="milliseconds")
        codec_input = {
            "bytes": list(payload),
            "fPort": f_port,
            "recvTime": received_text.replace("+00:00", "Z"),
            "variables": variables or {},
        }
        output = self._run("decodeUplink", codec_input)
        warnings, errors = _messages(output)
        if errors:
            raise CodecReportedErrors(errors, warnings)
        data = output.get("data")
        if not isinstance(data, dict):
            raise CodecOutputInvalid(
                f"decodeUplink must return an object 'data', got {_json_type(data)}"
            )
        return {"data": data, "warnings": warnings, "errors": []}

    def encode_downlink(
        self, data: dict[str, Any], variables: dict[str, Any] | None = None
    ) -> EncodedDownlink:
        """Run ``encodeDownlink`` on a command; return its bytes as ``bytes``."""
        output = self._run("encodeDownlink", {"data": data, "variables": variables or {}})
        warnings, errors = _messages(output)
        if errors:
            raise CodecReportedErrors(errors, warnings)
        raw_bytes = output.get("bytes")
        if not isinstance(raw_bytes, list) or not all(
            type(item) is int and 0 <= item <= 255 for item in raw_bytes
        ):
            raise CodecOutputInvalid(
                "encodeDownlink must return 'bytes' as an array of integers from 0 to 255"
            )
        f_port = output.get("fPort")
        if f_port is not None and not (type(f_port) is int and 1 <= f_port <= 223):
            raise CodecOutputInvalid("encodeDownlink returned an 'fPort' that is not 1 to 223")
        return {"bytes": bytes(raw_bytes), "fPort": f_port, "warnings": warnings, "errors": []}

    def _run(self, entry_point: str, codec_input: dict[str, Any]) -> dict[str, Any]:
        try:
            input_json = json.dumps(codec_input)
        except (TypeError, ValueError) as error:
            raise ValueError(f"codec input is not JSON-serialisable: {error}") from error
        context = self._new_context()
        deadline = time.monotonic() + self.time_limit_ms / 1000
        self._evaluate(context, self.source, deadline)
        runner = context.get(_RUNNER_NAME)
        self._set_remaining_time(context, deadline)
        try:
            result = runner(entry_point, input_json)
        except quickjs.JSException as error:
            raise self._translate(context, error) from None
        try:
            status, output = json.loads(result)
        except RecursionError:
            raise CodecOutputInvalid(f"{entry_point} returned a value nested too deeply") from None
        if status == "missing":
            raise CodecSourceInvalid(f"the codec does not define a function {entry_point}")
        if status == "unserialisable":
            raise CodecOutputInvalid(f"{entry_point} returned a value that is not JSON: {output}")
        if not isinstance(output, dict):
            raise CodecOutputInvalid(
                f"{entry_point} must return an object, got {_json_type(output)}"
            )
        return output

    def _new_context(self) -> quickjs.Context:
        context = quickjs.Context()
        context.set_memory_limit(self.memory_limit_bytes)
        context.set_time_limit(self.time_limit_ms / 1000)
        context.eval(_PRELUDE)
        return context

    def _set_remaining_time(self, context: quickjs.Context, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise CodecTimeout(f"codec exceeded its time limit of {self.time_limit_ms} ms")
        context.set_time_limit(remaining)

    def _evaluate(self, context: quickjs.Context, source: str, deadline: float) -> None:
        self._set_remaining_time(context, deadline)
        try:
            context.eval(source)
        except quickjs.JSException as error:
            translated = self._translate(context, error)
            if type(translated) is CodecFailed and translated.args[0].startswith("SyntaxError"):
                raise CodecSourceInvalid(translated.args[0]) from None
            raise translated from None

    def _translate(
        self, context: quickjs.Context, error: quickjs.JSException
    ) -> JavaScriptCodecError:
        text = str(error)
        first_line = text.split("\n", 1)[0]
        if first_line.startswith("InternalError: interrupted"):
            return CodecTimeout(f"codec exceeded its time limit of {self.time_limit_ms} ms")
        limit_message = f"codec exceeded its memory limit of {self.memory_limit_bytes} bytes"
        used = context.memory()["malloc_size"]
        if "out of memory" in first_line or used >= 0.9 * self.memory_limit_bytes:
            return CodecMemoryExceeded(limit_message)
        # When memory runs out QuickJS may fail to build even the error object and throw a
        # bare null, which cannot be told apart from the codec's own `throw null`.
        if text == "null\n":
            return CodecMemoryExceeded(f"{limit_message} (or threw null)")
        if isinstance(error, quickjs.StackOverflow):
            return CodecFailed("InternalError: stack overflow")
        line = _LINE_PATTERN.search(text)
        if first_line.startswith("SyntaxError") and line:
            first_line = f"{first_line} (line {line.group(1)})"
        return CodecFailed(first_line)


def validate_codec(source: str, *, time_limit_ms: int = DEFAULT_TIME_LIMIT_MS) -> list[str]:
    """Return the problems that make a codec unusable (empty when it can be saved)."""
    try:
        codec = JavaScriptCodec(source, time_limit_ms=time_limit_ms)
    except CodecSourceInvalid as error:
        return [str(error)]
    context = codec._new_context()
    deadline = time.monotonic() + time_limit_ms / 1000
    try:
        codec._evaluate(context, source, deadline)
        codec._set_remaining_time(context, deadline)
        kinds = context.eval("[typeof decodeUplink, typeof encodeDownlink].join(' ')")
    except CodecSourceInvalid as error:
        return [f"syntax error: {error}"]
    except JavaScriptCodecError as error:
        return [f"the codec's top-level code failed: {error}"]
    decoder_kind, encoder_kind = str(kinds).split(" ")
    problems = []
    if decoder_kind != "function":
        problems.append("the codec does not define a function decodeUplink(input)")
    if encoder_kind not in ("function", "undefined"):
        problems.append("encodeDownlink is defined but is not a function")
    return problems


def _messages(output: dict[str, Any]) -> tuple[list[str], list[str]]:
    lists = []
    for key in ("warnings", "errors"):
        value = output.get(key)
        if value is None:
            value = []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise CodecOutputInvalid(f"the codec's '{key}' must be an array of strings")
        lists.append(value)
    return lists[0], lists[1]


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
