"""Files in the citizen's form: checked by content, photos downscaled, refusals keep the rest."""

import io

import pytest
from django.test import override_settings
from PIL import Image

from clocher.core.models import VaultFile
from clocher.core.vault import read_file
from clocher.demarches.models import Draft
from clocher.demarches.services import drafts
from clocher.demarches.tests.support_public import (
    MINIMAL_PDF,
    jpeg_bytes,
    make_multi_page,
    post_page,
    start,
    upload,
    url,
)


def _on_road_page(client, commune):
    procedure = make_multi_page(commune)
    start(client, procedure)
    post_page(client, procedure, 0, {"field-topic": "road"})
    return procedure


@pytest.mark.django_db
def test_the_size_limit_is_stated_before_upload(client, commune_a):
    """The file field says the formats, the limit and that photos are reduced, before upload."""
    procedure = _on_road_page(client, commune_a)
    with override_settings(UPLOAD_MAX_BYTES=3 * 1024 * 1024):
        page = client.get(url("fill", procedure)).content.decode()
    assert (
        "Formats acceptés : JPEG, PNG, WebP, PDF. Taille maximale : 3,0\xa0Mio par fichier." in page
    )
    assert "elle est réduite automatiquement" in page
    assert 'enctype="multipart/form-data"' in page
    assert (
        'accept="image/jpeg,image/png,image/webp,.jpg,.jpeg,.png,.webp,application/pdf,.pdf"'
        in page
    )


@pytest.mark.django_db
def test_a_heavy_photo_is_accepted_and_downscaled(client, commune_a):
    """A 1.2 MB, 3000 × 2000 phone photo is never refused: it is stored smaller, sealed."""
    photo = jpeg_bytes(width=3000, height=2000, quality=75)
    assert 1_100_000 < len(photo) < 1_400_000
    procedure = _on_road_page(client, commune_a)
    with override_settings(UPLOAD_MAX_BYTES=1024 * 1024):
        response = post_page(
            client,
            procedure,
            1,
            {"field-damage": "Nid-de-poule", "field-photo": upload("IMG_2041.jpg", photo)},
        )
    assert response.status_code == 302
    stored = VaultFile.objects.get()
    assert stored.compartment == procedure.family
    assert stored.content_type == "image/jpeg"
    assert stored.size <= 1024 * 1024
    data = read_file(stored)
    assert max(Image.open(io.BytesIO(data)).size) <= 2560
    values = drafts.draft_content(Draft.objects.get()).values
    assert values["photo"] == [{"file": str(stored.pk), "name": "IMG_2041.jpg", "size": len(data)}]
    page = client.get(url("fill", procedure)).content.decode()
    assert "elle a été réduite automatiquement, et bien jointe" in page


@pytest.mark.django_db
def test_a_pdf_renamed_jpg_is_judged_by_its_content(client, commune_a):
    """A PDF named .jpg is accepted as a PDF where PDFs are allowed."""
    procedure = _on_road_page(client, commune_a)
    response = post_page(
        client,
        procedure,
        1,
        {"field-damage": "Trou", "field-photo": upload("scan.jpg", MINIMAL_PDF, "image/jpeg")},
    )
    assert response.status_code == 302
    assert VaultFile.objects.get().content_type == "application/pdf"


@pytest.mark.django_db
def test_a_text_file_is_refused_and_other_answers_kept(client, commune_a):
    """A text file gets a clear message on its field; the typed answer and earlier files stay."""
    procedure = _on_road_page(client, commune_a)
    post_page(
        client,
        procedure,
        1,
        {"field-damage": "Trou", "field-photo": upload("a.jpg", jpeg_bytes(width=300, height=200))},
    )
    client.get(url("fill", procedure) + "?page=1")
    first = VaultFile.objects.get()
    response = post_page(
        client,
        procedure,
        1,
        {
            "field-damage": "Trou profond",
            "field-photo-keep": str(first.pk),
            "field-photo": upload("notes.jpg", b"ceci est un simple texte\n" * 20, "image/jpeg"),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "« notes.jpg » : Ce fichier n&#x27;est pas d&#x27;un type accepté "
        "(formats acceptés : JPEG, PNG, WebP, PDF)." in page
    )
    assert "Trou profond" in page
    assert f'value="{first.pk}" checked' in page
    assert VaultFile.objects.count() == 1
    values = drafts.draft_content(Draft.objects.get()).values
    assert values["damage"] == "Trou profond"
    assert [ref["file"] for ref in values["photo"]] == [str(first.pk)]


@pytest.mark.django_db
def test_a_forged_file_id_is_never_attached(client, commune_a):
    """A "keep" id that the draft does not hold (another person's file) is ignored."""
    other = VaultFile.objects.create(
        commune=commune_a,
        name_ciphertext=b"x",
        content_type="image/jpeg",
        size=1,
        storage_path="vault/x/forged.sealed",
    )
    procedure = _on_road_page(client, commune_a)
    post_page(client, procedure, 1, {"field-damage": "Trou", "field-photo-keep": str(other.pk)})
    assert drafts.draft_content(Draft.objects.get()).values["photo"] == []


@pytest.mark.django_db
def test_unticking_keep_removes_a_file(client, commune_a):
    """An attached file whose "keep" box is unticked is no longer part of the answers."""
    procedure = _on_road_page(client, commune_a)
    post_page(
        client,
        procedure,
        1,
        {"field-damage": "Trou", "field-photo": upload("a.jpg", jpeg_bytes(width=300, height=200))},
    )
    post_page(client, procedure, 1, {"field-damage": "Trou"})
    assert drafts.draft_content(Draft.objects.get()).values["photo"] == []
