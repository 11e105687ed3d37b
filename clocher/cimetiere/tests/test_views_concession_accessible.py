"""The secretary's concession pages in headless Chromium: no serious axe-core violation and no
sideways scrolling on a 320 px phone."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clocher.cimetiere.legal_clock import add_months, add_years
from clocher.cimetiere.models import ConcessionKind, Holder, PlotKind, Tariff
from clocher.cimetiere.tests.factories import ConcessionFactory, PlotFactory
from clocher.core.testing.browser import assert_accessible
from clocher.core.testing.clients import signed_in_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_concession_pages_are_accessible(browser, live_server, commune_a, agent_a):
    """Grant, granted, renew, repossess, holder, beneficiary and tariff pages pass axe-core."""
    today = timezone.localdate()
    free = PlotFactory.create(section__cemetery__commune=commune_a)
    expiring = ConcessionFactory.create(
        plot=PlotFactory.create(section=free.section), act_date=add_years(add_months(today, 3), -30)
    )
    old = ConcessionFactory.create(
        plot=PlotFactory.create(section=free.section),
        act_date=add_years(add_months(today, -30), -30),
    )
    holder = Holder.objects.create(commune=commune_a, concession=expiring, full_name="Paul")
    for year, until in ((2015, datetime.date(2019, 12, 31)), (2020, None)):
        Tariff.objects.create(
            commune=commune_a,
            plot_kind=PlotKind.CONCESSION_GROUND,
            kind=ConcessionKind.THIRTY_YEARS,
            price=Decimal("300"),
            valid_from=datetime.date(year, 1, 1),
            valid_until=until,
        )
    slug = commune_a.slug

    def url(name, **kwargs):
        return reverse(f"staff:cimetiere:{name}", kwargs={"commune_slug": slug, **kwargs})

    cookie = signed_in_client(agent_a).cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(locale="fr-FR", viewport={"width": 320, "height": 800})
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    page = context.new_page()
    try:
        for address in (
            url("concession-grant", plot=free.pk),
            url("concession-granted", concession=expiring.pk),
            url("concession", concession=expiring.pk),
            url("concession-renew", concession=expiring.pk),
            url("concession-end", concession=old.pk),
            url("concession-holder-edit", holder=holder.pk),
            url("concession-beneficiary-add", concession=expiring.pk),
            url("tariffs"),
            url("tariff-create"),
            url("home"),
        ):
            response = page.goto(live_server.url + address)
            assert response is not None and response.status == 200, address
            assert page.locator("h1").count() == 1
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, address
            assert_accessible(page)
    finally:
        context.close()
