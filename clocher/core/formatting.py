"""Numbers and dates written as the templates write them, for pages that show hundreds of them.

A template filter reads the active language, then the locale's formats, for every value:
``{{ value|floatformat:"-3" }}`` costs about 15 µs a value, ``{{ moment|date:"j F Y H:i" }}``
about 30 µs. The formatters here read them once per page and give the same text; the tests
compare them with the filters, in French and in English.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import get_format

# Below this, a number has at most 15 digits before the point: rounded to ten decimals it stays
# within the default decimal context's 28 digits. Every float beyond it is whole.
QUICK_LIMIT = 1e15
MAX_DECIMAL_PLACES = 10


def float_formatter(decimal_places: int) -> Callable[[float], str]:
    """``value → {{ value|floatformat:"-<decimal_places>" }}`` in the active language: rounded
    half up, decimals shown only when the value is not whole (« 20,500 », « 45 », « -0,125 »
    in French). What the quick path leaves out (thousands grouped by the settings, numbers
    beyond 10¹⁵, infinities) goes through ``floatformat`` itself."""
    if not 0 < decimal_places <= MAX_DECIMAL_PLACES:
        raise ValueError(f"decimal_places must be 1 to {MAX_DECIMAL_PLACES}: {decimal_places}")
    argument = f"-{decimal_places}"

    def by_filter(value: float) -> str:
        return str(floatformat(value, argument))

    if settings.USE_THOUSAND_SEPARATOR:
        return by_filter
    separator = str(get_format("DECIMAL_SEPARATOR"))
    quantum = Decimal(1).scaleb(-decimal_places)

    def text(value: float) -> str:
        if not -QUICK_LIMIT < value < QUICK_LIMIT:  # also NaN
            return by_filter(value)
        number = Decimal(str(value))  # as floatformat reads it: 0.1 is 0.1, not its binary value
        if number == number.to_integral_value():
            return "%d" % number  # noqa: UP031 (a whole number: no decimals, no « -0 »)
        rounded = number.quantize(quantum, ROUND_HALF_UP)
        if not rounded:
            rounded = rounded.copy_abs()  # -0.0001 shows as 0,000, not -0,000
        return f"{rounded:f}".replace(".", separator)

    return text


class DatetimeText(NamedTuple):
    """A moment for a ``<time>`` element: ``iso`` for its ``datetime`` attribute (the ``c``
    format), ``text`` to read (``j F Y H:i``: « 5 mars 2024 13:00 »), both in the current time
    zone."""

    iso: str
    text: str


def datetime_formatter(*, numeric: bool = False) -> Callable[[datetime.datetime], DatetimeText]:
    """``moment → DatetimeText`` as ``{{ moment|date:'c' }}`` and ``{{ moment|date:"j F Y
    H:i" }}`` write it in the active language and time zone; with ``numeric``, the text as
    ``{{ moment|date:"j/m/Y H:i" }}`` writes it (« 5/03/2024 13:00 », a table's slots)."""
    months = {number: str(name) for number, name in MONTHS.items()}
    zone = timezone.get_current_timezone()
    convert = settings.USE_TZ

    def text(moment: datetime.datetime) -> DatetimeText:
        if convert and moment.utcoffset() is not None:  # as templates localise an aware moment
            moment = moment.astimezone(zone)
        if numeric:
            date = f"{moment.day}/{moment.month:02d}/{moment.year:04d}"
        else:
            date = f"{moment.day} {months[moment.month]} {moment.year:04d}"
        return DatetimeText(moment.isoformat(), f"{date} {moment.hour:02d}:{moment.minute:02d}")

    return text
