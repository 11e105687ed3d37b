"""The renewal letters due this month, printed in one PDF from the module's home."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from clocher.cimetiere.legal_clock import add_months, add_years
from clocher.cimetiere.models import Holder
from clocher.cimetiere.tests.factories import ConcessionFactory, PlotFactory
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


def _expiring(commune, months, number):
    concession = ConcessionFactory.create(
        plot=PlotFactory.create(section__cemetery__commune=commune),
        number=number,
        act_date=add_years(add_months(timezone.localdate(), months), -30),
    )
    Holder.objects.create(commune=commune, concession=concession, full_name=f"Titulaire {number}")
    return concession


def test_letters_pdf_has_one_letter_per_concession_due(commune_a, technician_a):
    """Two letters due: the home offers the button and the PDF has at least two pages."""
    _expiring(commune_a, 3, "C-1")
    _expiring(commune_a, 4, "C-2")
    _expiring(commune_a, 100, "C-3")
    client = signed_in_client(technician_a)
    home = client.get(reverse("staff:cimetiere:home", kwargs={"commune_slug": commune_a.slug}))
    url = reverse("staff:cimetiere:renewal-letters-due", kwargs={"commune_slug": commune_a.slug})
    assert url in home.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", response.content))
    assert pages >= 2


def test_no_letter_due_goes_back_home(commune_a, agent_a):
    """Without a letter due, the page returns home with a message and no button is offered."""
    _expiring(commune_a, 100, "C-3")
    client = signed_in_client(agent_a)
    url = reverse("staff:cimetiere:renewal-letters-due", kwargs={"commune_slug": commune_a.slug})
    home = client.get(reverse("staff:cimetiere:home", kwargs={"commune_slug": commune_a.slug}))
    assert url not in home.content.decode()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "staff:cimetiere:home", kwargs={"commune_slug": commune_a.slug}
    )
