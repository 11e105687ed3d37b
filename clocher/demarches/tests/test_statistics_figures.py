"""Statistics per procedure: exact figures on a small set, in the Paris calendar."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from clocher.demarches.models import Channel, Family, Request, SilenceRule, StatusKind
from clocher.demarches.services import statistics
from clocher.demarches.tests.factories import make_procedure, submit

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
START, END = datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)


def at(year, month, day, hour=10, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def _request(
    procedure,
    *,
    received,
    channel=Channel.WEB,
    kind=StatusKind.RECEIVED,
    decided=None,
    closed=None,
    implicit=None,
):
    request = submit(procedure).request
    Request.objects.filter(pk=request.pk).update(
        received_at=received,
        channel=channel,
        status_kind=kind,
        status=kind,
        decided_at=decided,
        closed_at=closed or decided,
        implicit_decision_on=implicit,
    )
    return request


@pytest.fixture
def world(commune_a, commune_b):
    roads = make_procedure(commune_a, family=Family.ROADS, slug="voirie", title="Voirie")
    social = make_procedure(
        commune_a,
        family=Family.SOCIAL,
        slug="aide",
        title="Aide",
        silence_rule=SilenceRule.NOT_APPLICABLE,
    )
    # Voirie: 2 days, in time.
    _request(
        roads,
        received=at(2026, 1, 10),
        kind=StatusKind.ACCEPTED,
        decided=at(2026, 1, 12),
        implicit=datetime.date(2026, 3, 10),
    )
    # Voirie: received late on 31 January (Paris), decided just after midnight Paris on
    # 4 February while the implicit decision was born on the 3rd: late (in UTC it was the 3rd).
    _request(
        roads,
        received=at(2026, 1, 31, 23, 30),
        channel=Channel.COUNTER,
        kind=StatusKind.REFUSED,
        decided=at(2026, 2, 4, 0, 30),
        implicit=datetime.date(2026, 2, 3),
    )
    # Voirie: closed without decision after 10 days.
    _request(roads, received=at(2026, 2, 5), kind=StatusKind.CLOSED, closed=at(2026, 2, 15))
    # Voirie: still open.
    _request(roads, received=at(2026, 3, 1))
    # Outside the period, by the Paris calendar.
    _request(roads, received=at(2025, 12, 31, 23, 30))
    _request(roads, received=at(2026, 4, 1, 0, 30))
    # Aide (no implicit decision): 1 and 3 days.
    _request(
        social,
        received=at(2026, 2, 10),
        channel=Channel.PHONE,
        kind=StatusKind.ACCEPTED,
        decided=at(2026, 2, 11),
    )
    _request(
        social,
        received=at(2026, 2, 11),
        channel=Channel.PHONE,
        kind=StatusKind.ACCEPTED,
        decided=at(2026, 2, 14),
    )
    # Another commune: never counted.
    other = make_procedure(commune_b, family=Family.ROADS, slug="voirie", title="Voirie B")
    _request(other, received=at(2026, 2, 1))
    return {"roads": roads, "social": social}


def test_figures_per_procedure_are_exact(commune_a, world):
    """Volumes, channels, decisions, median and share within the legal delay."""
    figures = statistics.request_statistics(commune=commune_a, date_from=START, date_to=END)
    assert figures.total == 6
    by_title = {item.title: item for item in figures.procedures}
    assert list(by_title) == ["Voirie", "Aide"]
    roads = by_title["Voirie"]
    assert (roads.received, roads.finished, roads.decided) == (4, 3, 2)
    assert roads.by_channel == {"web": 3, "counter": 1}
    assert (roads.with_legal_delay, roads.decided_in_time, roads.share_in_time) == (2, 1, 50.0)
    assert roads.median_days == pytest.approx(3 + 1 / 24)
    aide = by_title["Aide"]
    assert (aide.received, aide.decided, aide.by_channel) == (2, 2, {"phone": 2})
    assert (aide.with_legal_delay, aide.share_in_time) == (0, None)
    assert aide.median_days == pytest.approx(2.0)
    assert figures.channels == [
        ("web", "En ligne"),
        ("counter", "Au guichet"),
        ("phone", "Par téléphone"),
    ]


def test_months_are_counted_in_the_paris_calendar(commune_a, world):
    """Every month of the period appears, empty ones with 0."""
    figures = statistics.request_statistics(commune=commune_a, date_from=START, date_to=END)
    assert [(item.month, item.count) for item in figures.months] == [
        (datetime.date(2026, 1, 1), 2),
        (datetime.date(2026, 2, 1), 3),
        (datetime.date(2026, 3, 1), 1),
    ]


def test_months_of_one_procedure(commune_a, world):
    """The monthly volumes can be narrowed to one procedure."""
    figures = statistics.request_statistics(
        commune=commune_a, date_from=START, date_to=END, procedure_id=world["social"].pk
    )
    assert [item.count for item in figures.months] == [0, 2, 0]
    assert figures.total == 6  # the table still covers every procedure


def test_no_request_no_figures(commune_a):
    """An empty period: no procedure rows, months at zero."""
    figures = statistics.request_statistics(commune=commune_a, date_from=START, date_to=END)
    assert (figures.procedures, [item.count for item in figures.months]) == ([], [0, 0, 0])


def test_statistics_use_aggregate_queries(commune_a, world, django_assert_max_num_queries):
    """A handful of queries, whatever the number of requests (one per procedure for medians on
    SQLite)."""
    for _index in range(10):
        _request(
            world["roads"],
            received=at(2026, 3, 2),
            kind=StatusKind.ACCEPTED,
            decided=at(2026, 3, 3),
        )
    with django_assert_max_num_queries(6):
        statistics.request_statistics(commune=commune_a, date_from=START, date_to=END)
