"""Requests (demandes), their drafts, files, journal, acknowledgment and decision.

Every personal value is sealed with the sub-key of the commune *and the family*
(``compartment_field="family"``); non-personal values stay in clear JSON so that statistics
survive anonymisation. The request journal (:class:`RequestEvent`) is append-only: status
changes, messages, internal notes, correction requests and every opening by staff — the citizen
sees the entries marked ``is_visible_to_citizen``, including who opened their file and when.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clocher.core.models import CommuneOwnedModel, JournalQuerySet
from clocher.core.vault import EncryptedTextField
from clocher.demarches.models.families import Family


class Channel(models.TextChoices):
    WEB = "web", _("En ligne")
    COUNTER = "counter", _("Au guichet")
    PHONE = "phone", _("Par téléphone")
    LETTER = "letter", _("Par courrier")
    EMAIL = "email", _("Par e-mail")
    API = "api", _("Par un logiciel partenaire (API)")


class StatusKind(models.TextChoices):
    """What a (configurable) status means for the clock, the statistics and retention."""

    RECEIVED = "received", _("Reçue")
    IN_PROGRESS = "in_progress", _("En cours d'instruction")
    WAITING_CITIZEN = "waiting_citizen", _("En attente de l'usager")
    ACCEPTED = "accepted", _("Acceptée")
    REFUSED = "refused", _("Refusée")
    CLOSED = "closed", _("Classée sans suite")


OPEN_KINDS = {StatusKind.RECEIVED, StatusKind.IN_PROGRESS, StatusKind.WAITING_CITIZEN}
FINAL_KINDS = {StatusKind.ACCEPTED, StatusKind.REFUSED, StatusKind.CLOSED}


class Request(CommuneOwnedModel):
    procedure = models.ForeignKey(
        "demarches.Procedure", on_delete=models.PROTECT, related_name="requests"
    )
    form_version = models.ForeignKey(
        "demarches.FormVersion", on_delete=models.PROTECT, related_name="requests"
    )
    family = models.CharField(_("famille"), max_length=20, choices=Family.choices)
    number = models.CharField(_("numéro de suivi"), max_length=40)
    # SHA-256 of the secret of the tracking link; the secret itself is only ever e-mailed/shown.
    tracking_token_hash = models.CharField(max_length=64, unique=True)
    # The secret itself, sealed: the acknowledgment task e-mails the link, and an agent can send
    # it again to a citizen who lost it. Wiped at anonymisation.
    tracking_token = EncryptedTextField(compartment_field="family")
    status = models.CharField(_("statut"), max_length=40)
    status_kind = models.CharField(max_length=20, choices=StatusKind.choices)
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField(_("reçue le"), default=timezone.now)
    summary = models.CharField(_("objet"), max_length=200, blank=True)
    # Values of fields not flagged personal (kept after anonymisation, for statistics). A file
    # is only its vault reference here, never its name (``formschema.file_references``).
    values = models.JSONField(default=dict, blank=True)
    # JSON of the personal values, sealed for the commune and the family.
    personal_values = EncryptedTextField(compartment_field="family")
    email = EncryptedTextField(compartment_field="family")
    # Blind index of the e-mail, to list a citizen account's requests (empty when none).
    email_index = models.CharField(max_length=64, blank=True, db_index=True)
    citizen_account = models.ForeignKey(
        "accounts.CitizenAccount",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mandate = models.ForeignKey(
        "demarches.Mandate", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Implicit-decision clock (CRPA L231-1): due date, moved forward while paused for a
    # correction request (L114-5: the delay runs from receipt of the missing documents).
    implicit_decision_on = models.DateField(null=True, blank=True)
    clock_paused_at = models.DateTimeField(null=True, blank=True)
    deadline_on = models.DateField(_("échéance"), null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    retention_until = models.DateField(null=True, blank=True)
    retention_warned_at = models.DateTimeField(null=True, blank=True)
    legal_hold = models.BooleanField(_("conservation légale"), default=False)
    erasure_requested_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commune", "number"], name="demarches_request_number")
        ]
        indexes = [
            models.Index(
                fields=["commune", "family", "status_kind", "-received_at"],
                name="demarches_inbox",
            ),
            models.Index(fields=["commune", "family", "-received_at"], name="demarches_recent"),
            models.Index(fields=["commune", "assigned_to", "status_kind"], name="demarches_mine"),
            models.Index(fields=["retention_until"], name="demarches_retention"),
        ]
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status_kind in OPEN_KINDS

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    def personal(self) -> dict[str, Any]:
        import json

        raw = self.personal_values
        return json.loads(raw) if raw else {}


class RequestCounter(CommuneOwnedModel):
    """The last request number given in a commune for a year (numbers never repeat)."""

    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commune", "year"], name="demarches_counter_year")
        ]


class Draft(CommuneOwnedModel):
    """A form being filled in; it survives a failed submission and is resumed by its secret."""

    procedure = models.ForeignKey(
        "demarches.Procedure", on_delete=models.CASCADE, related_name="drafts"
    )
    form_version = models.ForeignKey(
        "demarches.FormVersion", on_delete=models.CASCADE, related_name="+"
    )
    family = models.CharField(max_length=20, choices=Family.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    # JSON of every value entered so far (personal or not), sealed for the family.
    data = EncryptedTextField(compartment_field="family")
    page = models.PositiveSmallIntegerField(default=0)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    citizen_account = models.ForeignKey(
        "accounts.CitizenAccount", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()


class RequestFile(CommuneOwnedModel):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="files")
    family = models.CharField(max_length=20, choices=Family.choices)
    field_name = models.CharField(max_length=80, blank=True)
    vault_file = models.ForeignKey("core.VaultFile", on_delete=models.PROTECT, related_name="+")
    from_citizen = models.BooleanField(default=True)
    was_downscaled = models.BooleanField(default=False)
    added_at = models.DateTimeField(default=timezone.now)


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Demande déposée")
    ACKNOWLEDGED = "acknowledged", _("Accusé de réception envoyé")
    STATUS_CHANGED = "status_changed", _("Statut modifié")
    ASSIGNED = "assigned", _("Dossier attribué")
    NOTE = "note", _("Note interne")
    MESSAGE_FROM_CITIZEN = "message_from_citizen", _("Message de l'usager")
    MESSAGE_TO_CITIZEN = "message_to_citizen", _("Message de la mairie")
    CORRECTION_REQUESTED = "correction_requested", _("Pièces ou corrections demandées")
    CORRECTION_ANSWERED = "correction_answered", _("Réponse de l'usager aux corrections")
    DEADLINE_SET = "deadline_set", _("Échéance fixée")
    DECIDED = "decided", _("Décision rendue")
    OPENED = "opened", _("Dossier consulté par un agent")
    EXPORTED = "exported", _("Données exportées par l'usager")
    ERASURE_REQUESTED = "erasure_requested", _("Effacement demandé par l'usager")
    ERASURE_REFUSED = "erasure_refused", _("Effacement refusé (obligation légale)")
    RETENTION_WARNING = "retention_warning", _("Anonymisation prochaine annoncée")
    ANONYMISED = "anonymised", _("Données personnelles effacées")
    REMINDER = "reminder", _("Rappel d'échéance")


class RequestEvent(CommuneOwnedModel):
    """One entry of a request's journal. Append-only: never updated, never deleted.

    Anonymisation wipes the sealed ``body`` of old entries by crypto-shredding the whole request
    journal's personal text through ``services.retention`` (the only writer allowed to), which
    uses a raw update on purpose and records it.
    """

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    family = models.CharField(max_length=20, choices=Family.choices)
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who acted, as shown to the citizen ("Marie Dupont, mairie", "vous", "système").
    actor_label = models.CharField(max_length=200, blank=True)
    is_visible_to_citizen = models.BooleanField(default=False)
    status_from = models.CharField(max_length=40, blank=True)
    status_to = models.CharField(max_length=40, blank=True)
    body = EncryptedTextField(compartment_field="family")
    file = models.ForeignKey(
        RequestFile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    append_only_message = "The request journal is append-only."
    objects = JournalQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["request", "kind", "at"], name="demarches_event_kind")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.pop("allow_wipe", False):
            raise TypeError(self.append_only_message)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(self.append_only_message)


class Acknowledgment(CommuneOwnedModel):
    """The acknowledgment of receipt (CRPA L112-11, R112-5), as issued: mentions frozen."""

    request = models.OneToOneField(Request, on_delete=models.CASCADE, related_name="acknowledgment")
    family = models.CharField(max_length=20, choices=Family.choices)
    issued_at = models.DateTimeField(default=timezone.now)
    # The mentions as they were when issued (service, silence rule, delays, appeal routes,
    # missing documents): never personal.
    mentions = models.JSONField(default=dict)
    document = models.ForeignKey(
        "core.VaultFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    emailed_at = models.DateTimeField(null=True, blank=True)


class Decision(CommuneOwnedModel):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="decisions")
    family = models.CharField(max_length=20, choices=Family.choices)
    outcome = models.CharField(max_length=20, choices=StatusKind.choices)
    decided_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    motivation = EncryptedTextField(compartment_field="family")
    document = models.ForeignKey(
        "core.VaultFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
