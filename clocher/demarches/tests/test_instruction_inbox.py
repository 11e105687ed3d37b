"""The agent inbox: filters, number search, keyset pages, query count, family boundary."""

import datetime
import re

import pytest
from django.utils import timezone

from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.queries import rls_scope_queries
from clocher.demarches.models import Channel, Family, Request
from clocher.demarches.selectors_inbox import (
    InboxFilters,
    decode_cursor,
    encode_cursor,
    filtered_requests,
    inbox_page,
    inbox_query,
)
from clocher.demarches.tests.factories import grant, make_procedure, submit

pytestmark = pytest.mark.django_db


def _url(commune, query=""):
    return f"/mairie/{commune.slug}/demarches/{query}"


def _numbers(response):
    return re.findall(r'demandes/\d+/">(\d{4}-\d{5})</a>', response.content.decode())


@pytest.fixture
def roads(commune_a, agent_a):
    grant(agent_a, commune_a, Family.ROADS)
    return make_procedure(commune_a, family=Family.ROADS, slug="voirie", title="Signaler")


def test_inbox_lists_granted_families_only(commune_a, agent_a, roads):
    """A social request is neither listed nor counted for an agent granted roads only."""
    mine = submit(roads).request
    social = submit(make_procedure(commune_a, family=Family.SOCIAL, slug="ccas")).request
    response = signed_in_client(agent_a).get(_url(commune_a))
    assert response.status_code == 200
    assert _numbers(response) == [mine.number]
    assert social.number not in response.content.decode()
    assert "1 demande" in response.content.decode()


def test_inbox_query_count_does_not_grow(commune_a, agent_a, roads, django_assert_max_num_queries):
    """Thirty requests, assigned and not, render in a fixed number of queries."""
    for index in range(30):
        citizen_request = submit(roads).request
        if index % 2:
            Request.objects.filter(pk=citizen_request.pk).update(assigned_to=agent_a)
    client = signed_in_client(agent_a)
    client.get(_url(commune_a))  # warm the session
    extra = rls_scope_queries()
    with django_assert_max_num_queries(13 + extra):
        response = client.get(_url(commune_a))
    assert len(_numbers(response)) == 30


def test_filters_narrow_the_list(commune_a, agent_a, roads):
    """Status, assignment, channel and procedure filters each narrow the list."""
    other = make_procedure(commune_a, family=Family.ROADS, slug="eclairage", title="Éclairage")
    received = submit(roads).request
    in_progress = submit(roads).request
    counter = submit(other, channel=Channel.COUNTER).request
    Request.objects.filter(pk=in_progress.pk).update(
        status="in_progress", status_kind="in_progress", assigned_to=agent_a
    )
    client = signed_in_client(agent_a)
    assert _numbers(client.get(_url(commune_a, "?state=in_progress"))) == [in_progress.number]
    assert _numbers(client.get(_url(commune_a, "?assigned=me"))) == [in_progress.number]
    assert _numbers(client.get(_url(commune_a, "?assigned=none"))) == [
        counter.number,
        received.number,
    ]
    assert _numbers(client.get(_url(commune_a, "?channel=counter"))) == [counter.number]
    assert _numbers(client.get(_url(commune_a, f"?procedure={other.pk}"))) == [counter.number]


def test_overdue_filter(commune_a, agent_a, roads):
    """Overdue: an open request past its deadline or its running implicit-decision date."""
    late = submit(roads).request
    implicit = submit(roads).request
    paused = submit(roads).request
    submit(roads)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Request.objects.filter(pk=late.pk).update(deadline_on=yesterday)
    Request.objects.filter(pk__in=[implicit.pk, paused.pk]).update(implicit_decision_on=yesterday)
    Request.objects.filter(pk=paused.pk).update(clock_paused_at=timezone.now())
    response = signed_in_client(agent_a).get(_url(commune_a, "?overdue=on"))
    assert _numbers(response) == [implicit.number, late.number]


