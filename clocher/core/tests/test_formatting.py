"""float_formatter and datetime_formatter write what the template filters write."""

from __future__ import annotations

import datetime
import random
import zoneinfo

import pytest
from django.template import Context, Template
from django.template.defaultfilters import floatformat
from django.test import override_settings
from django.utils import timezone, translation

from clocher.core.formatting import DatetimeText, datetime_formatter, float_formatter

PARIS = zoneinfo.ZoneInfo("Europe/Paris")

REPRESENTATIVE = [
    0.0,
    -0.0,
    20.5,
    45.0,
    640.0,
    3600.0,
    -12.3456,
    -5.0,
    0.1 + 0.2,
    2.675,
    1.0005,
    0.0005,
    -0.0005,
    0.0004,
    -0.0004,
    1e-7,
    -1e-7,
    123456789.123456,
    -98765.4321,
    999999999999999.9,
    -999999999999999.9,
    1e15,
    -1e15,
    1.5e15,
    1e16,
    1.2345678901234567e25,
    1e300,
    float("inf"),
    float("-inf"),
    float("nan"),
    7,
    -3,
]


def _random_values(count: int) -> list[float]:
    """Values across magnitudes, some with few decimals as sensors report them."""
    rng = random.Random(20240305)
    values = []
    for _ in range(count):
        value = rng.choice((1, -1)) * 10 ** rng.uniform(-8, 17)
        values += [value, round(value, rng.randint(0, 5))]
    return values


@pytest.mark.parametrize("language", ["fr", "en"])
def test_float_formatter_writes_what_floatformat_writes(language):
    """Negatives, zero and -0, halves, tiny and huge numbers, infinities: the filter's text."""
    with translation.override(language):
        text = float_formatter(3)
        for value in REPRESENTATIVE + _random_values(5000):
            assert text(value) == floatformat(value, "-3"), value


def test_float_formatter_in_french():
    """A decimal comma, decimals only when the value is not whole, rounded half up."""
    with translation.override("fr"):
        text = float_formatter(3)
        assert [text(v) for v in (20.5, 45.0, 3600.0, -12.3456, 0.0005, -0.0004, -0.0)] == [
            "20,500",
            "45",
            "3600",
            "-12,346",
            "0,001",
            "0,000",
            "0",
        ]
        assert float_formatter(1)(2.25) == "2,3"


@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_float_formatter_groups_thousands_when_the_settings_do():
    """With the thousands separator on, the filter's grouping is kept."""
    with translation.override("fr"):
        text = float_formatter(3)
        for value in (12345.5, -1234567.0, 999.25):
            assert text(value) == floatformat(value, "-3")
        assert text(12345.5) != "12345,500"


@pytest.mark.parametrize("places", [0, 11, -3])
def test_float_formatter_refuses_other_decimal_places(places):
    """One to ten decimals: beyond, the quick path would outgrow the decimal context."""
    with pytest.raises(ValueError):
        float_formatter(places)


def _by_template(moment: datetime.datetime, pattern: str = "j F Y H:i") -> DatetimeText:
    template = Template("{{ moment|date:'c' }}|{{ moment|date:pattern }}")
    iso, text = template.render(Context({"moment": moment, "pattern": pattern})).split("|")
    return DatetimeText(iso, text)


MOMENTS = [
    datetime.datetime(2024, 3, 5, 12, 0, tzinfo=datetime.UTC),
    datetime.datetime(2024, 3, 31, 0, 59, 59, 999999, tzinfo=datetime.UTC),  # before summer time
    datetime.datetime(2024, 3, 31, 1, 0, tzinfo=datetime.UTC),  # summer time begins
    datetime.datetime(2024, 10, 27, 0, 30, tzinfo=datetime.UTC),  # 02:30 the first time
    datetime.datetime(2024, 10, 27, 1, 30, tzinfo=datetime.UTC),  # 02:30 the second time
    datetime.datetime(2024, 12, 31, 23, 5, 7, 123, tzinfo=datetime.UTC),  # next year in Paris
    datetime.datetime(2024, 8, 1, 9, 7, tzinfo=PARIS),
    datetime.datetime(999, 1, 9, 4, 0, tzinfo=datetime.UTC),
    datetime.datetime(2024, 2, 29, 23, 0),  # naive: shown as it is
]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("zone", ["Europe/Paris", "America/Cayenne", "UTC"])
def test_datetime_formatter_writes_what_the_date_filter_writes(language, zone):
    """Both formats of a <time> element, across time changes, zones and languages."""
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        text = datetime_formatter()
        numeric = datetime_formatter(numeric=True)
        for moment in MOMENTS:
            assert text(moment) == _by_template(moment), moment
            assert numeric(moment) == _by_template(moment, "j/m/Y H:i"), moment


def test_datetime_formatter_in_french():
    """A French month name and the Paris time."""
    with translation.override("fr"), timezone.override(PARIS):
        moment = datetime.datetime(2024, 3, 5, 12, 4, tzinfo=datetime.UTC)
        assert datetime_formatter()(moment) == DatetimeText(
            "2024-03-05T13:04:00+01:00", "5 mars 2024 13:04"
        )
        assert datetime_formatter(numeric=True)(moment).text == "5/03/2024 13:04"
