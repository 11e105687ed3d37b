"""Shared document templates: the operator publishes one per kind, a commune may adjust its copy.

A template is a title and a plain-text body with placeholders (``{{ concession.number }}``),
rendered by ``clocher.cimetiere.documents.templates`` in a sandbox that only sees plain values.
The row is not a ``CommuneOwnedModel``: the operator's shared version belongs to no commune.
A commune's copy is only ever read through ``documents.templates.template_for(commune, kind)``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    CONCESSION_DEED = "concession_deed", _("Titre de concession")
    BURIAL_AUTHORISATION = "burial_authorisation", _("Autorisation d'inhumation")
    EXHUMATION_AUTHORISATION = "exhumation_authorisation", _("Autorisation d'exhumation")
    RENEWAL_LETTER = "renewal_letter", _("Lettre de renouvellement")
    OSSUARY_REGISTER = "ossuary_register", _("Registre de l'ossuaire")
    ASH_REGISTER = "ash_register", _("Registre des cendres dispersées")
    SECTION_LISTING = "section_listing", _("Liste des emplacements d'un carré")
    ABANDONMENT_NOTICE = "abandonment_notice", _("Avis aux descendants (reprise pour abandon)")
    ABANDONMENT_REPORT = "abandonment_report", _("Procès-verbal de constat d'abandon")
    ABANDONMENT_NOTIFICATION = "abandonment_notification", _("Notification du constat d'abandon")
    REPOSSESSION_ORDER = "repossession_order", _("Arrêté de reprise d'une concession abandonnée")
    ABANDONMENT_LIST = "abandonment_list", _("Liste des concessions en état d'abandon")


class DocumentTemplate(models.Model):
    """Either the operator's shared version (``operator`` set) or one commune's adjusted copy
    (``commune`` set), never both."""

    kind = models.CharField(_("document"), max_length=40, choices=DocumentKind.choices)
    operator = models.ForeignKey(
        "tenancy.Operator",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    commune = models.ForeignKey(
        "tenancy.Commune",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"))
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(operator__isnull=False, commune__isnull=True))
                | (Q(operator__isnull=True, commune__isnull=False)),
                name="document_template_operator_xor_commune",
            ),
            models.UniqueConstraint(
                fields=["operator", "kind"],
                condition=Q(commune__isnull=True),
                name="document_template_one_shared_per_kind",
            ),
            models.UniqueConstraint(
                fields=["commune", "kind"],
                condition=Q(operator__isnull=True),
                name="document_template_one_copy_per_commune",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({'commune ' + str(self.commune_id) if self.commune_id else 'shared'})"
