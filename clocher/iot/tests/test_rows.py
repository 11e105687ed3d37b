"""The ingestion's row helpers write what Django's own fields would write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection

from clocher.iot.services.rows import db_time_adapter

pytestmark = pytest.mark.django_db

MOMENTS = [
    datetime(2024, 7, 1, 22, 0, tzinfo=UTC),
    datetime(2024, 7, 1, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=2))),
    datetime(2024, 10, 27, 0, 30, 0, 1, tzinfo=timezone(timedelta(hours=-3, minutes=-30))),
    datetime(2024, 3, 5, 7, 15),  # naive: stored as given, as Django does
    None,
]


@pytest.mark.parametrize("moment", MOMENTS)
def test_time_adapter_writes_what_django_writes(moment):
    adapt = db_time_adapter()
    assert adapt(moment) == connection.ops.adapt_datetimefield_value(moment)
