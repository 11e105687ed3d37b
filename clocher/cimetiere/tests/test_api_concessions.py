"""GET /api/v1/communes/{commune_slug}/cemetery/concessions: the legal clock of each concession."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from clocher.cimetiere.models import ConcessionKind
from clocher.cimetiere.tests.factories import BurialFactory, ConcessionFactory
from clocher.core.api.services import api_key_create

pytestmark = pytest.mark.django_db
URL = "/api/v1/communes/{slug}/cemetery/concessions"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _get(slug: str, token: str | None = None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().get(URL.format(slug=slug), params, headers=headers)


def _token(commune, scopes=("cemetery:read",)):
    return api_key_create(commune=commune, name="Intégration", scopes=list(scopes))[1]


@pytest.fixture
def concessions(commune_a):
    """One concession per state on today's date (expiring: 6 months left)."""
    today = timezone.localdate()

    def years_ago(years, days=0):
        return date(today.year - years, today.month, 1) - timedelta(days=days)

    made = {
        "active": ConcessionFactory.create(
            plot__section__cemetery__commune=commune_a, number="A-1", act_date=years_ago(5)
        ),
        "expiring": ConcessionFactory.create(
            plot__section__cemetery__commune=commune_a,
            number="B-1",
            act_date=years_ago(30, days=-200),
        ),
        "renewal_window": ConcessionFactory.create(
            plot__section__cemetery__commune=commune_a, number="C-1", act_date=years_ago(31)
        ),
        "repossessable": ConcessionFactory.create(
            plot__section__cemetery__commune=commune_a, number="D-1", act_date=years_ago(33)
        ),
        "perpetual": ConcessionFactory.create(
            plot__section__cemetery__commune=commune_a,
            number="E-1",
            kind=ConcessionKind.PERPETUAL,
            act_date=date(1950, 4, 2),
        ),
    }
    ConcessionFactory.create(
        plot__section__cemetery__commune=commune_a, number="F-1", ended_on=date(2001, 1, 1)
    )
    BurialFactory.create(
        plot=made["perpetual"].plot, concession=made["perpetual"], buried_on=date(1960, 8, 9)
    )
    return made


def test_no_key_is_401(commune_a, concessions):
    """Without a key: 401 in the API error format."""
    response = _get("agey")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_key_of_another_commune_is_404(commune_a, commune_b, concessions):
    """Commune B's key on commune A's path: 404, nothing of A."""
    response = _get("agey", _token(commune_b))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "A-1" not in response.content.decode()


def test_unknown_commune_is_404(commune_a):
    """A slug that is no commune: 404."""
    assert _get("nulle-part", _token(commune_a)).status_code == 404


def test_key_without_the_scope_is_403(commune_a, concessions):
    """A key of the commune without cemetery:read: 403 missing_scope."""
    response = _get("agey", _token(commune_a, scopes=()))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "missing_scope"


def test_good_key_lists_current_concessions_with_their_clock(commune_a, concessions):
    """A good key gets every current concession (not the ended one), by number, with its clock."""
    response = _get("agey", _token(commune_a))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert [item["number"] for item in body["items"]] == ["A-1", "B-1", "C-1", "D-1", "E-1"]
    assert [item["state"] for item in body["items"]] == [
        "active",
        "expiring",
        "renewal_window",
        "repossessable",
        "perpetual",
    ]
    perpetual = body["items"][4]
    assert perpetual == {
        "id": concessions["perpetual"].pk,
        "number": "E-1",
        "kind": "perpetual",
        "duration_years": None,
        "act_date": "1950-04-02",
        "expires_on": None,
        "renewal_window_ends_on": None,
        "repossessable_from": None,
        "state": "perpetual",
        "abandonment_eligible": True,
        "last_burial_date": "1960-08-09",
        "cemetery": concessions["perpetual"].plot.cemetery.name,
        "section": concessions["perpetual"].plot.section.name,
        "plot": concessions["perpetual"].plot.number,
    }
    active = body["items"][0]
    act = concessions["active"].act_date
    assert active["expires_on"] == act.replace(year=act.year + 30).isoformat()
    assert active["repossessable_from"] == act.replace(year=act.year + 32).isoformat()
    assert active["abandonment_eligible"] is False


@pytest.mark.parametrize(
    ("state", "number"),
    [
        ("active", "A-1"),
        ("expiring", "B-1"),
        ("renewal_window", "C-1"),
        ("repossessable", "D-1"),
        ("perpetual", "E-1"),
    ],
)
def test_state_filter(commune_a, concessions, state, number):
    """?state= keeps only the concessions in that state."""
    body = _get("agey", _token(commune_a), state=state).json()
    assert body["count"] == 1
    assert [item["number"] for item in body["items"]] == [number]


def test_unknown_state_is_422(commune_a, concessions):
    """An unknown state is refused with a message on the field."""
    response = _get("agey", _token(commune_a), state="ended")
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "state"


def test_pagination(commune_a, concessions):
    """limit and offset page through the list."""
    body = _get("agey", _token(commune_a), limit=2, offset=2).json()
    assert (body["count"], body["limit"], body["offset"]) == (5, 2, 2)
    assert [item["number"] for item in body["items"]] == ["C-1", "D-1"]


def test_query_count_does_not_grow(commune_a, concessions, django_assert_max_num_queries):
    """The list reads a bounded number of queries, whatever the number of concessions."""
    token = _token(commune_a)
    for number in range(20):
        ConcessionFactory.create(
            plot__section__cemetery__commune=commune_a, number=f"Z-{number:02d}"
        )
    with django_assert_max_num_queries(12):
        assert _get("agey", token).json()["count"] == 25
