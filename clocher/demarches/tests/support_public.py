"""Helpers of the citizen-side tests: a multi-page form with conditions, and walking it."""

from __future__ import annotations

import io
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from clocher.demarches.tests.factories import make_procedure

MULTI_PAGE_SCHEMA: dict[str, Any] = {
    "fields": [
        {"type": "page", "name": "about", "label": "Votre signalement"},
        {
            "type": "choice",
            "name": "topic",
            "label": "Sujet",
            "required": True,
            "choices": [
                {"value": "road", "label": "Voirie"},
                {"value": "lighting", "label": "Éclairage"},
            ],
        },
        {
            "type": "text",
            "name": "pole",
            "label": "Numéro du lampadaire",
            "required": True,
            "condition": {"field": "topic", "op": "equals", "value": "lighting"},
        },
        {
            "type": "page",
            "name": "road_page",
            "label": "La chaussée",
            "condition": {"field": "topic", "op": "equals", "value": "road"},
        },
        {"type": "textarea", "name": "damage", "label": "Dégâts constatés", "required": True},
        {"type": "file", "name": "photo", "label": "Photo", "file_kinds": ["image", "pdf"]},
        {"type": "page", "name": "you", "label": "Vous"},
        {
            "type": "text",
            "name": "full_name",
            "label": "Votre nom",
            "required": True,
            "personal": True,
        },
    ]
}


def make_multi_page(commune: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("slug", "signalement")
    kwargs.setdefault("title", "Signaler un problème")
    return make_procedure(commune, schema=MULTI_PAGE_SCHEMA, **kwargs)


def url(name: str, procedure: Any, **extra: Any) -> str:
    return reverse(
        f"public:demarches:{name}",
        kwargs={"commune_slug": procedure.commune.slug, "procedure_slug": procedure.slug, **extra},
    )


def start(client: Client, procedure: Any) -> None:
    response = client.post(url("start", procedure))
    assert response.status_code == 302, response.status_code


def post_page(client: Client, procedure: Any, page: int, data: dict[str, Any]) -> Any:
    return client.post(url("fill", procedure), {"page": str(page), **data})


def jpeg_bytes(*, width: int = 3000, height: int = 2000, quality: int = 90) -> bytes:
    """A photo-like JPEG (noise compresses badly, so it is heavy for its size)."""
    from PIL import Image

    generator = random.Random(42)
    small = Image.frombytes(
        "RGB",
        (width // 8, height // 8),
        bytes(generator.getrandbits(8) for _ in range(width // 8 * (height // 8) * 3)),
    )
    image = small.resize((width, height), Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
