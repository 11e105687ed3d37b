"""The commune's logo, decrypted from its vault for the public pages."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from clocher.core.models import AuditEntry
from clocher.core.models.audit import AuditAction
from clocher.core.testing.clients import signed_in_client
from clocher.tenancy import services

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (20, 80, 100)).save(buffer, format="PNG")
    return buffer.getvalue()


def _url(commune):
    return reverse("public:portal:commune-logo", kwargs={"commune_slug": commune.slug})


def test_logo_is_served_decrypted_with_its_type(client, commune_a):
    """The logo answers with the original bytes and content type."""
    data = _png()
    services.commune_set_logo(
        commune=commune_a, data=data, name="logo.png", content_type="image/png"
    )
    response = client.get(_url(commune_a))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content == data


def test_commune_home_shows_the_logo(client, commune_a):
    """The public home includes the logo image once one is set."""
    services.commune_set_logo(
        commune=commune_a, data=_png(), name="logo.png", content_type="image/png"
    )
    commune_a.refresh_from_db()
    content = client.get(f"/communes/{commune_a.slug}/").content.decode()
    assert f'src="/communes/agey/logo?v={commune_a.logo_id}"' in content


def test_no_logo_is_not_found(client, commune_a):
    """A commune without a logo answers 404 on the logo URL."""
    assert client.get(_url(commune_a)).status_code == 404


def test_operator_staff_viewing_the_logo_is_not_journaled(commune_a, operator_admin):
    """The public logo is not personal data: operator staff seeing it write no access entry."""
    services.commune_set_logo(
        commune=commune_a, data=_png(), name="logo.png", content_type="image/png"
    )
    response = signed_in_client(operator_admin).get(_url(commune_a))
    assert response.status_code == 200
    assert not AuditEntry.objects.filter(action=AuditAction.PERSONAL_DATA_READ).exists()
