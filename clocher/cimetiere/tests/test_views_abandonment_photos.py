"""Photos of the reports: uploaded with the report, sealed in the vault, shown on the report
page beside the other report, and served only for the procedure they belong to."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from clocher.cimetiere.models import AbandonmentStep
from clocher.cimetiere.tests.factories import abandonment_procedure
from clocher.core.models import VaultFile
from clocher.core.testing.clients import signed_in_client
from clocher.core.vault import read_file, store_file

pytestmark = pytest.mark.django_db


def _png(colour=(120, 90, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _url(name, procedure, **extra):
    kwargs = {"commune_slug": procedure.commune.slug, "procedure": procedure.pk, **extra}
    return reverse(f"staff:cimetiere:{name}", kwargs=kwargs)


def test_photo_uploaded_with_the_report_is_shown_on_the_report_page(commune_a, agent_a):
    """The first report's photo is sealed, linked, listed and served decrypted."""
    procedure = abandonment_procedure(commune_a, through=AbandonmentStep.NOTICE)
    client = signed_in_client(agent_a)
    data = _png()
    response = client.post(
        _url("abandonment-procedure", procedure),
        {
            "done_on": "2024-02-10",
            "officials_present": "M. Roux, garde champêtre",
            "condition": "Stèle brisée en deux",
            "photos": [SimpleUploadedFile("stele.png", data, content_type="image/png")],
        },
    )
    assert response.status_code == 302
    record = procedure.steps.get(step=AbandonmentStep.FIRST_REPORT)
    photo = record.photos.get()
    assert read_file(photo) == data
    page = client.get(_url("abandonment-reports", procedure)).content.decode()
    photo_url = _url("abandonment-photo", procedure, photo=photo.pk)
    assert f'src="{photo_url}"' in page
    assert "Stèle brisée en deux" in page
    assert "Pas encore dressé." in page  # the second report, beside it
    served = client.get(photo_url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served.content == data


def test_a_file_that_is_not_an_image_is_refused_and_nothing_recorded(commune_a, agent_a):
    """A text file passed off as a photo is refused on the field; the report is not recorded."""
    procedure = abandonment_procedure(commune_a, through=AbandonmentStep.NOTICE)
    response = signed_in_client(agent_a).post(
        _url("abandonment-procedure", procedure),
        {
            "done_on": "2024-02-10",
            "officials_present": "M. Roux",
            "condition": "Ronces",
            "photos": [SimpleUploadedFile("stele.jpg", b"not an image", content_type="image/jpeg")],
        },
    )
    assert response.status_code == 200
    assert "formats acceptés : JPEG, PNG, WebP" in response.content.decode()
    assert procedure.steps.count() == 1
    assert VaultFile.objects.count() == 0


def test_photo_of_another_procedure_is_not_found(commune_a, elected_a):
    """A photo asked through another procedure of the same commune answers 404."""
    first = abandonment_procedure(commune_a, number="A-1", through=AbandonmentStep.FIRST_REPORT)
    second = abandonment_procedure(commune_a, number="A-2", through=AbandonmentStep.FIRST_REPORT)
    photo = store_file(commune=commune_a, data=_png(), name="a.png", content_type="image/png")
    first.steps.get(step=AbandonmentStep.FIRST_REPORT).photos.add(photo)
    client = signed_in_client(elected_a)
    assert client.get(_url("abandonment-photo", first, photo=photo.pk)).status_code == 200
    assert client.get(_url("abandonment-photo", second, photo=photo.pk)).status_code == 404


def test_vault_file_not_linked_to_a_report_is_not_found(commune_a, elected_a):
    """Any other file of the commune's vault is not served through a procedure."""
    procedure = abandonment_procedure(commune_a, through=AbandonmentStep.FIRST_REPORT)
    other = store_file(commune=commune_a, data=b"secret", name="x.txt", content_type="text/plain")
    response = signed_in_client(elected_a).get(_url("abandonment-photo", procedure, photo=other.pk))
    assert response.status_code == 404


def test_report_page_queries_do_not_grow_with_the_photos(commune_a, elected_a):
    """One photo or four per report: the same number of queries for the report page."""
    procedure = abandonment_procedure(commune_a, through=AbandonmentStep.SECOND_REPORT)
    client = signed_in_client(elected_a)
    records = list(procedure.steps.filter(step__in=["first_report", "second_report"]))

    def add_photo_to_each() -> None:
        for record in records:
            record.photos.add(
                store_file(commune=commune_a, data=_png(), name="p.png", content_type="image/png")
            )

    add_photo_to_each()
    url = _url("abandonment-reports", procedure)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(3):
        add_photo_to_each()
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("<figure>") == 8
    assert len(many) == len(few)
