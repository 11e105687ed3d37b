"""Every catalogue procedure, end to end in headless Chromium, as a demo commune has them.

For each built-in template adopted and published by the commune: a citizen fills the form page
by page on a phone-sized screen (every shown field answered, a photo or a PDF attached where
asked), checks the summary and sends it; the worker issues the acknowledgment and the citizen
downloads its PDF from the tracking page; an agent granted the family opens the request from the
inbox and records a decision; the citizen then sees the decision on the tracking page and
downloads its PDF. Each page passes the axe audit: the pages of the procedure itself (its
presentation, every step of its form, its summary, the request in the back office) in every
journey; the pages all procedures share (catalogue, confirmation, tracking, inbox) in the first
journey of the test process that reaches them, since they do not change with the procedure.
"""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from clocher.core.testing.browser import assert_accessible
from clocher.core.testing.clients import signed_in_client
from clocher.demarches.catalogue import BUILT_IN
from clocher.demarches.demo import _adopt_everything
from clocher.demarches.formschema import parse_schema
from clocher.demarches.models import Procedure, Request, StatusKind
from clocher.demarches.services.statuses import statuses_of
from clocher.demarches.tests.factories import grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCEPTED_OR_REFUSED = {"aide-sociale-ccas": "refused"}

# Shared pages already audited in this test process (see the module's docstring).
_AUDITED_SHARED_PAGES: set[str] = set()


def _assert_shared_page_accessible(page, kind: str) -> None:
    if kind not in _AUDITED_SHARED_PAGES:
        assert_accessible(page)
        _AUDITED_SHARED_PAGES.add(kind)


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), (90, 120, 160)).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _pdf() -> bytes:
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text="Justificatif de domicile")
    return bytes(document.output())


def _value(spec, today: datetime.date) -> str:
    """A plausible answer for a field of the given spec, as typed in the browser."""
    if spec.type == "number":
        low = spec.min_value if spec.min_value is not None else 1
        return str(int(low) if spec.integer or float(low).is_integer() else low)
    if spec.type == "date":
        day = (
            today - datetime.timedelta(days=9000)
            if spec.date_range == "past"
            else (today + datetime.timedelta(days=20))
        )
        return day.isoformat()
    if spec.type == "email":
        return "camille.martin@exemple.fr"
    if spec.type == "phone":
        return "03 80 12 34 56"
    if spec.type == "textarea":
        return "Précisions données pour l'essai de bout en bout."
    if spec.type == "address":
        return "3 rue Haute, 21000 Agey"
    if spec.pattern:
        return "21000" if "\\d{5}" in spec.pattern else "A1"
    return "Martin"


def _specs_by_name(procedure: Procedure) -> dict[str, Any]:
    specs: dict[str, Any] = {}
    assert procedure.current_form is not None
    for spec in parse_schema(procedure.current_form.schema).fields:
        specs[spec.name] = spec
        for sub in spec.fields:
            specs[sub.name] = sub
    return specs


def _spec_for(name: str, specs: dict[str, Any]) -> Any:
    if name in specs:
        return specs[name]
    for part in reversed(re.split(r"[^a-z0-9_]+", name)):
        if part in specs:
            return specs[part]
    return None


def _fill_visible_fields(page, specs, tmp_path) -> None:
    today = datetime.date.today()
    form = page.locator("form[data-live-conditions]")
    for field in form.locator("input, textarea, select").all():
        if not field.is_visible() or not field.is_enabled():
            continue
        kind = (field.get_attribute("type") or "").lower()
        name = field.get_attribute("name") or ""
        tag = field.evaluate("element => element.tagName").lower()
        if kind in ("hidden", "submit", "button"):
            continue
        if kind == "radio":
            group = form.locator(f'input[type="radio"][name="{name}"]')
            if not any(option.is_checked() for option in group.all()):
                group.first.check()
            continue
        if kind == "checkbox":
            siblings = form.locator(f'input[type="checkbox"][name="{name}"]')
            if not any(option.is_checked() for option in siblings.all()):
                siblings.first.check()
            continue
        if kind == "file":
            accept = field.get_attribute("accept") or ""
            if "image" in accept and "pdf" not in accept:
                path = tmp_path / "photo.jpg"
                path.write_bytes(_photo())
            else:
                path = tmp_path / "justificatif.pdf"
                path.write_bytes(_pdf())
            field.set_input_files(str(path))
            continue
        if tag == "select":
            options = field.locator("option").all()
            values = [option.get_attribute("value") for option in options]
            field.select_option(next(value for value in values if value))
            continue
        if field.input_value():
            continue
        if "latitude" in name or "longitude" in name:
            field.fill("47.27" if "latitude" in name else "4.85")
            continue
        spec = _spec_for(name, specs)
        if spec is None:
            field.fill("Essai")
            continue
        field.fill(_value(spec, today))


