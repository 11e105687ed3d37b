import time

import pytest

from clocher.iot.codecs.javascript import (
    MAX_SOURCE_BYTES,
    CodecFailed,
    CodecMemoryExceeded,
    CodecOutputInvalid,
    CodecSourceInvalid,
    CodecTimeout,
    JavaScriptCodec,
    validate_codec,
)

# Filling the memory takes a while on a loaded machine (the suite runs on every core): the memory
# tests give the codec this much time, so that only the memory limit can stop it.
MEMORY_TEST_TIME_LIMIT_MS = 10_000


def decoder(body: str, **limits: int) -> JavaScriptCodec:
    return JavaScriptCodec("function decodeUplink(input) {" + body + "}", **limits)


def test_infinite_loop_is_stopped_by_the_time_limit():
    """An infinite loop raises CodecTimeout soon after the time limit."""
    codec = decoder("while (true) {}")
    started = time.monotonic()

    with pytest.raises(CodecTimeout, match="time limit of 100 ms"):
        codec.decode_uplink(b"", 1)

    assert time.monotonic() - started < 1.0


def test_time_limit_is_configurable():
    """A longer time limit lets a slow codec finish.

    The codec's slowness is a fixed amount of work (about 200 ms of CPU here), not a wait on
    the clock: the limit counts the CPU time of the process, so a codec looping until a wall
    clock time finished inside 50 ms of it when the machine was busy."""
    source = (
        "function decodeUplink(i) { var n = 0; for (var k = 0; k < 10000000; k++) { n += k; }"
        " return {data: {done: n > 0}}; }"
    )

    with pytest.raises(CodecTimeout):
        JavaScriptCodec(source, time_limit_ms=50).decode_uplink(b"", 1)
    result = JavaScriptCodec(source, time_limit_ms=2000).decode_uplink(b"", 1)

    assert result["data"] == {"done": True}


def test_a_codec_cannot_catch_its_own_timeout():
    """try/catch around a loop does not swallow the time limit."""
    codec = decoder("try { while (true) {} } catch (e) {} return {data: {}};")

    with pytest.raises(CodecTimeout):
        codec.decode_uplink(b"", 1)


def test_infinite_loop_in_top_level_code_is_stopped():
    """A loop outside decodeUplink is stopped too."""
    codec = JavaScriptCodec("while (true) {} function decodeUplink(i) { return {data: {}}; }")

    with pytest.raises(CodecTimeout):
        codec.decode_uplink(b"", 1)


def test_infinite_loop_in_tojson_is_stopped():
    """Converting the output to JSON is time-limited as well."""
    codec = decoder("return {data: {toJSON: function () { while (true) {} }}};")

    with pytest.raises(CodecTimeout):
        codec.decode_uplink(b"", 1)


@pytest.mark.parametrize(
    "body",
    [
        "var a = []; for (i = 0; ; i++) { a.push('some text to fill memory ' + i); }",
        "var s = 'x'; while (true) { s = s + s; }",
        "return {data: {buffer: new ArrayBuffer(64 * 1024 * 1024).byteLength}};",
    ],
)
def test_huge_allocation_hits_the_memory_limit(body):
    """Allocating past the memory limit raises CodecMemoryExceeded."""
    with pytest.raises(CodecMemoryExceeded, match="memory limit of 16777216 bytes"):
        decoder(body, time_limit_ms=MEMORY_TEST_TIME_LIMIT_MS).decode_uplink(b"", 1)


def test_a_bare_null_throw_is_reported_as_possible_memory_exhaustion():
    """QuickJS throws a bare null when it cannot build its out-of-memory error."""
    with pytest.raises(CodecMemoryExceeded) as caught:
        decoder("throw null;").decode_uplink(b"", 1)

    assert str(caught.value) == (
        "codec exceeded its memory limit of 16777216 bytes (or threw null)"
    )


def test_memory_limit_is_configurable():
    """A 4 MB codec allocation passes with a 32 MB limit and fails with a 2 MB one."""
    body = "return {data: {length: new Array(4 * 1024 * 1024 + 1).join('x').length}};"

    with pytest.raises(CodecMemoryExceeded):
        decoder(
            body, memory_limit_bytes=2 * 2**20, time_limit_ms=MEMORY_TEST_TIME_LIMIT_MS
        ).decode_uplink(b"", 1)
    result = decoder(
        body, memory_limit_bytes=32 * 2**20, time_limit_ms=MEMORY_TEST_TIME_LIMIT_MS
    ).decode_uplink(b"", 1)

    assert result["data"] == {"length": 4 * 1024 * 1024}


@pytest.mark.parametrize(
    "name", ["require", "fetch", "XMLHttpRequest", "process", "os", "std", "setTimeout", "print"]
)
def test_no_host_access_is_exposed(name):
    """No module loader, network, file, process or timer function is defined."""
    result = decoder(f"return {{data: {{kind: typeof {name}}}}};").decode_uplink(b"", 1)

    assert result["data"] == {"kind": "undefined"}


def test_dynamic_import_cannot_load_modules():
    """import() of QuickJS's os module is rejected."""
    source = """
    var outcome = 'pending';
    import('os').then(function () { outcome = 'loaded'; }, function (e) { outcome = String(e); });
    function decodeUplink(i) { return {data: {outcome: outcome}}; }
    """

    result = JavaScriptCodec(source).decode_uplink(b"", 1)

    assert result["data"] == {"outcome": "pending"}


