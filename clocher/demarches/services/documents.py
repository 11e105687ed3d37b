"""Writes of the decision texts: the operator's shared version and a commune's own copy.

The letter of a decision is drawn and sealed by ``services.instruction.request_decide``
(``documents.decision.decision_pdf``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clocher.demarches.documents.templates import unknown_placeholders
from clocher.demarches.models import DecisionOutcome, DecisionTemplate
from clocher.tenancy.models import Commune, Operator


class TemplateRefused(Exception):
    """The text uses placeholders that do not exist; ``errors`` maps each field to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(_("Le modèle contient des champs variables inconnus."))
        self.errors = errors


def placeholder_errors(**texts: str) -> dict[str, list[str]]:
    """French messages per field for each unknown ``{placeholder}`` (empty when all are known)."""
    errors: dict[str, list[str]] = {}
    for field_name, text in texts.items():
        unknown = unknown_placeholders(text)
        if unknown:
            errors[field_name] = [
                _("Champ variable inconnu : %(names)s. Utilisez uniquement ceux de la liste.")
                % {"names": ", ".join("{" + name + "}" for name in unknown)}
            ]
    return errors


def _checked(outcome: str, title: str, body: str, signatory: str) -> None:
    DecisionOutcome(outcome)
    errors = placeholder_errors(title=title, body=body, signatory=signatory)
    if errors:
        raise TemplateRefused(errors)


@transaction.atomic
def shared_decision_template_publish(
    *, operator: Operator, actor: Any, outcome: str, title: str, body: str, signatory: str
) -> DecisionTemplate:
    """Publish (or replace) the operator's text for ``outcome``, used by every commune that has
    no copy of its own."""
    _checked(outcome, title, body, signatory)
    template, _created = DecisionTemplate.objects.update_or_create(
        operator=operator,
        commune=None,
        outcome=outcome,
        defaults={
            "title": title,
            "body": body,
            "signatory": signatory,
            "updated_at": timezone.now(),
            "updated_by": actor,
        },
    )
    return template


@transaction.atomic
def decision_template_save(
    *, commune: Commune, actor: Any, outcome: str, title: str, body: str, signatory: str
) -> DecisionTemplate:
    """Save the commune's own text for ``outcome``; raises :class:`TemplateRefused` on an unknown
    placeholder (nothing is written)."""
    _checked(outcome, title, body, signatory)
    template, _created = DecisionTemplate.objects.update_or_create(
        commune=commune,
        operator=None,
        outcome=outcome,
        defaults={
            "title": title,
            "body": body,
            "signatory": signatory,
            "updated_at": timezone.now(),
            "updated_by": actor,
        },
    )
    return template


@transaction.atomic
def decision_template_reset(*, commune: Commune, outcome: str) -> bool:
    """Drop the commune's copy: the shared (or built-in) text applies again. Returns whether
    there was a copy."""
    deleted, _detail = DecisionTemplate.objects.filter(
        commune=commune, operator__isnull=True, outcome=outcome
    ).delete()
    return deleted > 0