def _run_worker() -> None:
    call_command("worker", "--batch", "--no-startup-delay", "--no-scheduler", verbosity=0)


def _pdf_at(page, url: str) -> bytes:
    response = page.request.get(url)
    assert response.status == 200, url
    body = response.body()
    assert body.startswith(b"%PDF"), url
    return body


@pytest.fixture
def adopted(commune_a, admin_a, agent_a):
    commune_a.address = "Mairie, 1 place de l'Église, 21410 Agey"
    commune_a.email = "mairie@agey.example"
    commune_a.phone = "03 80 49 00 00"
    commune_a.save()
    _adopt_everything(commune_a)
    grant(agent_a, commune_a)
    return {
        procedure.template.slug: procedure
        for procedure in Procedure.objects.for_commune(commune_a).select_related(
            "template", "current_form"
        )
    }


@pytest.mark.parametrize("slug", [template.slug for template in BUILT_IN])
def test_citizen_to_decision_end_to_end(slug, adopted, browser, live_server, agent_a, tmp_path):
    """Citizen submits → acknowledgment PDF → agent decides → decision PDF seen by the citizen."""
    procedure = adopted[slug]
    commune = procedure.commune
    specs = _specs_by_name(procedure)
    citizen_context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    agent_context = None
    try:
        citizen = citizen_context.new_page()
        citizen.goto(live_server.url + reverse("public:demarches:catalogue", args=[commune.slug]))
        _assert_shared_page_accessible(citizen, "catalogue")
        citizen.get_by_role("link", name=procedure.title, exact=True).click()
        assert_accessible(citizen)
        citizen.get_by_role("button", name="Commencer la démarche").click()
        for _step in range(12):
            if "recapitulatif" in citizen.url:
                break
            assert_accessible(citizen)
            _fill_visible_fields(citizen, specs, tmp_path)
            citizen.locator('button[name="action"][value="next"]').click()
            errors = citizen.locator(".error-text, .error-summary").all_inner_texts()
            assert "recapitulatif" in citizen.url or not errors, errors
        assert "recapitulatif" in citizen.url, "the form never reached its summary"
        assert_accessible(citizen)
        citizen.get_by_label(re.compile("e-mail", re.IGNORECASE)).first.fill(
            "camille.martin@exemple.fr"
        )
        consent = citizen.locator('input[type="checkbox"][name="consent"]')
        if consent.count():
            consent.check()
        citizen.get_by_role("button", name="Envoyer ma demande").click()
        assert "envoyee" in citizen.url, citizen.locator("main").inner_text()
        _assert_shared_page_accessible(citizen, "sent")
        tracking_url = citizen.locator("p.secret a").get_attribute("href")
        request = Request.objects.get(procedure=procedure)

        _run_worker()
        citizen.goto(live_server.url + tracking_url)
        _assert_shared_page_accessible(citizen, "tracking")
        acknowledgment = citizen.get_by_role(
            "link", name="Télécharger l'accusé de réception (PDF)"
        ).get_attribute("href")
        _pdf_at(citizen, live_server.url + acknowledgment)

        cookie = signed_in_client(agent_a).cookies[settings.SESSION_COOKIE_NAME].value
        agent_context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        agent_context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
        agent = agent_context.new_page()
        agent.goto(live_server.url + reverse("staff:demarches:inbox", args=[commune.slug]))
        _assert_shared_page_accessible(agent, "inbox")
        agent.get_by_role("link", name=request.number).first.click()
        assert_accessible(agent)
        outcome = ACCEPTED_OR_REFUSED.get(slug, "accepted")
        agent.locator(f'#decider input[name="outcome"][value="{outcome}"]').check()
        agent.locator("#decider textarea").fill("Décision prise après examen du dossier.")
        agent.locator("#decider").get_by_role("button", name="Enregistrer la décision").click()
        request.refresh_from_db()
        assert request.status_kind == StatusKind(outcome)

        citizen.goto(live_server.url + tracking_url)
        main = citizen.locator("main").inner_text()
        status = next(s for s in statuses_of(procedure) if s.kind == outcome)
        assert status.label in main
        assert "Dossier consulté" in main or "consulté" in main
        decision = citizen.get_by_role("link", name="Télécharger la décision (PDF)").get_attribute(
            "href"
        )
        _pdf_at(citizen, live_server.url + decision)
        _assert_shared_page_accessible(citizen, f"tracking-{outcome}")
    finally:
        citizen_context.close()
        if agent_context is not None:
            agent_context.close()