def test_globals_do_not_leak_between_calls_or_codecs():
    """A global set by one call is seen neither by the next call nor by another codec."""
    writer = decoder("var before = typeof leaked; leaked = 42; return {data: {before: before}};")
    reader = decoder("return {data: {seen: typeof leaked}};")

    first = writer.decode_uplink(b"", 1)
    second = writer.decode_uplink(b"", 1)
    other = reader.decode_uplink(b"", 1)

    assert first["data"] == {"before": "undefined"}
    assert second["data"] == {"before": "undefined"}
    assert other["data"] == {"seen": "undefined"}


def test_overriding_builtins_does_not_break_the_conversion():
    """A codec that replaces JSON and Date still has its output read correctly."""
    source = "JSON = null; Date = null; function decodeUplink(i) { return {data: {ok: 1}}; }"

    result = JavaScriptCodec(source).decode_uplink(b"", 1)

    assert result["data"] == {"ok": 1}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("throw new Error('bad frame');", "Error: bad frame"),
        ("throw 'plain string';", "plain string"),
        ("return input.nothing.here;", "TypeError: cannot read property 'here' of undefined"),
        ("return decodeUplink(input);", "InternalError: stack overflow"),
        ("throw undefined;", "undefined"),
    ],
)
def test_a_throwing_codec_fails_with_the_javascript_message(body, message):
    """An exception in the codec raises CodecFailed carrying the JavaScript message."""
    with pytest.raises(CodecFailed) as caught:
        decoder(body).decode_uplink(b"", 1)

    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("return 42;", "decodeUplink must return an object, got a number"),
        ("return;", "decodeUplink must return an object, got null"),
        ("return {warnings: []};", "decodeUplink must return an object 'data', got null"),
        ("return {data: [1, 2]};", "decodeUplink must return an object 'data', got an array"),
        ("return {data: {}, errors: 'oops'};", "the codec's 'errors' must be an array of strings"),
        ("return {data: {}, warnings: [1]};", "the codec's 'warnings' must be an array of strings"),
        (
            "return {data: {big: 10n}};",
            "decodeUplink returned a value that is not JSON: "
            "TypeError: bigint are forbidden in JSON.stringify",
        ),
        (
            "var o = {}; o.self = o; return {data: o};",
            "decodeUplink returned a value that is not JSON: TypeError: circular reference",
        ),
    ],
)
def test_wrong_output_is_rejected_clearly(body, message):
    """Output that is not JSON or not {data, warnings, errors} raises CodecOutputInvalid."""
    with pytest.raises(CodecOutputInvalid) as caught:
        decoder(body).decode_uplink(b"", 1)

    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        ("{bytes: [1, 256]}", "encodeDownlink must return 'bytes' as an array of integers"),
        ("{bytes: 'AQI='}", "encodeDownlink must return 'bytes' as an array of integers"),
        ("{bytes: [1], fPort: 0}", "encodeDownlink returned an 'fPort' that is not 1 to 223"),
    ],
)
def test_wrong_downlink_output_is_rejected(returned, message):
    """Downlink bytes outside 0..255 or a bad fPort raise CodecOutputInvalid."""
    codec = JavaScriptCodec(f"function encodeDownlink(input) {{ return {returned}; }}")

    with pytest.raises(CodecOutputInvalid, match=message):
        codec.encode_downlink({})


def test_oversized_source_is_refused():
    """A codec larger than 40 KB is refused when loaded."""
    source = "function decodeUplink(i) { return {data: {}}; }\n//" + "x" * MAX_SOURCE_BYTES

    with pytest.raises(CodecSourceInvalid, match="more than the 40960 bytes allowed"):
        JavaScriptCodec(source)


def test_validate_codec_accepts_a_good_codec():
    """A codec defining decodeUplink (and optionally encodeDownlink) has no problem."""
    source = "function decodeUplink(i) { return {data: {}}; } function encodeDownlink(i) {}"

    assert validate_codec(source) == []


@pytest.mark.parametrize(
    ("source", "problems"),
    [
        (
            "function decodeUplink(input) {\n  return {data: {}\n}",
            ["syntax error: SyntaxError: unexpected token in expression: '' (line 3)"],
        ),
        (
            "function decodeUplnk(i) {}",
            ["the codec does not define a function decodeUplink(input)"],
        ),
        (
            "function decodeUplink(i) {} var encodeDownlink = 3;",
            ["encodeDownlink is defined but is not a function"],
        ),
        (
            "throw new Error('init'); function decodeUplink(i) {}",
            ["the codec's top-level code failed: Error: init"],
        ),
        (
            "for (;;) {}",
            ["the codec's top-level code failed: codec exceeded its time limit of 100 ms"],
        ),
        (
            "//" + "x" * MAX_SOURCE_BYTES,
            ["codec source is 40962 bytes, more than the 40960 bytes allowed"],
        ),
    ],
)
def test_validate_codec_lists_problems(source, problems):
    """validate_codec reports syntax errors, a missing decoder and failing top-level code."""
    assert validate_codec(source) == problems


def test_syntax_error_at_run_time_is_a_source_error():
    """Running a codec that does not parse raises CodecSourceInvalid."""
    with pytest.raises(CodecSourceInvalid, match="SyntaxError"):
        JavaScriptCodec("function decodeUplink(").decode_uplink(b"", 1)
