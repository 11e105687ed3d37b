"""Named constructors of request-journal entries (the journal is append-only)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from clocher.demarches.models import EventKind, Request, RequestEvent


def actor_label(user: Any) -> str:
    """How an actor is shown to the citizen: their name and "mairie", never their e-mail."""
    if user is None or not getattr(user, "is_authenticated", False):
        # Done by the town hall's software (the API, a scheduled job): the citizen still sees who.
        return _("La mairie")
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return _("%(name)s, mairie") % {"name": name} if name else _("Un agent de la mairie")


def log_event(
    request: Request,
    kind: EventKind,
    *,
    actor: Any = None,
    label: str | None = None,
    visible: bool = False,
    body: str = "",
    status_from: str = "",
    status_to: str = "",
    file: Any = None,
    data: dict[str, Any] | None = None,
) -> RequestEvent:
    event = RequestEvent(
        commune_id=request.commune_id,
        request=request,
        family=request.family,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=label if label is not None else actor_label(actor),
        is_visible_to_citizen=visible,
        status_from=status_from,
        status_to=status_to,
        file=file,
        data=data or {},
    )
    event.body = body
    event.save()
    return event
