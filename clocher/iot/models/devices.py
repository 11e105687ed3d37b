"""Device profiles (shared by the operator) and each commune's devices."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clocher.core.models import CommuneOwnedModel


class CodecKind(models.TextChoices):
    NETWORK = "network", _("Décodé par le serveur de réseau")
    BUILTIN = "builtin", _("Décodeur intégré")
    JAVASCRIPT = "javascript", _("Codec JavaScript")


class DeviceProfile(models.Model):
    """A model of device as the operator publishes it: codec, measured quantities, commands."""

    operator = models.ForeignKey(
        "tenancy.Operator", on_delete=models.PROTECT, related_name="device_profiles"
    )
    slug = models.SlugField(_("identifiant"), max_length=80)
    model = models.CharField(_("modèle"), max_length=200)
    codec_kind = models.CharField(max_length=20, choices=CodecKind.choices)
    builtin_codec = models.CharField(max_length=80, blank=True)
    javascript_codec = models.TextField(blank=True)
    # {"co2": "ppm", "temperature": "°C", …}
    quantities = models.JSONField(default=dict, blank=True)
    # [{"name": "on", "label": "Allumer", "f_port": 10, "payload_hex": "01"}, …]
    commands = models.JSONField(default=list, blank=True)
    # Offered to the communes for adoption; communes that adopted it keep it when it is withdrawn.
    is_published = models.BooleanField(_("publié pour les communes"), default=True)
    # The frame a JavaScript codec was checked against when it was saved (hex and LoRaWAN port).
    codec_test_payload_hex = models.CharField(max_length=512, blank=True)
    codec_test_f_port = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["operator", "slug"], name="iot_profile_slug")
        ]
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.model


class Device(CommuneOwnedModel):
    """A commune's connected object. Ingestion updates it at every batch that hears it (last
    uplink, battery): on PostgreSQL its pages keep free room (fillfactor, migration 0011) so
    that these updates stay "HOT" — no index touched."""

    dev_eui = models.CharField(_("DevEUI"), max_length=16)
    name = models.CharField(_("nom"), max_length=200)
    profile = models.ForeignKey(DeviceProfile, on_delete=models.PROTECT, related_name="devices")
    site = models.CharField(_("site"), max_length=200, blank=True)
    building = models.CharField(_("bâtiment"), max_length=200, blank=True)
    asset = models.CharField(_("équipement"), max_length=200, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    expected_interval_minutes = models.PositiveIntegerField(
        _("intervalle d'émission attendu (minutes)"), default=60
    )
    is_personal = models.BooleanField(
        _("données personnelles (compteur d'un foyer)"),
        default=False,
        help_text=_("Ses mesures ne peuvent jamais être publiées en données ouvertes."),
    )
    last_seen_at = models.DateTimeField(null=True, blank=True)
    battery_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Where downlinks are addressed (remote control), noted from its uplinks or entered by hand:
    # ChirpStack application id; The Things Stack application id (``app`` or ``app@tenant``) and
    # device id.
    network_server = models.CharField(_("serveur de réseau"), max_length=20, blank=True)
    network_application_id = models.CharField(_("application"), max_length=100, blank=True)
    network_device_id = models.CharField(
        _("identifiant sur le serveur"), max_length=100, blank=True
    )

    class Meta:
        constraints = [
            # A DevEUI is worldwide unique: one device row in the whole instance.
            models.UniqueConstraint(fields=["dev_eui"], name="iot_device_dev_eui")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.dev_eui})"


class PendingDevice(CommuneOwnedModel):
    """A DevEUI heard through the commune's integration but not registered: kept to be claimed,
    never dropped, never mixed into another commune."""

    dev_eui = models.CharField(max_length=16)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    uplinks = models.PositiveIntegerField(default=0)
    network_device_name = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commune", "dev_eui"], name="iot_pending_once")
        ]
