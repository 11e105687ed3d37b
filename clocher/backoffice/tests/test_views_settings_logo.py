"""The commune logo: accepted, downscaled when heavy, refused clearly when not an image."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from clocher.backoffice.logos import LOGO_MAX_SIDE
from clocher.core import vault
from clocher.core.models import AuditEntry, VaultFile
from clocher.core.models.audit import AuditAction
from clocher.core.testing.clients import signed_in_client
from clocher.tenancy.models import Commune

pytestmark = pytest.mark.django_db


def _image(size=(64, 32), image_format="PNG", noise=False) -> bytes:
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (20, 80, 100))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def _url(commune):
    return reverse("staff:backoffice:settings-logo", kwargs={"commune_slug": commune.slug})


def _logo_of(commune):
    return Commune.objects.select_related("logo").get(pk=commune.pk).logo


def test_page_states_the_limit_before_upload(commune_a, admin_a, settings):
    """The accepted formats and the size limit are written before the file field."""
    settings.UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    content = signed_in_client(admin_a).get(_url(commune_a)).content.decode()
    assert "Formats acceptés : JPEG, PNG ou WebP. Taille maximale : 20,0\xa0Mio" in content
    assert 'accept="image/jpeg,image/png,image/webp"' in content


def test_small_image_is_stored_encrypted_as_sent(commune_a, admin_a):
    """A small PNG is kept as it is, sealed in the vault, and the change is journaled."""
    data = _image()
    upload = SimpleUploadedFile("logo.png", data, content_type="image/png")
    response = signed_in_client(admin_a).post(_url(commune_a), {"logo": upload})
    assert response.status_code == 302
    logo = _logo_of(commune_a)
    assert logo.content_type == "image/png"
    assert vault.read_file(logo) == data
    entry = AuditEntry.objects.get(action=AuditAction.COMMUNE_UPDATED)
    assert entry.data["fields"] == ["logo"]


def test_large_image_is_downscaled_not_refused(commune_a, admin_a):
    """A big photo is reduced to the logo size, and the person is told so."""
    data = _image(size=(1600, 1200), image_format="JPEG")
    upload = SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")
    response = signed_in_client(admin_a).post(_url(commune_a), {"logo": upload}, follow=True)
    assert response.status_code == 200
    assert "elle a été réduite automatiquement" in response.content.decode()
    stored = Image.open(io.BytesIO(vault.read_file(_logo_of(commune_a))))
    assert max(stored.size) == LOGO_MAX_SIDE


def test_image_over_the_byte_limit_is_downscaled(commune_a, admin_a, settings):
    """An image heavier than the upload limit is accepted, shrunk under the limit."""
    settings.UPLOAD_MAX_BYTES = 40_000
    data = _image(size=(120, 120), noise=True)
    assert len(data) > 40_000
    upload = SimpleUploadedFile("lourd.png", data, content_type="image/png")
    response = signed_in_client(admin_a).post(_url(commune_a), {"logo": upload})
    assert response.status_code == 302
    logo = _logo_of(commune_a)
    assert logo.content_type == "image/jpeg"
    assert logo.size <= 40_000


def test_non_image_is_refused_on_the_field(commune_a, admin_a):
    """A PDF renamed .png is refused by its content, with the message on the field."""
    upload = SimpleUploadedFile(
        "logo.png", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", content_type="image/png"
    )
    response = signed_in_client(admin_a).post(_url(commune_a), {"logo": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["logo"] == [
        "Ce fichier n'est pas d'un type accepté (formats acceptés : JPEG, PNG, WebP)."
    ]
    assert 'id="id_logo_error"' in response.content.decode()
    assert _logo_of(commune_a) is None
    assert not VaultFile.objects.exists()


def test_missing_file_is_an_error_on_the_field(commune_a, admin_a):
    """Submitting without a file says to choose an image."""
    response = signed_in_client(admin_a).post(_url(commune_a), {})
    assert response.status_code == 200
    assert response.context["form"].errors["logo"] == ["Choisissez une image."]


def test_logo_can_be_removed(commune_a, admin_a):
    """The remove button takes the logo off the public pages, journaled."""
    client = signed_in_client(admin_a)
    client.post(
        _url(commune_a), {"logo": SimpleUploadedFile("l.png", _image(), content_type="image/png")}
    )
    response = client.post(_url(commune_a), {"remove": "1"})
    assert response.status_code == 302
    assert _logo_of(commune_a) is None
    assert AuditEntry.objects.filter(action=AuditAction.COMMUNE_UPDATED).count() == 2


def test_denied_upload_changes_nothing(commune_a, agent_a):
    """An agent cannot upload a logo: 403 and no file stored."""
    upload = SimpleUploadedFile("logo.png", _image(), content_type="image/png")
    response = signed_in_client(agent_a).post(_url(commune_a), {"logo": upload})
    assert response.status_code == 403
    assert _logo_of(commune_a) is None
    assert not VaultFile.objects.exists()


def test_image_far_over_the_limit_is_refused_with_its_size(commune_a, admin_a, settings):
    """An image more than three times the limit cannot be read whole: a message gives the sizes."""
    settings.UPLOAD_MAX_BYTES = 10_000
    data = _image(size=(120, 120), noise=True)
    upload = SimpleUploadedFile("enorme.png", data, content_type="image/png")
    response = signed_in_client(admin_a).post(_url(commune_a), {"logo": upload})
    assert response.status_code == 200
    [message] = response.context["form"].errors["logo"]
    assert message.startswith("Cette image fait ")
    assert "Envoyez une image de moins de 29,3\xa0Kio." in message
    assert _logo_of(commune_a) is None