def test_number_search_only(commune_a, agent_a, roads):
    """The search is by number (whole or start); a name typed is refused, not searched."""
    first = submit(roads, full_name="Dominique Lebrun").request
    second = submit(roads).request
    client = signed_in_client(agent_a)
    assert _numbers(client.get(_url(commune_a, f"?number={first.number}"))) == [first.number]
    year = first.number[:4]
    assert _numbers(client.get(_url(commune_a, f"?number={year}-"))) == [
        second.number,
        first.number,
    ]
    response = client.get(_url(commune_a, "?number=Lebrun"))
    assert "des chiffres et des tirets seulement" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_keyset_pages_walk_every_request_once(commune_a, agent_a, roads):
    """Pages follow each other without gap or repeat, forwards and backwards."""
    made = [submit(roads).request for _ in range(7)]
    queryset = filtered_requests(agent_a, commune_a, InboxFilters())
    first = inbox_page(queryset, size=3)
    second = inbox_page(queryset, after=first.next_cursor or "", size=3)
    third = inbox_page(queryset, after=second.next_cursor or "", size=3)
    seen = [row.pk for page in (first, second, third) for row in page.rows]
    assert seen == [item.pk for item in reversed(made)]
    assert third.next_cursor is None
    assert first.previous_cursor is None
    back = inbox_page(queryset, before=second.previous_cursor or "", size=3)
    assert [row.pk for row in back.rows] == [row.pk for row in first.rows]
    assert back.previous_cursor is None


def test_inbox_pagination_links(commune_a, agent_a, roads, monkeypatch):
    """The page shows a link to older requests keeping the filters."""
    from clocher.demarches import selectors_inbox

    monkeypatch.setattr(selectors_inbox, "PAGE_SIZE", 2)
    for _ in range(3):
        submit(roads)
    response = signed_in_client(agent_a).get(_url(commune_a, "?state=received"))
    content = response.content.decode()
    assert len(_numbers(response)) == 2
    assert re.search(r'href="\?state=received&amp;apres=\d+\.\d+" rel="next"', content)


def test_keyset_pages_merge_families_and_kinds(commune_a, agent_a, roads):
    """Read per family (and per status kind), the pages still interleave by date."""
    grant(agent_a, commune_a, Family.GENERAL)
    general = make_procedure(commune_a, family=Family.GENERAL, slug="contact")
    made = [submit(roads if index % 2 else general).request for index in range(9)]
    Request.objects.filter(pk__in=[item.pk for item in made[::3]]).update(
        status="in_progress", status_kind="in_progress"
    )
    for state, expected in (("", made), ("open", made)):
        query = inbox_query(agent_a, commune_a, InboxFilters(state=state))
        assert len(query.partitions) == (2 if not state else 6)
        seen, cursor = [], ""
        for _ in range(4):
            page = inbox_page(query, after=cursor, size=4)
            seen += [row.pk for row in page.rows]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == [item.pk for item in reversed(expected)]
    in_progress = inbox_query(agent_a, commune_a, InboxFilters(state="in_progress"))
    assert [row.pk for row in inbox_page(in_progress).rows] == [
        item.pk for item in reversed(made[::3])
    ]


def test_cursor_round_trip_and_garbage():
    """A cursor decodes to what it encodes; garbage means the first page."""
    row = Request(
        pk=42, received_at=datetime.datetime(2026, 3, 1, 8, 30, 1, 5, tzinfo=datetime.UTC)
    )
    assert decode_cursor(encode_cursor(row)) == (row.received_at, 42)
    assert decode_cursor("abc") is None
    assert decode_cursor("99999999999999999999999.1") is None


def test_count_is_capped(commune_a, agent_a, roads, monkeypatch):
    """Beyond the cap, the total says "more than"."""
    from clocher.demarches import selectors_inbox

    monkeypatch.setattr(selectors_inbox, "COUNT_CAP", 2)
    for _ in range(3):
        submit(roads)
    page = inbox_page(filtered_requests(agent_a, commune_a, InboxFilters()))
    assert (page.total, page.is_total_capped) == (2, True)
