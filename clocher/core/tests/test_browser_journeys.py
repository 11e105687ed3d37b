"""End-to-end journeys in headless Chromium, with an axe-core audit of every page visited.

Zero serious or critical accessibility violation is accepted. The tests skip, with the reason,
where Debian's Chromium is not installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import TOTP

from clocher.core.testing.browser import assert_accessible
from clocher.core.testing.factories import TEST_PASSWORD, confirmed_totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _current_code(user) -> str:
    device = confirmed_totp_device(user)
    return f"{TOTP(bytes.fromhex(device.key)).token():06d}"


def _sign_in(page, live_server, user, *, with_code: bool = True) -> None:
    page.goto(live_server.url + reverse("accounts:login"))
    assert_accessible(page)
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    if with_code:
        page.wait_for_url("**/compte/verification/**")
        assert_accessible(page)
        page.get_by_label("Code à 6 chiffres ou code de secours").fill(_current_code(user))
        page.get_by_role("button", name="Valider").click()


def _visit(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    assert page.locator("h1").count() == 1, f"{url} must have exactly one h1"
    assert_accessible(page)


def test_public_pages_are_accessible(page, live_server, commune_a):
    """A citizen browses the platform home, a commune's home, the citizen space, the statement."""
    for url in (
        reverse("portal:home"),
        reverse("public:portal:commune-home", kwargs={"commune_slug": commune_a.slug}),
        reverse("public:citizen:login", kwargs={"commune_slug": commune_a.slug}),
        reverse("portal:accessibility"),
    ):
        _visit(page, live_server.url + url)
    assert commune_a.name in page.goto(live_server.url + reverse("portal:home")).text()


def test_commune_admin_signs_in_with_second_factor_and_walks_the_back_office(
    page, live_server, admin_a
):
    """A secretary signs in with password and TOTP code, then opens each back-office page."""
    confirmed_totp_device(admin_a)
    _sign_in(page, live_server, admin_a)
    page.wait_for_url(f"**/mairie/{admin_a.memberships.get().commune.slug}/")
    assert_accessible(page)
    slug = admin_a.memberships.get().commune.slug
    for name in ("members", "settings", "access-journal"):
        _visit(
            page,
            live_server.url + reverse(f"staff:backoffice:{name}", kwargs={"commune_slug": slug}),
        )


def test_elected_official_must_enrol_a_second_factor(page, live_server, elected_a):
    """An elected official without an authenticator app is taken to the enrolment page."""
    _sign_in(page, live_server, elected_a, with_code=False)
    page.wait_for_url("**/compte/double-authentification/**")
    assert page.locator("svg").count() >= 1, "the QR code is drawn as inline SVG"
    assert_accessible(page)


def test_operator_admin_opens_the_console(page, live_server, operator_admin, commune_a):
    """The operator's admin signs in with a code and goes through the console."""
    confirmed_totp_device(operator_admin)
    _sign_in(page, live_server, operator_admin)
    page.wait_for_url("**/console/**")
    assert_accessible(page)
    for name in ("communes", "accounts"):
        _visit(page, live_server.url + reverse(f"console:{name}"))


def test_sign_in_works_without_javascript(browser, live_server, agent_a):
    """An agent (no second factor required) signs in with JavaScript disabled."""
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(live_server.url + reverse("accounts:login"))
        page.get_by_label("Adresse e-mail").fill(agent_a.email)
        page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/mairie/**")
        assert page.locator("h1").count() == 1
    finally:
        context.close()


def test_skip_link_comes_first_and_focus_is_visible(page, live_server, commune_a):
    """The first Tab reaches the skip link, which is visible when focused."""
    page.goto(
        live_server.url
        + reverse("public:portal:commune-home", kwargs={"commune_slug": commune_a.slug})
    )
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#contenu"
    assert page.locator(".skip-link").is_visible()


def test_pages_fit_a_small_phone(browser, live_server, commune_a):
    """At 320 px wide, the commune's home has no horizontal scroll."""
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(
            live_server.url
            + reverse("public:portal:commune-home", kwargs={"commune_slug": commune_a.slug})
        )
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320
    finally:
        context.close()


def test_accessibility_audit_reports_a_real_violation(page):
    """The audit is not vacuous: an image without text alternative is reported as critical."""
    from clocher.core.testing.browser import serious_violations

    page.set_content(
        '<!doctype html><html lang="fr"><title>t</title><main><img src="x.png"></main></html>'
    )
    assert "image-alt" in {violation["id"] for violation in serious_violations(page)}


def test_secretary_walks_the_cemetery_pages(page, live_server, admin_a):
    """The cemetery module's main pages pass the audit on a demo cemetery (plan included)."""
    from clocher.cimetiere import demo
    from clocher.cimetiere.models import Cemetery, Concession, Plot

    commune = admin_a.memberships.get().commune
    demo.load(commune=commune, staff={})
    cemetery = Cemetery.objects.for_commune(commune).get()
    plot = Plot.objects.for_commune(commune).filter(burials__isnull=False).first()
    concession = Concession.objects.for_commune(commune).first()
    assert plot is not None and concession is not None
    confirmed_totp_device(admin_a)
    _sign_in(page, live_server, admin_a)
    page.wait_for_url(f"**/mairie/{commune.slug}/")
    slug = {"commune_slug": commune.slug}
    for url in (
        reverse("staff:cimetiere:home", kwargs=slug),
        reverse("staff:cimetiere:cemetery", kwargs={**slug, "cemetery": cemetery.pk}),
        reverse("staff:cimetiere:plot", kwargs={**slug, "plot": plot.pk}),
        reverse("staff:cimetiere:concession", kwargs={**slug, "concession": concession.pk}),
        reverse("staff:cimetiere:deceased-search", kwargs=slug) + "?q=a",
        reverse("staff:cimetiere:operations", kwargs=slug),
        reverse("staff:cimetiere:forecast", kwargs=slug),
        reverse("staff:cimetiere:import", kwargs=slug),
        reverse("staff:cimetiere:documents", kwargs=slug),
        reverse("staff:cimetiere:ossuary-register", kwargs=slug),
        reverse("staff:cimetiere:abandonment-list", kwargs=slug),
    ):
        _visit(page, live_server.url + url)
