"""``clocher bench iot`` end to end on a tiny run: its own SQLite database, its own Mosquitto
(``--private-broker``), real workers; the last line is the JSON the performance notes quote.
Needs the mosquitto executable (installed where the broker tests run)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from clocher.iot import bench

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        bench.mosquitto_path() is None, reason="mosquitto is not installed: no private broker"
    ),
]


def test_tiny_run_stores_every_message_and_prints_its_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CLOCHER_BENCH_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(bench, "RSS_SAMPLE_S", 0.5)
    call_command(
        "bench", "iot", "--devices", "4", "--messages", "40", "--private-broker", stdout=StringIO()
    )
    last_line = capfd.readouterr().out.strip().splitlines()[-1]
    figures = json.loads(last_line)
    assert figures["database"] == "sqlite"
    assert figures["stored"] == 40
    assert figures["datapoints"] == 40 * 6  # six quantities in each Elsys ERS CO2 frame
    assert figures["readings_per_uplink"] == 6
    assert figures["uplinks_per_s"] > 0
    assert figures["p99_ingest_to_query_ms"] is None or figures["p99_ingest_to_query_ms"] > 0
    assert len(figures["worker_rss_mb_end"]) == 1
    assert (tmp_path / "bench.sqlite3").exists()


def test_three_readings_a_message_are_counted_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """``--readings 3``: Elsys frames with temperature, humidity and CO2 only (the issue's
    targets pair 5,000 uplinks with 15,000 data points)."""
    monkeypatch.setenv("CLOCHER_BENCH_DATA_DIR", str(tmp_path))
    call_command(
        "bench",
        "iot",
        "--devices",
        "3",
        "--messages",
        "30",
        "--readings",
        "3",
        "--private-broker",
        stdout=StringIO(),
    )
    figures = json.loads(capfd.readouterr().out.strip().splitlines()[-1])
    assert (figures["stored"], figures["datapoints"]) == (30, 90)
    assert figures["readings_per_uplink"] == 3


def test_private_broker_needs_mosquitto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "mosquitto_path", lambda: None)
    with pytest.raises(CommandError, match="Mosquitto"):
        call_command("bench", "iot", "--devices", "1", "--messages", "1", "--private-broker")


def test_a_sqlite_file_given_by_path_is_used_and_must_be_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CLOCHER_BENCH_DATA_DIR", str(tmp_path / "data"))
    target = tmp_path / "mine.sqlite3"
    arguments = ["--devices", "2", "--messages", "10", "--readings", "3", "--private-broker"]
    call_command("bench", "iot", *arguments, "--database-url", str(target), stdout=StringIO())
    figures = json.loads(capfd.readouterr().out.strip().splitlines()[-1])
    assert (figures["database"], figures["stored"]) == ("sqlite", 10)
    assert target.stat().st_size > 0
    assert not (tmp_path / "data" / "bench.sqlite3").exists()
    with pytest.raises(CommandError, match="existe déjà"):
        call_command("bench", "iot", *arguments, "--database-url", f"sqlite:///{target}")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@127.0.0.1/test", "schéma 'mysql' non pris en charge"),
        ("/no/such/folder/bench.sqlite3", "n'est pas un dossier existant"),
    ],
)
def test_a_database_the_benchmark_cannot_use_is_refused_clearly(url: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command(
            "bench",
            "iot",
            "--devices",
            "1",
            "--messages",
            "1",
            "--private-broker",
            "--database-url",
            url,
        )
