"""Documents of the abandonment procedure render as PDFs from the shared templates, in French,
citing their articles and naming the concession."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from clocher.cimetiere.documents import abandonment as documents
from clocher.cimetiere.documents.pdf import render_document
from clocher.cimetiere.documents.pdf_text import pdf_text
from clocher.cimetiere.models import AbandonmentStep, DocumentKind, Holder
from clocher.cimetiere.services.documents import commune_template_save
from clocher.cimetiere.tests.factories import abandonment_procedure
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


def _flat(data: bytes) -> str:
    return " ".join(pdf_text(data).split())


def _pdf(document) -> str:
    data = render_document(document)
    assert data.startswith(b"%PDF")
    return _flat(data)


@pytest.fixture
def procedure(commune_a):
    procedure = abandonment_procedure(
        commune_a, number="1951-007", through=AbandonmentStep.MAYOR_ORDER
    )
    Holder.objects.create(
        commune=commune_a, concession=procedure.concession, full_name="Albert Vidal"
    )
    return procedure


def test_notice_names_the_recipients_and_the_visit(procedure):
    """The notice to descendants (R2223-13) states the visit date and the recipients."""
    text = _pdf(documents.notice_document(procedure, today=TODAY))
    assert "Avis de constat d'abandon — concession n° 1951-007" in text
    assert "Mme Vidal, Lyon" in text
    assert "10 février 2024" in text
    assert "R2223-13" in text
    assert "Albert Vidal" in text


def test_reports_state_the_condition_and_cite_the_articles(procedure):
    """Each report states the condition and who was present (R2223-14, R2223-18)."""
    first = _pdf(documents.report_document(procedure, second=False, today=TODAY))
    second = _pdf(documents.report_document(procedure, second=True, today=TODAY))
    assert "Premier procès-verbal de constat d'abandon — concession n° 1951-007" in first
    assert "Stèle renversée, ronces." in first
    assert "M. Roux, garde" in first
    assert "R2223-14" in first
    assert "Second procès-verbal de constat d'abandon — concession n° 1951-007" in second
    assert "Toujours à l'abandon." in second
    assert "R2223-18" in second
    assert "Albert Vidal" not in first + second


def test_blank_report_can_be_printed_before_the_visit(commune_a):
    """Before the visit the report has blank lines to fill in on site."""
    procedure = abandonment_procedure(commune_a, number="B-3", through=AbandonmentStep.NOTICE)
    text = _pdf(documents.report_document(procedure, second=False, today=TODAY))
    assert "concession n° B-3" in text
    assert "……" in text


def test_notification_is_of_the_latest_report(procedure):
    """The letter notifies the second report once it exists (R2223-15)."""
    text = _pdf(documents.notification_document(procedure, today=TODAY))
    assert "notification du second procès-verbal" in text
    assert "concession n° 1951-007" in text
    assert "R2223-15" in text


def test_notification_before_any_report_is_refused(commune_a):
    """No report yet: nothing to notify (the view answers 404)."""
    procedure = abandonment_procedure(commune_a, through=AbandonmentStep.NOTICE)
    with pytest.raises(ValueError):
        documents.notification_document(procedure, today=TODAY)


def test_repossession_order_cites_the_deliberation(procedure):
    """The mayor's order (L2223-17) cites both reports and the council's deliberation."""
    text = _pdf(documents.repossession_order_document(procedure, today=TODAY))
    assert "Arrêté de reprise de la concession n° 1951-007" in text
    assert "L2223-17" in text
    assert "DCM-2025-12" in text
    assert "R2223-20" in text
    assert "ARRÊTE" in text


def test_list_document_lists_the_procedures_in_progress(commune_a):
    """The list kept at the town hall (R2223-16) has one row per procedure."""
    abandonment_procedure(commune_a, number="LI-1", through=AbandonmentStep.FIRST_REPORT)
    text = _pdf(documents.abandonment_list_document(commune_a, today=TODAY))
    assert "Liste des concessions en état d'abandon" in text
    assert "LI-1" in text
    assert "R2223-16" in text
    assert "EN RETARD" in text


def test_commune_copy_of_the_order_template_is_used(procedure, admin_a):
    """A commune's adjusted copy of the order replaces the built-in text."""
    commune_template_save(
        commune=procedure.commune,
        actor=admin_a,
        kind=DocumentKind.REPOSSESSION_ORDER,
        title="Arrêté municipal {{ concession.number }}",
        body="Reprise décidée le {{ deliberation.date }}.",
    )
    text = _pdf(documents.repossession_order_document(procedure, today=TODAY))
    assert "Arrêté municipal 1951-007" in text
    assert "Reprise décidée le 24 mars 2025." in text


@pytest.mark.parametrize(
    "name",
    [
        "abandonment-notice-pdf",
        "abandonment-first-report-pdf",
        "abandonment-second-report-pdf",
        "abandonment-notification-pdf",
        "abandonment-order-pdf",
    ],
)
def test_each_document_downloads_from_the_procedure(name, procedure, agent_a):
    """Each document linked from the procedure page is a PDF naming the concession."""
    client = signed_in_client(agent_a)
    page_url = reverse(
        "staff:cimetiere:abandonment-procedure",
        kwargs={"commune_slug": procedure.commune.slug, "procedure": procedure.pk},
    )
    url = reverse(
        f"staff:cimetiere:{name}",
        kwargs={"commune_slug": procedure.commune.slug, "procedure": procedure.pk},
    )
    assert f'href="{url}"' in client.get(page_url).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "1951-007" in _flat(response.content)


def test_list_pdf_downloads(commune_a, elected_a):
    """The list's PDF version is linked from the list page."""
    abandonment_procedure(commune_a, number="LP-4", through=AbandonmentStep.NOTICE)
    client = signed_in_client(elected_a)
    url = reverse("staff:cimetiere:abandonment-list-pdf", kwargs={"commune_slug": commune_a.slug})
    page = client.get(
        reverse("staff:cimetiere:abandonment-list", kwargs={"commune_slug": commune_a.slug})
    )
    assert f'href="{url}"' in page.content.decode()
    response = client.get(url)
    assert response.content.startswith(b"%PDF")
    assert "LP-4" in _flat(response.content)


def test_template_example_of_the_order_uses_fictional_values(commune_a, agent_a):
    """The shared template's example PDF fills the procedure's placeholders with examples."""
    url = reverse(
        "staff:cimetiere:document-template-example", kwargs={"commune_slug": commune_a.slug}
    )
    response = signed_in_client(agent_a).get(url, {"kind": DocumentKind.REPOSSESSION_ORDER})
    text = _flat(response.content)
    assert "Arrêté de reprise de la concession n° 2024-017" in text
    assert "24 mars 2025 (n° 2025-12)" in text
