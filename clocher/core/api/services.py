"""Writes on API keys. Both are journaled; the plain key never reaches the database or the logs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clocher.core import audit
from clocher.core.api import scopes as scope_registry
from clocher.core.api import tokens
from clocher.core.models import ApiKey
from clocher.tenancy.models import Commune

# last_used_at is written at most this often per key, so a busy integration does not turn every
# read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
NAME_MAX_LENGTH = ApiKey._meta.get_field("name").max_length or 100


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) and hasattr(actor, "email") else None


@transaction.atomic
def api_key_create(
    *, commune: Commune, name: str, scopes: list[str] | tuple[str, ...] = (), actor: Any = None
) -> tuple[ApiKey, str]:
    """Create a key for ``commune``; returns it with the plain key, which is never shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Donnez un nom à la clé (par exemple « Logiciel SIG »).")})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            {
                "name": _("Le nom ne doit pas dépasser %(max)d caractères.")
                % {"max": NAME_MAX_LENGTH}
            }
        )
    try:
        cleaned_scopes = scope_registry.clean_scopes(scopes)
    except ValidationError as error:
        raise ValidationError({"scopes": error.messages}) from error
    for _attempt in range(5):
        prefix, token = tokens.generate_token()
        try:
            with transaction.atomic():
                api_key = ApiKey.objects.create(
                    commune=commune,
                    name=name,
                    prefix=prefix,
                    secret_hash=tokens.hash_token(token),
                    scopes=cleaned_scopes,
                    created_by=_user_or_none(actor),
                )
            break
        except IntegrityError:  # a prefix collision (1 in 4 billion): draw again
            continue
    else:  # pragma: no cover - would take astronomically bad luck
        raise RuntimeError("Could not draw a unique API key prefix.")
    audit.log(
        audit.AuditAction.API_KEY_CREATED,
        actor=actor,
        commune=commune,
        target=f"api_key:{api_key.pk}",
        data={"name": name, "prefix": prefix, "scopes": cleaned_scopes},
    )
    return api_key, token


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: Any = None) -> ApiKey:
    """Revoke a key; it is refused from now on. Revoking a revoked key changes nothing."""
    if api_key.revoked_at is not None:
        return api_key
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at"])
    audit.log(
        audit.AuditAction.API_KEY_REVOKED,
        actor=actor,
        commune_id=api_key.commune_id,
        target=f"api_key:{api_key.pk}",
        data={"name": api_key.name, "prefix": api_key.prefix},
    )
    return api_key


def api_key_mark_used(*, api_key: ApiKey) -> None:
    """Record that the key was just used, at most once per ``LAST_USED_RESOLUTION``."""
    now = timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now
