"""The ground: cemeteries, sections (carrés), rows or alleys, and plots (emplacements)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from clocher.core.models import CommuneOwnedModel


class Cemetery(CommuneOwnedModel):
    name = models.CharField(_("nom"), max_length=200)
    address = models.TextField(_("adresse"), blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    notes = models.TextField(_("remarques"), blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "name"], name="cemetery_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Section(CommuneOwnedModel):
    """A carré: a named part of a cemetery."""

    cemetery = models.ForeignKey(Cemetery, on_delete=models.PROTECT, related_name="sections")
    name = models.CharField(_("carré"), max_length=100)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["cemetery", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["cemetery", "name"], name="section_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Row(CommuneOwnedModel):
    """A row or alley inside a section (optional: many small cemeteries have none)."""

    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="rows")
    name = models.CharField(_("rang ou allée"), max_length=100)

    class Meta:
        ordering = ["section", "name"]
        constraints = [models.UniqueConstraint(fields=["section", "name"], name="row_unique_name")]

    def __str__(self) -> str:
        return self.name


class PlotKind(models.TextChoices):
    CONCESSION_GROUND = "concession_ground", _("Terrain concédé")
    VAULT = "vault", _("Caveau")
    COLUMBARIUM_NICHE = "columbarium_niche", _("Case de columbarium")
    URN_PLOT = "urn_plot", _("Cavurne")
    COMMON_GROUND = "common_ground", _("Terrain commun")
    OSSUARY = "ossuary", _("Ossuaire")
    SCATTERING_GARDEN = "scattering_garden", _("Jardin du souvenir")
    TEMPORARY_DEPOSITORY = "temporary_depository", _("Caveau provisoire")


# Kinds that can carry a concession (CGCT L2223-13, L2223-18).
CONCEDABLE_KINDS = {
    PlotKind.CONCESSION_GROUND,
    PlotKind.VAULT,
    PlotKind.COLUMBARIUM_NICHE,
    PlotKind.URN_PLOT,
}


class Plot(CommuneOwnedModel):
    """An emplacement. Its geometry (for the plan) is a polygon in the cemetery's own metric
    frame (metres, y growing northwards), imported from GeoJSON/CSV or drawn on the grid editor
    (``grid_*``, in cells)."""

    cemetery = models.ForeignKey(Cemetery, on_delete=models.PROTECT, related_name="plots")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="plots")
    row = models.ForeignKey(
        Row, null=True, blank=True, on_delete=models.PROTECT, related_name="plots"
    )
    number = models.CharField(_("numéro"), max_length=50)
    kind = models.CharField(_("type"), max_length=30, choices=PlotKind.choices)
    capacity = models.PositiveSmallIntegerField(_("nombre de places"), default=1)
    surface_m2 = models.DecimalField(
        _("surface (m²)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    geometry = models.JSONField(
        _("contour"), null=True, blank=True, help_text="[[x, y], …] in metres"
    )
    grid_x = models.PositiveSmallIntegerField(null=True, blank=True)
    grid_y = models.PositiveSmallIntegerField(null=True, blank=True)
    grid_width = models.PositiveSmallIntegerField(default=1)
    grid_height = models.PositiveSmallIntegerField(default=2)
    photo = models.ForeignKey(
        "core.VaultFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(_("remarques"), blank=True)

    class Meta:
        ordering = ["cemetery", "section", "number"]
        constraints = [
            models.UniqueConstraint(fields=["section", "number"], name="plot_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.section} — {self.number}"

    @property
    def is_concedable(self) -> bool:
        """Whether this kind of plot can carry a concession (L2223-13, L2223-18)."""
        return self.kind in CONCEDABLE_KINDS
