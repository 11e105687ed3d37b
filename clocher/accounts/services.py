"""Writes of the accounts app: second factor devices, citizen accounts and their magic links.

Session handling (who is signed in, in which request) lives in ``signin`` (staff) and ``citizen``
(citizens); these functions only change the database, the journal and send mail.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clocher.accounts.models import CitizenAccount, User
from clocher.core import audit, vault
from clocher.core.audit import AuditAction
from clocher.tenancy.models import Commune

logger = logging.getLogger(__name__)

TOTP_DEVICE_NAME = "Application d'authentification"
RECOVERY_DEVICE_NAME = "Codes de secours"
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
CITIZEN_EMAIL_CONTEXT = "accounts.CitizenAccount.email"


# --- Second factor ----------------------------------------------------------------------------


class SecondFactorError(Exception):
    """The code was not accepted."""


class SecondFactorRejected(SecondFactorError):
    pass


class SecondFactorThrottled(SecondFactorError):
    """Too many wrong codes in a row: django-otp refuses to check any code until ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"throttled until {until.isoformat()}")
        self.until = until


def _throttled_until(device: Any) -> datetime:
    delay = device.get_throttle_factor() * 2 ** max(device.throttling_failure_count - 1, 0)
    return device.throttling_failure_timestamp + timedelta(seconds=delay)


def totp_device_prepare(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device that enrolment shows as a QR code (kept across reloads)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _new_recovery_code() -> str:
    return "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))


def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Replace the user's recovery codes by ten new ones; returns them (shown once, never again)."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def totp_device_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm a new authenticator app with its first code; returns fresh recovery codes.

    Raises ``SecondFactorRejected`` / ``SecondFactorThrottled`` when the code is not accepted.
    """
    if device.user_id != user.pk or device.confirmed:
        raise SecondFactorRejected("not an enrolment in progress")
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        raise SecondFactorThrottled(_throttled_until(device))
    if not device.verify_token(code):
        audit.log(AuditAction.TOTP_FAILED, actor=user, data={"step": "enrolment"})
        raise SecondFactorRejected("wrong code")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = recovery_codes_regenerate(user=user)
        audit.log(AuditAction.TOTP_ENROLLED, actor=user, target=f"TOTPDevice:{device.pk}")
    return codes


def second_factor_verify(*, user: User, code: str) -> TOTPDevice | StaticDevice:
    """Check a code (already normalized) against the user's authenticator app or recovery codes.

    Six digits are checked against the TOTP devices, anything else against the recovery codes;
    a recovery code is consumed. Every device counts wrong codes and, after each failure, refuses
    to check codes for an exponentially growing delay (django-otp throttling). Failures are
    journaled; the throttle state is committed even though the caller receives an exception.
    """
    is_totp = code.isdigit() and len(code) == 6
    devices: list[TOTPDevice | StaticDevice] = list(
        TOTPDevice.objects.filter(user=user, confirmed=True)
        if is_totp
        else StaticDevice.objects.filter(user=user, confirmed=True)
    )
    throttled: list[datetime] = []
    for device in devices:
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            throttled.append(_throttled_until(device))
            continue
        if device.verify_token(code):
            return device
    kind = "totp" if is_totp else "recovery_code"
    audit.log(
        AuditAction.TOTP_FAILED, actor=user, data={"kind": kind, "throttled": bool(throttled)}
    )
    if throttled:
        raise SecondFactorThrottled(max(throttled))
    raise SecondFactorRejected("wrong code")


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_secret_base32(device: TOTPDevice) -> str:
    """The device's secret as authenticator apps expect it to be typed: base32, in groups of 4."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- Staff by OpenID Connect ------------------------------------------------------------------


def staff_user_for_oidc(*, provider: str, subject: str, email: str) -> User | None:
    """The existing active staff account of an OIDC identity; never creates one.

    Looked up by the stored subject first (``<provider>:<sub>``), then by e-mail; the first match
    by e-mail records the subject so a later change of address at the provider still matches.
    An account already bound to another subject of that provider is not taken over.
    """
    stored = f"{provider}:{subject}"
    user = User.objects.filter(is_active=True, oidc_subject=stored).first()
    if user is not None:
        return user
    if not email:
        return None
    user = User.objects.filter(is_active=True, email__iexact=email.strip()).first()
    if user is None:
        return None
    if user.oidc_subject and user.oidc_subject != stored:
        return None
    if not user.oidc_subject:
        user.oidc_subject = stored
        user.save(update_fields=["oidc_subject"])
    return user


# --- Citizen accounts and magic links ---------------------------------------------------------


class MagicLinkError(Exception):
    pass


class MagicLinkInvalid(MagicLinkError):
    """Tampered with, for another commune, or already used."""


class MagicLinkExpired(MagicLinkError):
    pass


class MagicLinkRateLimited(MagicLinkError):
    pass


def _citizen_actor(account: CitizenAccount) -> str:
    """How a citizen appears in the journal: by account id, never by e-mail (and never as the
    staff member who may be signed in in the same browser)."""
    return f"citizen:{account.pk}"


def citizen_email_index(commune: Commune, email: str) -> str:
    return vault.blind_index(commune.pk, email, context=CITIZEN_EMAIL_CONTEXT)


def citizen_account_for_email(*, commune: Commune, email: str) -> CitizenAccount:
    """The commune's citizen account for that address, created (sealed) on first use."""
    email = email.strip().lower()
    index = citizen_email_index(commune, email)
    account = CitizenAccount.objects.for_commune(commune).filter(email_index=index).first()
    if account is not None:
        return account
    account = CitizenAccount(commune=commune, email_index=index)
    account.email = email
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:  # created by a concurrent request for the same address
        return CitizenAccount.objects.for_commune(commune).get(email_index=index)
    return account


def _login_state(account: CitizenAccount) -> str:
    """A digest of the last sign-in time: signing in again changes it, so each link works once."""
    moment = account.last_login_at.isoformat() if account.last_login_at else "never"
    return hashlib.sha256(moment.encode()).hexdigest()[:16]


def _signer(commune: Commune) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"clocher.accounts.magic-link:{commune.pk}")


