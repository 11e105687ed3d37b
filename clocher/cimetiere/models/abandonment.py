"""The procedure to take back a concession in a state of abandonment (reprise pour état
d'abandon, CGCT L2223-17 and R2223-12 to R2223-23).

A procedure is opened on one concession; each legal step done is recorded once, with its date,
who recorded it and what it states (append-only). The rules on order and delays live in
``clocher.cimetiere.services.abandonment``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clocher.core.models import CommuneOwnedModel
from clocher.core.vault import EncryptedTextField


class AbandonmentStep(models.TextChoices):
    NOTICE = "notice", _("Avis aux descendants ou affichage (un mois avant la visite)")
    FIRST_REPORT = "first_report", _("Premier procès-verbal de constat d'abandon")
    FIRST_NOTIFICATION = "first_notification", _("Notification et affichage du premier constat")
    SECOND_REPORT = "second_report", _("Second procès-verbal (un an après)")
    SECOND_NOTIFICATION = "second_notification", _("Notification et affichage du second constat")
    COUNCIL_DELIBERATION = "council_deliberation", _("Délibération du conseil municipal")
    MAYOR_ORDER = "mayor_order", _("Arrêté de reprise du maire")
    EXHUMATION = "exhumation", _("Exhumation des restes vers l'ossuaire")


STEP_ORDER = list(AbandonmentStep)


class AbandonmentOutcome(models.TextChoices):
    REPOSSESSED = "repossessed", _("Concession reprise")
    RESTORED = "restored", _("Sépulture remise en état par la famille")
    CANCELLED = "cancelled", _("Procédure abandonnée")


class AbandonmentProcedure(CommuneOwnedModel):
    concession = models.ForeignKey(
        "cimetiere.Concession", on_delete=models.PROTECT, related_name="abandonment_procedures"
    )
    opened_on = models.DateField(_("ouverte le"))
    visit_planned_on = models.DateField(_("visite sur place prévue le"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_on = models.DateField(_("close le"), null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=AbandonmentOutcome.choices, blank=True)

    class Meta:
        ordering = ["-opened_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["concession"],
                condition=models.Q(closed_on__isnull=True),
                name="one_open_abandonment_procedure_per_concession",
            )
        ]

    def __str__(self) -> str:
        return f"abandonment procedure {self.pk} on concession {self.concession_id}"


class AbandonmentStepRecord(CommuneOwnedModel):
    """One step done. Reports state the grave's exact place and precise condition (R2223-14)."""

    procedure = models.ForeignKey(
        AbandonmentProcedure, on_delete=models.PROTECT, related_name="steps"
    )
    step = models.CharField(max_length=30, choices=AbandonmentStep.choices)
    done_on = models.DateField(_("date"))
    condition = models.TextField(_("état de la sépulture"), blank=True)
    officials_present = models.CharField(_("présents"), max_length=300, blank=True)
    recipients = EncryptedTextField(blank=True)
    was_posted = models.BooleanField(
        _("affiché en mairie et à la porte du cimetière"), default=False
    )
    reference = models.CharField(_("référence (délibération, arrêté)"), max_length=100, blank=True)
    notes = models.TextField(_("remarques"), blank=True)
    photos = models.ManyToManyField("core.VaultFile", blank=True, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["procedure", "done_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "step"], name="abandonment_step_once")
        ]

    def __str__(self) -> str:
        return f"{self.step} of procedure {self.procedure_id} on {self.done_on}"
