"""The dead, their burials, and every operation on a grave.

Cemetery records are public archives (Code du patrimoine L212-2): the deceased's names and dates
are kept in clear, never anonymised or deleted automatically. The living people who ask for or
attend an operation are personal data: sealed in the vault.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clocher.core.models import CommuneOwnedModel
from clocher.core.vault import EncryptedTextField


class Deceased(CommuneOwnedModel):
    last_name = models.CharField(_("nom"), max_length=150, db_index=True)
    first_names = models.CharField(_("prénoms"), max_length=200, blank=True)
    birth_name = models.CharField(_("nom de naissance"), max_length=150, blank=True)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    death_date = models.DateField(_("date de décès"), null=True, blank=True)
    objected_to_cremation = models.BooleanField(
        _("s'est opposé à la crémation"),
        default=False,
        help_text=_("Ses restes seront placés à part dans l'ossuaire en cas de reprise."),
    )
    notes = models.TextField(_("remarques"), blank=True)

    class Meta:
        ordering = ["last_name", "first_names"]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_names}".strip()


class Container(models.TextChoices):
    COFFIN = "coffin", _("Cercueil")
    URN = "urn", _("Urne")
    REMAINS_BOX = "remains_box", _("Reliquaire")


class Burial(CommuneOwnedModel):
    """A deceased person placed in a plot. ``is_present`` turns false when an operation takes
    them out (exhumation, transfer, urn removal); the row stays for the plot's history."""

    deceased = models.ForeignKey(Deceased, on_delete=models.PROTECT, related_name="burials")
    plot = models.ForeignKey("cimetiere.Plot", on_delete=models.PROTECT, related_name="burials")
    concession = models.ForeignKey(
        "cimetiere.Concession",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="burials",
    )
    buried_on = models.DateField(_("date d'inhumation"), null=True, blank=True)
    container = models.CharField(
        _("contenant"), max_length=20, choices=Container.choices, default=Container.COFFIN
    )
    place_in_plot = models.CharField(_("place dans l'emplacement"), max_length=50, blank=True)
    is_present = models.BooleanField(default=True)
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["plot", "buried_on"]
        indexes = [models.Index(fields=["commune", "plot", "is_present"])]

    def __str__(self) -> str:
        return f"{self.deceased} in {self.plot_id}"


class OperationKind(models.TextChoices):
    BURIAL = "burial", _("Inhumation")
    EXHUMATION = "exhumation", _("Exhumation")
    REDUCTION = "reduction", _("Réduction de corps")
    TRANSFER = "transfer", _("Translation")
    URN_REMOVAL = "urn_removal", _("Retrait d'urne")
    ASH_SCATTERING = "ash_scattering", _("Dispersion des cendres")


class Operation(CommuneOwnedModel):
    """A funeral operation, with who asked, who authorised, who attended and when (R2213-40).
    Append-only: a correction is a new operation or a note, never an edit."""

    kind = models.CharField(_("opération"), max_length=20, choices=OperationKind.choices)
    plot = models.ForeignKey("cimetiere.Plot", on_delete=models.PROTECT, related_name="operations")
    burial = models.ForeignKey(
        Burial, null=True, blank=True, on_delete=models.PROTECT, related_name="operations"
    )
    deceased = models.ForeignKey(
        Deceased, null=True, blank=True, on_delete=models.PROTECT, related_name="operations"
    )
    requested_by = EncryptedTextField(blank=True)
    requester_relationship = models.CharField(_("lien avec le défunt"), max_length=100, blank=True)
    sworn_statement_received = models.BooleanField(
        _("attestation sur l'honneur reçue"), default=False
    )
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    authorised_on = models.DateField(_("autorisée le"), null=True, blank=True)
    performed_on = models.DateField(_("réalisée le"), null=True, blank=True)
    attended_by = EncryptedTextField(blank=True)
    destination = models.CharField(_("destination"), max_length=200, blank=True)
    notes = models.TextField(_("remarques"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plot", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.plot_id})"


class OssuaryEntry(CommuneOwnedModel):
    """The public ossuary register (L2223-4): every name moved there, even when no remains were
    found. Append-only."""

    deceased = models.ForeignKey(
        Deceased, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    full_name = models.CharField(_("nom"), max_length=300)
    moved_on = models.DateField(_("date"))
    from_plot = models.ForeignKey(
        "cimetiere.Plot", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    remains_found = models.BooleanField(_("restes trouvés"), default=True)
    kept_apart = models.BooleanField(_("déposé à part (opposition à la crémation)"), default=False)
    operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["moved_on", "id"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.moved_on})"


class AshScatteringEntry(CommuneOwnedModel):
    """The register of ashes scattered in nature or in the garden (L2223-18-3). Append-only."""

    deceased = models.ForeignKey(
        Deceased, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    full_name = models.CharField(_("nom"), max_length=300)
    birth_date = models.DateField(null=True, blank=True)
    birth_place = models.CharField(_("commune de naissance"), max_length=200, blank=True)
    scattered_on = models.DateField(_("date de la dispersion"))
    place = models.CharField(_("lieu"), max_length=300)
    in_nature = models.BooleanField(_("en pleine nature"), default=False)
    operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["scattered_on", "id"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.scattered_on})"


class CemeterySettings(CommuneOwnedModel):
    """The commune's choices for its cemeteries."""

    public_search_enabled = models.BooleanField(
        _("recherche publique d'une sépulture"),
        default=False,
        help_text=_("Publier « Trouver une sépulture » (nom du défunt → emplacement)."),
    )
    renewal_notice_months = models.PositiveSmallIntegerField(
        _("lettre de renouvellement (mois avant l'échéance)"), default=6
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commune"], name="cemetery_settings_one_per_commune")
        ]

    def __str__(self) -> str:
        return f"cemetery settings of {self.commune_id}"
