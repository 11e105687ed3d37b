"""Integrations: how a network server of a commune reaches Clocher, with a secret token.

A token reads ``cit_1a2b3c4d_<43 characters>``: ``cit_1a2b3c4d`` is its public prefix (stored,
shown in lists), the rest 256 random bits. Only the SHA-256 of the whole token is stored and
compared in constant time, as for API keys (``clocher.core.api.tokens``).
"""

from __future__ import annotations

import logging
import re
import secrets

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clocher.core.api import tokens
from clocher.core.api.services import LAST_USED_RESOLUTION
from clocher.iot.models import Integration, IntegrationKind
from clocher.tenancy.models import Commune

logger = logging.getLogger("clocher.iot.integrations")

TOKEN_MARKER = "cit_"  # noqa: S105 - a public marker, not a secret
TOKEN_PATTERN = re.compile(r"^(cit_[0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
LABEL_MAX_LENGTH = Integration._meta.get_field("label").max_length or 200


def _generate_token() -> tuple[str, str]:
    prefix = TOKEN_MARKER + secrets.token_hex(4)
    return prefix, f"{prefix}_{secrets.token_urlsafe(32)}"


@transaction.atomic
def integration_create(*, commune: Commune, kind: str, label: str = "") -> tuple[Integration, str]:
    """Create an integration of ``commune``; returns it with its token, never shown again."""
    if kind not in IntegrationKind.values:
        raise ValidationError(
            {
                "kind": _("Type d'intégration inconnu : « %(kind)s » (choix : %(choices)s).")
                % {"kind": kind, "choices": ", ".join(IntegrationKind.values)}
            }
        )
    label = (label or "").strip()
    if len(label) > LABEL_MAX_LENGTH:
        raise ValidationError(
            {
                "label": _("Le nom ne doit pas dépasser %(max)d caractères.")
                % {"max": LABEL_MAX_LENGTH}
            }
        )
    for _attempt in range(5):
        prefix, token = _generate_token()
        try:
            with transaction.atomic():
                integration = Integration.objects.create(
                    commune=commune,
                    kind=kind,
                    label=label,
                    token_prefix=prefix,
                    token_hash=tokens.hash_token(token),
                )
            return integration, token
        except IntegrityError:  # a prefix collision (1 in 4 billion): draw again
            continue
    raise RuntimeError("Could not draw a unique integration token prefix.")  # pragma: no cover


def integration_for_token(token: str) -> Integration | None:
    """The live integration that ``token`` is (not revoked, commune active), or None."""
    match = TOKEN_PATTERN.match(token or "")
    if match is None:
        return None
    integration = (
        Integration.objects.select_related("commune").filter(token_prefix=match.group(1)).first()
    )
    if integration is None or not tokens.token_matches(token, integration.token_hash):
        return None
    if integration.revoked_at is not None or not integration.commune.is_active:
        return None
    return integration


def integration_mark_used(*, integration: Integration) -> bool:
    """Record that ``integration`` was just used (its token accepted, or a batch of its MQTT
    messages stored), at most once per ``LAST_USED_RESOLUTION`` as for API keys: the time kept
    on ``integration`` itself says whether it is due, so a caller holding the same object (the
    MQTT worker) writes at most once a minute. Never raises: a write that fails is logged and
    what it accompanies goes on. Returns whether it was written."""
    now = timezone.now()
    last = integration.last_used_at
    if last is not None and now - last < LAST_USED_RESOLUTION:
        return False
    try:
        with transaction.atomic():
            Integration.objects.filter(pk=integration.pk).update(last_used_at=now)
    except DatabaseError as error:
        logger.warning("iot: last use of %s not written: %s", integration.token_prefix, error)
        return False
    integration.last_used_at = now
    return True


def integration_revoke(*, integration: Integration) -> Integration:
    """Revoke an integration: its token is refused from now on."""
    if integration.revoked_at is None:
        integration.revoked_at = timezone.now()
        integration.save(update_fields=["revoked_at"])
    return integration
