"""SenML packs of the generic endpoint resolved into records (RFC 8428)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from clocher.iot.network import NormalisedRecord
from clocher.iot.network.senml import parse_senml

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2024, 3, 5, 8, 0, tzinfo=UTC)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_base_name_time_and_unit_apply_until_changed():
    """Base name, time and unit apply to later records until a record changes them."""
    base = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)  # 1.7e9
    device = "urn:dev:mac:0024befffe804ff1:"
    assert parse_senml(fixture_bytes("senml_pack.json"), now=NOW) == [
        NormalisedRecord(name=f"{device}temperature", unit="Cel", time=base, value=21.5),
        NormalisedRecord(
            name=f"{device}temperature", unit="Cel", time=base + timedelta(seconds=60), value=21.75
        ),
        NormalisedRecord(
            name=f"{device}humidity", unit="%RH", time=base + timedelta(seconds=60), value=48.0
        ),
        NormalisedRecord(
            name=f"{device}door", unit="Cel", time=base + timedelta(seconds=120), boolean=True
        ),
        NormalisedRecord(name=f"{device}firmware", unit="Cel", time=base, string="1.4.2"),
        NormalisedRecord(name=f"{device}energy", unit="J", time=base, sum=1250.5),
        NormalisedRecord(
            name="urn:dev:mac:0024befffe804ff2:temperature",
            unit="Cel",
            time=base + timedelta(seconds=270),
            value=19.0,
        ),
    ]


def test_small_times_are_relative_to_now():
    """Times below 2**28 count from now; base value is added to the value; vd is decoded."""
    assert parse_senml(fixture_bytes("senml_relative.json"), now=NOW) == [
        NormalisedRecord(
            name="boiler-room/pressure", unit="bar", time=NOW - timedelta(seconds=60), value=1.8
        ),
        NormalisedRecord(name="boiler-room/pressure", unit="bar", time=NOW, value=1.9),
        NormalisedRecord(name="boiler-room/level", unit="%", time=NOW, value=87.5),
        NormalisedRecord(
            name="boiler-room/snapshot", unit=None, time=NOW, data=b"\x01\x02\x03\xff"
        ),
    ]


def test_empty_pack_gives_no_records():
    """An empty pack is valid and gives no records."""
    assert parse_senml(b"[]", now=NOW) == []


def test_without_now_times_are_aware_and_current():
    """Without a given now, relative times count from the current UTC time."""
    before = datetime.now(UTC)
    (record,) = parse_senml(b'[{"n": "x", "v": 1}]')
    assert before <= record.time <= datetime.now(UTC)
