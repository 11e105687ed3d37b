"""Shared models: commune-owned base, API keys, audit journal, vault keys and files, workers."""

from clocher.core.models.api_key import ApiKey
from clocher.core.models.audit import AuditEntry
from clocher.core.models.base import (
    CommuneOwnedModel,
    CommuneScopedQuerySet,
    JournalEntry,
    JournalQuerySet,
    commune_foreign_key,
)
from clocher.core.models.vault import CommuneKey, VaultFile
from clocher.core.models.worker import ScheduledRun, WorkerHeartbeat

__all__ = [
    "ApiKey",
    "AuditEntry",
    "CommuneKey",
    "CommuneOwnedModel",
    "CommuneScopedQuerySet",
    "JournalEntry",
    "JournalQuerySet",
    "ScheduledRun",
    "VaultFile",
    "WorkerHeartbeat",
    "commune_foreign_key",
]
