"""The benchmark's uplinks are real Elsys ERS CO2 frames: the built-in decoder reads them."""

from __future__ import annotations

import pytest

from clocher.iot.bench import elsys_frame
from clocher.iot.codecs.builtin import get_builtin_decoder


def _decoded(frame: bytes) -> dict[str, float]:
    result = get_builtin_decoder("elsys-ers-co2").decode(frame, 5)
    assert result.errors == []
    return result.data


def test_six_readings_frame():
    data = _decoded(elsys_frame(21.4, 45, 120, 950))
    assert data == {
        "temperature": 21.4,
        "humidity": 45,
        "light": 120,
        "motion": 0,
        "co2": 950,
        "vdd": 3600,
    }


def test_three_readings_frame():
    assert _decoded(elsys_frame(19.0, 38, 0, 1510, readings=3)) == {
        "temperature": 19.0,
        "humidity": 38,
        "co2": 1510,
    }


def test_other_reading_counts_are_refused():
    with pytest.raises(ValueError, match="3 or 6"):
        elsys_frame(19.0, 38, 0, 1510, readings=4)
