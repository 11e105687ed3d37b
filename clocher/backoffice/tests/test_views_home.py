"""The back-office home: the commune's modules and the tools the person's role allows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.core.modules import ModuleInfo
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


def _url(commune):
    return reverse("staff:backoffice:home", kwargs={"commune_slug": commune.slug})


def test_admin_sees_every_shell_tool(commune_a, admin_a):
    """A commune admin gets members, settings and the access journal, in the nav and the page."""
    content = signed_in_client(admin_a).get(_url(commune_a)).content.decode()
    assert 'href="/mairie/agey/" aria-current="page"' in content
    for path in (
        "/mairie/agey/membres/",
        "/mairie/agey/parametres/",
        "/mairie/agey/journal-des-acces/",
    ):
        assert f'href="{path}"' in content
    assert "Vos rôles : Administrateur de la commune" in content


def test_agent_sees_no_administration_tool(commune_a, agent_a):
    """An agent sees no link to pages their role cannot open."""
    content = signed_in_client(agent_a).get(_url(commune_a)).content.decode()
    for path in (
        "/mairie/agey/membres/",
        "/mairie/agey/parametres/",
        "/mairie/agey/journal-des-acces/",
    ):
        assert f'href="{path}"' not in content


def test_modules_with_a_staff_home_are_listed(commune_a, agent_a, monkeypatch):
    """A module with a staff home appears with its title, linking into the commune."""
    module = ModuleInfo(
        url_prefix="essai",
        title="Cimetière",
        description="Concessions",
        staff_home="staff:backoffice:home",
    )
    monkeypatch.setattr("clocher.portal.navigation.registered_modules", lambda: [module])
    content = signed_in_client(agent_a).get(_url(commune_a)).content.decode()
    assert '<a href="/mairie/agey/">Cimetière</a>' in content
