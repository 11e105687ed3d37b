"""The abandonment pages in headless Chromium: the two reports side by side on a wide screen,
stacked without sideways scrolling on a 320 px phone, and no serious accessibility violation."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image

from clocher.cimetiere.models import AbandonmentStep
from clocher.cimetiere.tests.factories import abandonment_procedure
from clocher.core.testing.browser import assert_accessible
from clocher.core.testing.clients import signed_in_client
from clocher.core.vault import store_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (120, 90, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def _signed_in_page(browser, live_server, user, width):
    cookie = signed_in_client(user).cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 800})
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return context, context.new_page()


@pytest.fixture
def procedure(commune_a):
    procedure = abandonment_procedure(commune_a, through=AbandonmentStep.SECOND_REPORT)
    for step in (AbandonmentStep.FIRST_REPORT, AbandonmentStep.SECOND_REPORT):
        photo = store_file(commune=commune_a, data=_png(), name="p.png", content_type="image/png")
        procedure.steps.get(step=step).photos.add(photo)
    return procedure


def _boxes(page):
    sections = page.locator(".two-columns > section")
    assert sections.count() == 2
    return sections.nth(0).bounding_box(), sections.nth(1).bounding_box()


def test_reports_side_by_side_on_a_wide_screen(browser, live_server, procedure, agent_a):
    """At 1024 px the first and the second report are two columns."""
    context, page = _signed_in_page(browser, live_server, agent_a, 1024)
    try:
        url = reverse(
            "staff:cimetiere:abandonment-reports",
            kwargs={"commune_slug": procedure.commune.slug, "procedure": procedure.pk},
        )
        page.goto(live_server.url + url)
        first, second = _boxes(page)
        assert first["y"] == second["y"]
        assert second["x"] > first["x"] + first["width"] - 1
        assert_accessible(page)
    finally:
        context.close()


def test_reports_stacked_on_a_phone(browser, live_server, procedure, agent_a):
    """At 320 px the reports are stacked and nothing scrolls sideways (photos included)."""
    context, page = _signed_in_page(browser, live_server, agent_a, 320)
    try:
        url = reverse(
            "staff:cimetiere:abandonment-reports",
            kwargs={"commune_slug": procedure.commune.slug, "procedure": procedure.pk},
        )
        page.goto(live_server.url + url)
        page.wait_for_load_state("load")
        first, second = _boxes(page)
        assert second["y"] >= first["y"] + first["height"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert page.locator("figure img").count() == 2
        assert page.evaluate(
            "Array.from(document.images).every(image => image.complete && image.naturalWidth > 0)"
        )
    finally:
        context.close()


def test_procedure_and_list_pages_are_accessible(browser, live_server, procedure, agent_a):
    """The list, the procedure page with its step form and the opening page pass axe-core."""
    context, page = _signed_in_page(browser, live_server, agent_a, 320)
    slug = procedure.commune.slug
    try:
        for url in (
            reverse("staff:cimetiere:abandonment-list", kwargs={"commune_slug": slug}),
            reverse(
                "staff:cimetiere:abandonment-procedure",
                kwargs={"commune_slug": slug, "procedure": procedure.pk},
            ),
            reverse(
                "staff:cimetiere:abandonment-restored",
                kwargs={"commune_slug": slug, "procedure": procedure.pk},
            ),
            reverse(
                "staff:cimetiere:abandonment-open",
                kwargs={"commune_slug": slug, "concession": procedure.concession_id},
            ),
        ):
            response = page.goto(live_server.url + url)
            assert response is not None and response.status == 200, url
            assert page.locator("h1").count() == 1
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, url
            assert_accessible(page)
    finally:
        context.close()
