"""The shape of a built-in template, and small helpers to write form schemas as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clocher.demarches.models import Family, SilenceRule


@dataclass(frozen=True)
class BuiltInTemplate:
    """One procedure template shipped with Clocher (loaded by ``services.catalogue``).

    The texts are French content, not interface strings: they are copied into the operator's
    :class:`~clocher.demarches.models.TemplateVersion` rows, which the operator may edit.
    """

    slug: str
    family: Family
    title: str
    description: str
    legal_basis: str
    retention_months: int
    acknowledgment_text: str
    silence_rule: SilenceRule
    silence_delay_months: int
    processing_days: int
    schema: dict[str, Any]
    statuses: list[dict[str, str]] = field(default_factory=list)
    changelog: str = "Version fournie avec Clocher."

    def content(self) -> dict[str, Any]:
        """The values a :class:`TemplateVersion` carries, by field name."""
        return {
            "title": self.title,
            "description": self.description,
            "legal_basis": self.legal_basis,
            "retention_months": self.retention_months,
            "acknowledgment_text": self.acknowledgment_text,
            "silence_rule": self.silence_rule.value,
            "silence_delay_months": self.silence_delay_months,
            "processing_days": self.processing_days,
            "schema": self.schema,
            "statuses": self.statuses,
        }


def choices(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    """``choices(("road", "Voirie"), …)`` → the schema's list of ``{"value", "label"}``."""
    return [{"value": value, "label": label} for value, label in pairs]


WEEKDAYS = choices(
    ("monday", "Lundi"),
    ("tuesday", "Mardi"),
    ("wednesday", "Mercredi"),
    ("thursday", "Jeudi"),
    ("friday", "Vendredi"),
    ("saturday", "Samedi"),
)
