"""Which citizen is signed in, per commune, in the current session.

A citizen account belongs to one commune, so the session holds one account id per commune
(``citizen:<commune id>``); being signed in at Agey says nothing at Beire. Staff sign-in is
separate (``django.contrib.auth``): a person may be both in the same browser.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from clocher.accounts.models import CitizenAccount

_CACHE_ATTRIBUTE = "_clocher_current_citizen"


def session_key(commune: Any) -> str:
    return f"citizen:{commune.pk}"


def current_citizen(request: HttpRequest) -> CitizenAccount | None:
    """The citizen account signed in for ``request.commune``, or None."""
    commune = getattr(request, "commune", None)
    if commune is None:
        return None
    cached = getattr(request, _CACHE_ATTRIBUTE, None)
    if cached is not None and cached.commune_id == commune.pk:
        return cached
    account_id = request.session.get(session_key(commune))
    if not isinstance(account_id, int):
        return None
    account = CitizenAccount.objects.for_commune(commune).filter(pk=account_id).first()
    if account is None:
        request.session.pop(session_key(commune), None)
        return None
    setattr(request, _CACHE_ATTRIBUTE, account)
    return account


def sign_in(request: HttpRequest, account: CitizenAccount) -> None:
    """Put ``account`` in the session for its commune, under a new session key (no fixation)."""
    request.session.cycle_key()
    request.session[session_key(account.commune)] = account.pk
    setattr(request, _CACHE_ATTRIBUTE, account)


def sign_out(request: HttpRequest, commune: Any) -> None:
    request.session.pop(session_key(commune), None)
    if hasattr(request, _CACHE_ATTRIBUTE):
        delattr(request, _CACHE_ATTRIBUTE)
