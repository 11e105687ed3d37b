"""Concessions, their renewals, holders and beneficiaries (CGCT L2223-13 to L2223-15).

A concession row is never deleted: when the ground returns to the commune, ``ended_on`` and
``end_reason`` say so and the row stays in the plot's history. Dates and states are computed by
``clocher.cimetiere.legal_clock`` from these facts; nothing derived is stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clocher.cimetiere.models.layout import PlotKind
from clocher.core.models import CommuneOwnedModel
from clocher.core.vault import EncryptedTextField


class ConcessionKind(models.TextChoices):
    """The four durations of CGCT L2223-14, plus centenary concessions (abolished in 1959 but
    still found in old registers)."""

    TEMPORARY = "temporary", _("Temporaire (15 ans au plus)")
    THIRTY_YEARS = "thirty_years", _("Trentenaire")
    FIFTY_YEARS = "fifty_years", _("Cinquantenaire")
    PERPETUAL = "perpetual", _("Perpétuelle")
    CENTENARY = "centenary", _("Centenaire (ancienne)")


KIND_DURATION_YEARS = {
    ConcessionKind.THIRTY_YEARS: 30,
    ConcessionKind.FIFTY_YEARS: 50,
    ConcessionKind.CENTENARY: 100,
}
TEMPORARY_MAX_YEARS = 15


class ConcessionScope(models.TextChoices):
    INDIVIDUAL = "individual", _("Individuelle")
    COLLECTIVE = "collective", _("Collective")
    FAMILY = "family", _("Familiale")
    UNKNOWN = "unknown", _("Inconnue")


class ConcessionEndReason(models.TextChoices):
    REPOSSESSED_AFTER_EXPIRY = "repossessed_after_expiry", _("Reprise après expiration")
    REPOSSESSED_ABANDONED = "repossessed_abandoned", _("Reprise pour état d'abandon")
    RETROCEDED = "retroceded", _("Rétrocédée à la commune")
    CONVERTED = "converted", _("Convertie en une autre concession")


class Concession(CommuneOwnedModel):
    plot = models.ForeignKey("cimetiere.Plot", on_delete=models.PROTECT, related_name="concessions")
    number = models.CharField(_("numéro de l'acte"), max_length=50, blank=True)
    act_date = models.DateField(_("date de l'acte"), null=True, blank=True)
    kind = models.CharField(_("durée"), max_length=20, choices=ConcessionKind.choices)
    duration_years = models.PositiveSmallIntegerField(
        _("durée en années"),
        null=True,
        blank=True,
        help_text=_("Pour une concession temporaire (15 ans au plus)."),
    )
    scope = models.CharField(
        _("bénéficiaires"),
        max_length=20,
        choices=ConcessionScope.choices,
        default=ConcessionScope.UNKNOWN,
    )
    surface_m2 = models.DecimalField(
        _("surface (m²)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    price_paid = models.DecimalField(
        _("prix payé (€)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    is_maintained_under_bequest = models.BooleanField(
        _("entretenue par la commune (don ou legs)"),
        default=False,
        help_text=_("Exclue de la procédure de reprise pour abandon (R2223-12)."),
    )
    ended_on = models.DateField(_("fin de la concession"), null=True, blank=True)
    end_reason = models.CharField(max_length=40, choices=ConcessionEndReason.choices, blank=True)
    notes = models.TextField(_("remarques"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plot", "act_date"]
        indexes = [models.Index(fields=["commune", "ended_on"])]

    def __str__(self) -> str:
        return self.number or f"concession {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class ConcessionRenewal(CommuneOwnedModel):
    """One renewal (L2223-15): the new period starts at the previous expiry, whatever the day
    the renewal was asked for. Any heir may renew, it benefits all, the holder stays the same."""

    concession = models.ForeignKey(Concession, on_delete=models.PROTECT, related_name="renewals")
    decided_on = models.DateField(_("date de la décision"))
    period_start = models.DateField(_("début de la nouvelle période"))
    kind = models.CharField(_("durée"), max_length=20, choices=ConcessionKind.choices)
    duration_years = models.PositiveSmallIntegerField(null=True, blank=True)
    price_paid = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    tariff = models.ForeignKey(
        "cimetiere.Tariff", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = EncryptedTextField(blank=True)
    requester_relationship = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["concession", "period_start"]

    def __str__(self) -> str:
        return f"renewal of {self.concession_id} from {self.period_start}"


class Holder(CommuneOwnedModel):
    """The concessionnaire (one or several). Living people: their data is sealed in the vault."""

    concession = models.ForeignKey(Concession, on_delete=models.PROTECT, related_name="holders")
    full_name = EncryptedTextField()
    address = EncryptedTextField(blank=True)
    phone = EncryptedTextField(blank=True)
    email = EncryptedTextField(blank=True)
    is_deceased = models.BooleanField(_("décédé"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["concession", "position", "id"]

    def __str__(self) -> str:
        return f"holder {self.pk} of concession {self.concession_id}"


class Beneficiary(CommuneOwnedModel):
    """An ayant droit: a person entitled to be buried in the concession."""

    concession = models.ForeignKey(
        Concession, on_delete=models.PROTECT, related_name="beneficiaries"
    )
    full_name = EncryptedTextField()
    relationship = models.CharField(_("lien avec le concessionnaire"), max_length=100, blank=True)
    address = EncryptedTextField(blank=True)
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["concession", "id"]

    def __str__(self) -> str:
        return f"beneficiary {self.pk} of concession {self.concession_id}"


class Tariff(CommuneOwnedModel):
    """A price set by the municipal council, per kind, duration and surface (L2223-15)."""

    plot_kind = models.CharField(_("type d'emplacement"), max_length=30, choices=PlotKind.choices)
    kind = models.CharField(_("durée"), max_length=20, choices=ConcessionKind.choices)
    duration_years = models.PositiveSmallIntegerField(null=True, blank=True)
    max_surface_m2 = models.DecimalField(
        _("jusqu'à (m²)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    price = models.DecimalField(_("prix (€)"), max_digits=10, decimal_places=2)
    valid_from = models.DateField(_("en vigueur depuis"))
    valid_until = models.DateField(_("jusqu'au"), null=True, blank=True)
    deliberation_reference = models.CharField(_("délibération"), max_length=100, blank=True)

    class Meta:
        ordering = ["plot_kind", "kind", "duration_years", "max_surface_m2", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.plot_kind}: {self.price} €"