def magic_link_token(account: CitizenAccount) -> str:
    return _signer(account.commune).sign_object({"a": account.pk, "s": _login_state(account)})


def magic_link_url(account: CitizenAccount) -> str:
    path = reverse("public:citizen:link", kwargs={"commune_slug": account.commune.slug})
    return f"{settings.SITE_URL}{path}?jeton={magic_link_token(account)}"


def magic_link_check(*, commune: Commune, token: str) -> CitizenAccount:
    """The account a magic link signs into, if it is genuine, recent and not used yet."""
    try:
        payload = _signer(commune).unsign_object(token, max_age=settings.MAGIC_LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise MagicLinkExpired from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise MagicLinkInvalid from error
    if not isinstance(payload, dict) or not isinstance(payload.get("a"), int):
        raise MagicLinkInvalid
    account = CitizenAccount.objects.for_commune(commune).filter(pk=payload["a"]).first()
    if account is None or payload.get("s") != _login_state(account):
        raise MagicLinkInvalid
    return account


def _rate_limit_exceeded(commune: Commune, index: str) -> bool:
    """Count this request against the address's hourly allowance; True if it is exhausted."""
    key = f"clocher:accounts:magic-link:{commune.pk}:{index}"
    if cache.add(key, 1, timeout=3600):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=3600)
        return False
    return count > settings.MAGIC_LINK_RATE_LIMIT


def magic_link_request(*, commune: Commune, email: str) -> CitizenAccount:
    """Send a sign-in link to ``email`` for ``commune``, creating the account if needed.

    The caller answers the same whatever happens (known or new address, mail failure), so nobody
    can learn from the page whether an address has an account. Raises ``MagicLinkRateLimited``
    after ``MAGIC_LINK_RATE_LIMIT`` requests for one address in an hour.
    """
    email = email.strip().lower()
    if _rate_limit_exceeded(commune, citizen_email_index(commune, email)):
        raise MagicLinkRateLimited
    account = citizen_account_for_email(commune=commune, email=email)
    context = {
        "commune": commune,
        "url": magic_link_url(account),
        "minutes": settings.MAGIC_LINK_MAX_AGE // 60,
    }
    subject = render_to_string("accounts/citizen/magic_link_subject.txt", context).strip()
    body = render_to_string("accounts/citizen/magic_link_email.txt", context)
    try:
        send_mail(subject, body, None, [email])
    except Exception:  # a mail outage must not tell the visitor anything different
        logger.exception("magic link mail could not be sent", extra={"commune": commune.slug})
    audit.log(
        AuditAction.MAGIC_LINK_SENT,
        actor=_citizen_actor(account),
        commune=commune,
        target=f"CitizenAccount:{account.pk}",
    )
    return account


def citizen_signed_in(*, account: CitizenAccount, method: str) -> None:
    """Record a citizen sign-in: this invalidates every magic link sent before."""
    account.last_login_at = timezone.now()
    account.save(update_fields=["last_login_at"])
    action = AuditAction.MAGIC_LINK_USED if method == "magic_link" else AuditAction.LOGIN
    audit.log(
        action,
        actor=_citizen_actor(account),
        commune=account.commune,
        target=f"CitizenAccount:{account.pk}",
        data={"method": method, "audience": "citizen"},
    )


def citizen_account_for_oidc(*, commune: Commune, email: str) -> CitizenAccount:
    return citizen_account_for_email(commune=commune, email=email)
