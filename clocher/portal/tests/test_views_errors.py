"""Error pages: friendly French text and a way back."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from clocher.portal import views

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous_request(rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    return request


def test_not_found_page_is_friendly(client):
    """An unknown address answers 404 with an explanation and a link to the home page."""
    response = client.get("/cette-page-n-existe-pas/")
    content = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page introuvable</h1>" in content
    assert 'href="/"' in content


def test_forbidden_page_explains_the_role(anonymous_request):
    """403 says the role does not allow the page and whom to ask."""
    response = views.permission_denied(anonymous_request)
    content = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Accès refusé</h1>" in content
    assert "administrateur de votre commune" in content


def test_bad_request_page(anonymous_request):
    """400 has its own message and a way back."""
    response = views.bad_request(anonymous_request)
    assert response.status_code == 400
    assert "<h1>Demande incorrecte</h1>" in response.content.decode()


def test_server_error_page_needs_neither_database_nor_context(rf, django_assert_num_queries):
    """500 renders without any query (the database may be what failed)."""
    with django_assert_num_queries(0):
        response = views.server_error(rf.get("/"))
    content = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Une erreur est survenue</h1>" in content
    assert 'href="/"' in content
