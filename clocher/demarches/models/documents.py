"""Templates of decision letters: one per outcome, shared by the operator, adjusted by a commune.

The text used for a commune and an outcome is, in order: the commune's own copy, the operator's
shared version, the built-in text (``documents.templates.BUILT_IN``). The body holds placeholders
between single braces (``{numero}``, ``{motivation}``…) that ``documents.templates`` replaces;
an unknown placeholder is refused when the text is saved and left as it is when rendered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DecisionOutcome(models.TextChoices):
    """The outcomes that end a request with a decision letter (a subset of ``StatusKind``)."""

    ACCEPTED = "accepted", _("Acceptation")
    REFUSED = "refused", _("Refus")
    CLOSED = "closed", _("Classement sans suite")


class DecisionTemplate(models.Model):
    """Either the operator's shared version (``operator`` set) or one commune's copy (``commune``
    set), never both."""

    outcome = models.CharField(_("issue"), max_length=20, choices=DecisionOutcome.choices)
    operator = models.ForeignKey(
        "tenancy.Operator", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    commune = models.ForeignKey(
        "tenancy.Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"))
    # Who signs (CRPA L212-1: first name, last name and capacity of the author of a decision).
    signatory = models.CharField(_("signataire"), max_length=200)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["outcome", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(operator__isnull=False, commune__isnull=True)
                | Q(operator__isnull=True, commune__isnull=False),
                name="demarches_decision_template_operator_xor_commune",
            ),
            models.UniqueConstraint(
                fields=["operator", "outcome"],
                condition=Q(commune__isnull=True),
                name="demarches_decision_template_one_shared",
            ),
            models.UniqueConstraint(
                fields=["commune", "outcome"],
                condition=Q(operator__isnull=True),
                name="demarches_decision_template_one_per_commune",
            ),
        ]

    def __str__(self) -> str:
        owner = f"commune {self.commune_id}" if self.commune_id else "shared"
        return f"{self.outcome} ({owner})"
