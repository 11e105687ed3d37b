"""A commune's public home: identity, contact, hours, services or how to reach the town hall."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.core.modules import ModuleInfo
from clocher.tenancy import services

pytestmark = pytest.mark.django_db


def _url(commune):
    return reverse("public:portal:commune-home", kwargs={"commune_slug": commune.slug})


def test_commune_home_shows_contact_and_hours(client, commune_a):
    """Anyone sees the commune's name, address, phone, e-mail and opening hours."""
    services.commune_update(
        commune=commune_a,
        address="2 place de l'Église\n21410 Agey",
        phone="03 80 00 00 01",
        email="mairie@agey.test",
        opening_hours="Mardi 14 h – 18 h",
    )
    response = client.get(_url(commune_a))
    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Agey</h1>" in content
    assert "21410 Agey" in content
    assert 'href="tel:0380000001"' in content
    assert "mailto:mairie@agey.test" in content
    assert "Mardi 14 h – 18 h" in content


def test_commune_without_service_points_to_the_town_hall(client, commune_a):
    """With no online service, the page says so and gives the town hall's phone number."""
    services.commune_update(commune=commune_a, phone="03 80 00 00 01")
    content = client.get(_url(commune_a)).content.decode()
    assert "La commune ne propose pas encore de service en ligne." in content
    assert 'Téléphone : <span class="nowrap">03 80 00 00 01</span>.' in content


def test_commune_home_lists_modules_with_a_public_home(client, commune_a, monkeypatch):
    """A module with a public home appears as a service linking to its page in the commune."""
    module = ModuleInfo(
        url_prefix="essai",
        title="Démarches",
        description="Faire une demande",
        public_home="public:portal:commune-home",
    )
    monkeypatch.setattr("clocher.portal.navigation.registered_modules", lambda: [module])
    content = client.get(_url(commune_a)).content.decode()
    assert '<a href="/communes/agey/">Démarches</a>' in content
    assert "pas encore de service en ligne" not in content


def test_inactive_or_unknown_commune_is_not_found(client, commune_a):
    """An inactive commune answers 404, like one that does not exist."""
    commune_a.is_active = False
    commune_a.save()
    assert client.get(_url(commune_a)).status_code == 404
    assert client.get("/communes/nulle-part/").status_code == 404


def test_commune_home_has_one_h1_and_current_nav_item(client, commune_a):
    """One h1, and the navigation marks the current page."""
    content = client.get(_url(commune_a)).content.decode()
    assert content.count("<h1") == 1
    assert 'href="/communes/agey/" aria-current="page"' in content
