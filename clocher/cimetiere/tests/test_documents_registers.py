"""The ossuary register and the register of ashes are public: printable pages in the back-office."""

from __future__ import annotations

import datetime

from django.urls import reverse

from clocher.cimetiere.models import AshScatteringEntry, OssuaryEntry
from clocher.core.testing.clients import signed_in_client


def test_ossuary_register_page_lists_entries_in_a_table(technician_a, commune_a, commune_b):
    """The page shows every entry of the commune (and none of another) in an accessible table."""
    OssuaryEntry.objects.create(
        commune=commune_a, full_name="Joséphine Œillet", moved_on=datetime.date(2019, 5, 2)
    )
    OssuaryEntry.objects.create(
        commune=commune_b, full_name="Autre Commune", moved_on=datetime.date(2019, 5, 2)
    )
    url = reverse("staff:cimetiere:ossuary-register", kwargs={"commune_slug": commune_a.slug})
    page = signed_in_client(technician_a).get(url).content.decode()
    assert "<caption>Inscriptions</caption>" in page
    assert "Joséphine Œillet" in page
    assert "2 mai 2019" in page
    assert "L2223-4" in page
    assert "Autre Commune" not in page
    assert (
        reverse(
            "staff:cimetiere:document-ossuary-register", kwargs={"commune_slug": commune_a.slug}
        )
        in page
    )


def test_ash_register_page(elected_a, commune_a):
    """The register of ashes scattered shows the person, the date and the place."""
    AshScatteringEntry.objects.create(
        commune=commune_a,
        full_name="René Vadot",
        scattered_on=datetime.date(2025, 7, 14),
        place="Bois de la Combe",
        in_nature=True,
    )
    url = reverse("staff:cimetiere:ash-register", kwargs={"commune_slug": commune_a.slug})
    page = signed_in_client(elected_a).get(url).content.decode()
    assert "René Vadot" in page
    assert "14 juillet 2025" in page
    assert "Bois de la Combe" in page
    assert "L2223-18-3" in page


def test_empty_register_says_so(agent_a, commune_a):
    """A register without entries says so instead of showing an empty table."""
    url = reverse("staff:cimetiere:ash-register", kwargs={"commune_slug": commune_a.slug})
    page = signed_in_client(agent_a).get(url).content.decode()
    assert "Aucune inscription." in page
    assert "<table" not in page
