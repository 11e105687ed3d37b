"""Other channels than the web form: mandates for acting on a citizen's behalf, and mailboxes
whose messages become requests or mail items to triage."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clocher.core.models import CommuneOwnedModel
from clocher.core.vault import EncryptedTextField


class Mandate(CommuneOwnedModel):
    """A citizen's recorded consent for the town hall to follow requests up on their behalf.

    The agent acts under the mandate with their own account — never with the citizen's
    credentials. The consent is on paper (signed form kept at the town hall, optionally scanned).
    """

    citizen_name = EncryptedTextField()
    citizen_contact = EncryptedTextField()
    families = models.JSONField(_("familles couvertes"), default=list)
    valid_from = models.DateField(_("valable à partir du"), default=timezone.localdate)
    valid_until = models.DateField(_("valable jusqu'au"))
    consent_reference = models.CharField(
        _("référence du consentement écrit"),
        max_length=200,
        help_text=_("Par exemple : formulaire signé le 3 mars, classé au dossier « Mandats »."),
    )
    consent_scan = models.ForeignKey(
        "core.VaultFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at"]


class Mailbox(CommuneOwnedModel):
    """An IMAP mailbox of the commune, polled by the worker."""

    label = models.CharField(_("nom"), max_length=100)
    host = models.CharField(_("serveur IMAP"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=993)
    use_ssl = models.BooleanField(_("connexion chiffrée (SSL/TLS)"), default=True)
    username = models.CharField(_("identifiant"), max_length=200)
    password = EncryptedTextField()
    folder = models.CharField(_("dossier"), max_length=200, default="INBOX")
    default_procedure = models.ForeignKey(
        "demarches.Procedure", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(_("relevée automatiquement"), default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)


class MailItemStatus(models.TextChoices):
    TO_TRIAGE = "to_triage", _("À trier")
    CONVERTED = "converted", _("Transformé en demande")
    DISMISSED = "dismissed", _("Classé")


class MailItem(CommuneOwnedModel):
    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="items")
    # SHA-256 of the Message-ID (or of the raw message when it has none): stored once.
    message_key = models.CharField(max_length=64)
    received_at = models.DateTimeField()
    sender = EncryptedTextField()
    subject = EncryptedTextField()
    body = EncryptedTextField()
    raw = models.ForeignKey(
        "core.VaultFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attachments = models.ManyToManyField("core.VaultFile", blank=True, related_name="+")
    status = models.CharField(
        max_length=20, choices=MailItemStatus.choices, default=MailItemStatus.TO_TRIAGE
    )
    request = models.ForeignKey(
        "demarches.Request", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "message_key"], name="demarches_mail_once")
        ]
        ordering = ["-received_at"]


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    ODS = "ods", _("Tableur (ODS)")
    JSON = "json", "JSON"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Prêt")
    FAILED = "failed", _("Échec")


class Export(CommuneOwnedModel):
    """An export of requests, produced in the background and streamed to the agent."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    family = models.CharField(max_length=20)
    procedure = models.ForeignKey(
        "demarches.Procedure", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    format = models.CharField(max_length=10, choices=ExportFormat.choices)
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    # Where the finished file lives (sealed, relative to the data directory).
    storage_path = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
