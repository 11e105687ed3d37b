"""What a commune API key may reach in démarches, and the journal of its openings.

An API key has no person behind it: its *scopes* are its family grants. ``requests_<family>:read``
lets it read that family's requests (personal values included), ``requests_<family>:write``
change their status. :func:`requests_for_api_key` is the API's counterpart of
``selectors.requests_for_agent``: every API read of requests starts from it.

Reading a request through the API is an opening of the file like an agent's: it goes into the
request's journal, visible to the citizen ("Logiciel « SIG » de la mairie (API)"), at most once
per key and request per hour.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clocher.core.models import ApiKey
from clocher.demarches.models import EventKind, Family, Request, RequestEvent
from clocher.demarches.services import journal

OPENING_QUIET_PERIOD = datetime.timedelta(hours=1)
READ = "read"
WRITE = "write"


def api_key_families(api_key: ApiKey, action: str) -> set[str]:
    """The families whose ``requests_<family>:<action>`` scope the key holds."""
    return {
        family.value for family in Family if api_key.has_scope(f"requests_{family.value}:{action}")
    }


def requests_for_api_key(api_key: ApiKey, *, action: str = READ) -> QuerySet[Request]:
    """The requests of the key's commune in the families its scopes grant for ``action``."""
    return Request.objects.for_commune(api_key.commune).filter(
        family__in=api_key_families(api_key, action)
    )


def api_key_label(api_key: ApiKey) -> str:
    return _("Logiciel « %(name)s » de la mairie (API)") % {"name": api_key.name}


def request_open_by_api_key(*, request: Request, api_key: ApiKey) -> RequestEvent | None:
    """Journal that the key read the file (visible to the citizen); None if it did recently."""
    if request.commune_id != api_key.commune_id or request.family not in api_key_families(
        api_key, READ
    ):
        raise PermissionError("This API key cannot read this request.")
    since = timezone.now() - OPENING_QUIET_PERIOD
    with transaction.atomic():
        recent = (
            RequestEvent.objects.for_commune(request.commune)
            .filter(
                request=request,
                kind=EventKind.OPENED,
                at__gte=since,
                data__api_key=api_key.prefix,
            )
            .exists()
        )
        if recent:
            return None
        return journal.log_event(
            request,
            EventKind.OPENED,
            label=api_key_label(api_key),
            visible=True,
            data={"api_key": api_key.prefix},
        )


def request_status_by_api_key(
    *, request: Request, api_key: ApiKey, status_code: str, message: str = ""
) -> Any:
    """Change the status through ``services.instruction`` (the system acts: no agent), once the
    key's write scope for the request's family is checked."""
    from clocher.demarches.services import instruction

    if request.commune_id != api_key.commune_id or request.family not in api_key_families(
        api_key, WRITE
    ):
        raise PermissionError("This API key cannot change this request.")
    return instruction.request_set_status(
        request=request, actor=None, status_code=status_code, message=message
    )
