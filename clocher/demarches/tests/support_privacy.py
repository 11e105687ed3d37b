"""Helpers of part E's tests (retention, rights, exports): a request full of personal data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from clocher.core.models import VaultFile
from clocher.core.vault import store_file
from clocher.demarches.models import Family, Request
from clocher.demarches.services import instruction
from clocher.demarches.services.acknowledgment import acknowledgment_issue
from clocher.demarches.tests.factories import make_procedure, submit

PERSONAL_STRINGS = (
    "Camille Martin",
    "camille@example.test",
    "06 12 34 56 78",
    "photo-camille-martin.jpg",
    "Bonjour Camille",
    "Note sur Camille",
    "Motif pour Camille",
)


@dataclass
class FullRequest:
    request: Request
    token: str
    photo: VaultFile


def full_request(
    commune: Any,
    agent: Any,
    *,
    family: str = Family.ROADS,
    slug: str = "voirie",
    decide: str | None = "refused",
) -> FullRequest:
    """A request with a photo, an acknowledgment PDF, messages, a note, opened by ``agent`` and
    (unless ``decide`` is None) decided with a motivation and a decision PDF."""
    procedure = make_procedure(commune, family=family, slug=slug, title="Signaler un problème")
    photo = store_file(
        commune=commune,
        data=b"\xff\xd8\xff\xe0 fake jpeg of Camille",
        name="photo-camille-martin.jpg",
        content_type="image/jpeg",
        compartment=family,
    )
    submitted = submit(
        procedure,
        topic="road",
        phone="06 12 34 56 78",
        photo=[{"file": str(photo.pk), "name": "photo-camille-martin.jpg", "size": 30}],
    )
    request = submitted.request
    acknowledgment_issue(request=request, send_email=False)
    instruction.request_open(request=request, actor=agent)
    instruction.request_message_citizen(request=request, actor=agent, body="Bonjour Camille")
    instruction.request_note_add(request=request, actor=agent, body="Note sur Camille")
    if decide:
        instruction.request_decide(
            request=request, actor=agent, outcome=decide, motivation="Motif pour Camille"
        )
    request.refresh_from_db()
    return FullRequest(request=request, token=submitted.token, photo=photo)


def vault_path(vault_file: VaultFile) -> Path:
    return Path(settings.MEDIA_ROOT) / vault_file.storage_path
