"""Dates of the implicit-decision clock.

CRPA L231-1: silence kept for two months by the administration on a request means acceptance
(L231-4 and D231-2: exceptions where it means refusal). The delay runs from the date of receipt
by the competent authority (L112-11 for electronic requests); when the request is incomplete, it
only runs from the receipt of the missing documents (CRPA L114-5), which is why a correction
request pauses the clock and the answer restarts it.
"""

from __future__ import annotations

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the last day of the month when it does not exist)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def implicit_decision_date(received_on: datetime.date, months: int) -> datetime.date:
    """The day the implicit decision is born: ``months`` after receipt (L231-1)."""
    return add_months(received_on, months)
