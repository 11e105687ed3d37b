"""Writes of the shared document templates: the operator publishes, a commune adjusts or resets
its own copy (the shared version then applies again)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from clocher.cimetiere.documents.templates import compile_text
from clocher.cimetiere.models import DocumentKind, DocumentTemplate
from clocher.tenancy.models import Commune, Operator


def _checked(kind: str, title: str, body: str) -> None:
    DocumentKind(kind)
    compile_text(title)
    compile_text(body)


@transaction.atomic
def shared_template_publish(
    *, operator: Operator, actor: Any, kind: str, title: str, body: str
) -> DocumentTemplate:
    """Publish (or replace) the operator's version of ``kind``, used by every commune that has
    not adjusted its own copy."""
    _checked(kind, title, body)
    template, _created = DocumentTemplate.objects.update_or_create(
        operator=operator,
        commune=None,
        kind=kind,
        defaults={"title": title, "body": body, "updated_at": timezone.now(), "updated_by": actor},
    )
    return template


@transaction.atomic
def commune_template_save(
    *, commune: Commune, actor: Any, kind: str, title: str, body: str
) -> DocumentTemplate:
    """Save the commune's adjusted copy of ``kind`` (seen by that commune only)."""
    _checked(kind, title, body)
    template, _created = DocumentTemplate.objects.update_or_create(
        commune=commune,
        operator=None,
        kind=kind,
        defaults={"title": title, "body": body, "updated_at": timezone.now(), "updated_by": actor},
    )
    return template


@transaction.atomic
def commune_template_reset(*, commune: Commune, kind: str) -> bool:
    """Drop the commune's copy: the operator's shared version (or the built-in one) applies
    again. Returns whether there was a copy."""
    deleted, _detail = DocumentTemplate.objects.filter(
        commune=commune, operator__isnull=True, kind=kind
    ).delete()
    return deleted > 0
