"""The audit journal: an append-only, hash-chained record of security-relevant actions.

Each entry stores the hash of the previous one; ``entry_hash`` is the SHA-256 of the entry's
canonical JSON including that previous hash. Changing, inserting or removing an entry anywhere
but at the end breaks the chain, which ``clocher audit verify`` detects. To detect a truncated
tail too, keep the head hash printed by ``clocher audit head`` somewhere else (a ticket, a mail).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Connexion")
    LOGIN_FAILED = "login_failed", _("Échec de connexion")
    LOCKOUT = "lockout", _("Compte verrouillé")
    LOGOUT = "logout", _("Déconnexion")
    TOTP_ENROLLED = "totp_enrolled", _("Second facteur activé")
    TOTP_FAILED = "totp_failed", _("Code de second facteur refusé")
    MAGIC_LINK_SENT = "magic_link_sent", _("Lien de connexion envoyé")
    MAGIC_LINK_USED = "magic_link_used", _("Lien de connexion utilisé")
    ROLE_GRANTED = "role_granted", _("Rôle attribué")
    ROLE_REVOKED = "role_revoked", _("Rôle retiré")
    COMMUNE_CREATED = "commune_created", _("Commune créée")
    COMMUNE_UPDATED = "commune_updated", _("Commune modifiée")
    EXPORT = "export", _("Export de données")
    ERASE = "erase", _("Effacement de données")
    SIGNATURE = "signature", _("Signature")
    KEY_CREATED = "key_created", _("Clé de commune créée")
    KEY_ROTATED = "key_rotated", _("Clé maîtresse renouvelée")
    KEY_DESTROYED = "key_destroyed", _("Clé de commune détruite")
    API_KEY_CREATED = "api_key_created", _("Clé d'API créée")
    API_KEY_REVOKED = "api_key_revoked", _("Clé d'API révoquée")
    PERSONAL_DATA_READ = "personal_data_read", _("Lecture de données personnelles")
    BACKUP = "backup", _("Sauvegarde")
    RESTORE = "restore", _("Restauration")
    PROCEDURE_PUBLISHED = "procedure_published", _("Démarche publiée ou modifiée")
    FORM_PUBLISHED = "form_published", _("Formulaire publié")
    TEMPLATE_PUBLISHED = "template_published", _("Modèle partagé publié")
    MANDATE_RECORDED = "mandate_recorded", _("Mandat enregistré")
    MANDATE_REVOKED = "mandate_revoked", _("Mandat révoqué")
    LEGAL_HOLD_SET = "legal_hold_set", _("Conservation légale posée")
    LEGAL_HOLD_LIFTED = "legal_hold_lifted", _("Conservation légale levée")


class AppendOnlyQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit journal is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit journal is append-only.")


class AuditEntry(models.Model):
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices, db_index=True)
    # The ids are covered by the hash: deleting a user or a commune must not rewrite them, so
    # these are plain references (no database constraint, nothing done on delete); the label
    # keeps who it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200, blank=True)
    commune = models.ForeignKey(
        "tenancy.Commune",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # None ("no address known") and "" differ in the hashed content: keep null.
    ip_address = models.CharField(max_length=45, null=True, blank=True)  # noqa: DJ001
    target = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["commune", "action", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.actor_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit journal is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit journal is append-only.")

    def canonical(self) -> str:
        """The text that ``entry_hash`` covers."""
        return json.dumps(
            {
                "created_at": self.created_at.isoformat(),
                "action": self.action,
                "actor_id": self.actor_id,
                "actor_label": self.actor_label,
                "commune_id": self.commune_id,
                "ip_address": self.ip_address,
                "target": self.target,
                "data": self.data,
                "previous_hash": self.previous_hash,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical().encode()).hexdigest()

    @classmethod
    def append(
        cls,
        *,
        action: str,
        actor: Any = None,
        commune: Any = None,
        ip_address: str | None = None,
        target: str = "",
        data: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Write one entry at the end of the chain. Use ``clocher.core.audit.log`` instead."""
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(727001)")
            last = cls.objects.order_by("-id").values_list("entry_hash", flat=True).first()
            entry = cls(
                action=action,
                actor=actor if getattr(actor, "pk", None) else None,
                actor_label=_actor_label(actor),
                commune=commune,
                ip_address=ip_address,
                target=target[:200],
                data=json.loads(json.dumps(data or {}, default=str)),
                previous_hash=last or GENESIS_HASH,
            )
            entry.entry_hash = entry.compute_hash()
            super(AuditEntry, entry).save(force_insert=True)
        return entry


def _actor_label(actor: Any) -> str:
    if actor is None or not getattr(actor, "pk", None):
        return str(actor) if isinstance(actor, str) else ""
    return str(getattr(actor, "email", "") or actor.pk)
