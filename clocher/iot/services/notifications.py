"""Telling people about alerts: e-mail to the people on duty, SMS through a pluggable provider,
quiet hours, digests, escalation to the mayor.

- **When.** An alert is notified once, right after it opens: ``services.alerting`` enqueues the
  ``iot.tasks.notify_alerts`` task on commit, which calls ``alerts_notify``. The send is claimed
  on the alert first (``notification`` leaves ``pending``), so two workers never send it twice;
  an alert still ``pending`` a few minutes later (a worker died, the mail server was down) is
  picked up again by the periodic job. A reopened alert (its condition came back within the
  cool-down) is not notified again.
- **Who.** The commune's on-duty list (``AlertRecipient``): each person by e-mail and/or SMS,
  from the minimum severity they chose. One message per person (nobody sees the others'
  addresses).
- **Quiet hours** (per commune, Europe/Paris wall clock, 22:00–07:00 by default): only critical
  alerts are sent during them. Others are *held* (``held_until`` = the end of the quiet hours)
  and sent by the periodic job, once the quiet hours end, as one digest per person listing every
  alert held for them with its current state — a morning summary rather than a burst of
  messages, and an alert that closed during the night is still reported.
- **Escalation.** A critical alert of a rule with ``escalate_after_minutes`` that nobody has
  acknowledged by then is sent to the members holding the elected role (the mayor and deputies),
  by e-mail, and by SMS to those of them on the on-duty list with a mobile number; quiet hours
  do not apply. It happens once per alert, recorded in its history.
- **SMS providers.** ``settings.SMS_BACKEND`` (environment ``CLOCHER_SMS_BACKEND``) is the dotted
  path of a class with ``send_messages(messages: Sequence[SmsMessage]) -> int`` returning how
  many were accepted, raising ``SmsError`` on a failure. The default,
  ``OutboxSmsBackend``, calls no service: it appends each message as a JSON line to
  ``<data dir>/sms-outbox/<date>.jsonl`` and logs it with the number masked, like Django's file
  e-mail backend. ``MemorySmsBackend`` keeps them in ``MemorySmsBackend.outbox`` for tests. A
  real provider (an operator's SMS gateway) is a small class of the same shape.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from clocher.iot.models.alerts import (
    ACTIVE_STATUSES,
    Alert,
    AlertEvent,
    AlertEventKind,
    AlertRecipient,
    AlertSettings,
    AlertStatus,
    NotificationState,
    Severity,
    severity_rank,
)

logger = logging.getLogger("clocher.iot.alerts")

LOCAL_ZONE = ZoneInfo("Europe/Paris")
PENDING_RETRY_AFTER = datetime.timedelta(minutes=5)
SMS_MAX_LENGTH = 320


# --- SMS ---------------------------------------------------------------------------------------


class SmsError(Exception):
    """A provider refused or failed to take a message."""


@dataclasses.dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164, e.g. +33612345678
    body: str
    commune_id: int


class SmsBackend(Protocol):
    def send_messages(self, messages: Sequence[SmsMessage]) -> int: ...


def masked(phone: str) -> str:
    return phone[:4] + "•" * max(0, len(phone) - 6) + phone[-2:] if len(phone) > 6 else "•••"


class OutboxSmsBackend:
    """Default: no foreign service. Each message is appended to a JSON-lines file of the day in
    ``<data dir>/sms-outbox/`` and logged (number masked)."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory or Path(settings.DATA_DIR) / "sms-outbox")

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        if not messages:
            return 0
        self.directory.mkdir(parents=True, exist_ok=True)
        now = timezone.now()
        path = self.directory / f"{timezone.localtime(now):%Y-%m-%d}.jsonl"
        with path.open("a", encoding="utf-8") as outbox:
            for message in messages:
                record = {"at": now.isoformat(), **dataclasses.asdict(message)}
                outbox.write(json.dumps(record, ensure_ascii=False) + "\n")
                logger.info(
                    "SMS written to the outbox for %s",
                    masked(message.to),
                    extra={"commune_id": message.commune_id},
                )
        return len(messages)


class MemorySmsBackend:
    """For tests: messages are kept in ``MemorySmsBackend.outbox`` (class attribute)."""

    outbox: ClassVar[list[SmsMessage]] = []

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        self.outbox.extend(messages)
        return len(messages)


def sms_backend() -> SmsBackend:
    backend_class = import_string(settings.SMS_BACKEND)
    return backend_class()  # type: ignore[no-any-return]


def send_sms(messages: Sequence[SmsMessage]) -> int:
    """Send through the configured provider; a failure is logged and counts as not sent."""
    if not messages:
        return 0
    try:
        return sms_backend().send_messages(messages)
    except Exception:
        logger.exception("The SMS provider failed", extra={"messages": len(messages)})
        return 0


_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


def normalise_phone(text: str) -> str:
    """A French mobile number (06…, 07…, +33…) or an international one (+…) in E.164."""
    compact = _PHONE_SEPARATORS.sub("", text or "")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if re.fullmatch(r"0[1-9]\d{8}", compact):
        compact = "+33" + compact[1:]
    if not re.fullmatch(r"\+[1-9]\d{7,14}", compact):
        raise ValidationError(
            {"phone": _("Numéro de téléphone non reconnu : écrivez par exemple 06 12 34 56 78.")}
        )
    return compact


# --- Quiet hours -------------------------------------------------------------------------------


def is_quiet(
    moment: datetime.datetime, start: datetime.time | None, end: datetime.time | None
) -> bool:
    """Whether ``moment`` falls in the quiet hours [start, end) on the Paris wall clock; the
    range may span midnight (22:00–07:00)."""
    if start is None or end is None or start == end:
        return False
    local = moment.astimezone(LOCAL_ZONE).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_hours_end_after(moment: datetime.datetime, end: datetime.time) -> datetime.datetime:
    """The next instant, after ``moment``, at which the Paris wall clock shows ``end``."""
    local = moment.astimezone(LOCAL_ZONE)
    candidate = datetime.datetime.combine(local.date(), end, tzinfo=LOCAL_ZONE)
    if candidate <= local:
        candidate = datetime.datetime.combine(
            local.date() + datetime.timedelta(days=1), end, tzinfo=LOCAL_ZONE
        )
    return candidate.astimezone(datetime.UTC)


# --- Messages ----------------------------------------------------------------------------------


def alert_url(alert: Alert) -> str:
    path = reverse("staff:iot:alert", args=[alert.commune.slug, alert.pk])
    return f"{settings.SITE_URL}{path}"


def _when(moment: datetime.datetime | None) -> str:
    if moment is None:
        return "—"
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _value(alert: Alert) -> str:
    from clocher.iot.services.alerting import format_value

    return format_value(alert.value, alert.unit)


def _alert_lines(alert: Alert) -> list[str]:
    device = alert.device
    lines = [
        _("Alerte : %(label)s") % {"label": alert.label},
        _("Gravité : %(severity)s") % {"severity": alert.get_severity_display()},
        _("Objet : %(name)s (%(dev_eui)s)") % {"name": device.name, "dev_eui": device.dev_eui},
    ]
    if device.site:
        lines.append(_("Site : %(site)s") % {"site": device.site})
    if alert.value is not None:
        lines.append(_("Valeur : %(value)s") % {"value": _value(alert)})
    lines.append(_("Condition remplie le : %(when)s") % {"when": _when(alert.triggered_at)})
    return lines


def _footer() -> list[str]:
    return [
        "",
        _(
            "Vous recevez ce message parce que vous êtes d'astreinte pour les alertes des objets "
            "connectés de la commune. Chaque alerte n'est notifiée qu'une fois."
        ),
    ]


def _subject(alert: Alert) -> str:
    return _("[%(commune)s] %(severity)s : %(label)s — %(device)s") % {
        "commune": alert.commune.name,
        "severity": alert.get_severity_display(),
        "label": alert.label,
        "device": alert.device.name,
    }


def _alert_email(alert: Alert, to: str) -> EmailMessage:
    body = [
        _("Bonjour,"),
        "",
        _("Une alerte s'est ouverte sur un objet connecté de la commune de %(commune)s.")
        % {"commune": alert.commune.name},
        "",
        *_alert_lines(alert),
        "",
        _("Prenez-la en compte ou clôturez-la sur cette page :"),
        alert_url(alert),
        *_footer(),
    ]
    return EmailMessage(_subject(alert), "\n".join(body), None, [to])


def _alert_sms(alert: Alert, to: str) -> SmsMessage:
    text = _("%(commune)s — %(severity)s : %(label)s, %(device)s%(value)s. %(url)s") % {
        "commune": alert.commune.name,
        "severity": alert.get_severity_display(),
        "label": alert.label,
        "device": alert.device.name,
        "value": f" : {_value(alert)}" if alert.value is not None else "",
        "url": alert_url(alert),
    }
    return SmsMessage(to=to, body=text[:SMS_MAX_LENGTH], commune_id=alert.commune_id)


def _recipients_by_commune(commune_ids: Iterable[int]) -> dict[int, list[AlertRecipient]]:
    found: dict[int, list[AlertRecipient]] = {}
    rows = (
        AlertRecipient.objects.filter(commune_id__in=set(commune_ids), user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    for recipient in rows:
        found.setdefault(recipient.commune_id, []).append(recipient)
    return found


def _wants(recipient: AlertRecipient, alert: Alert) -> bool:
    return severity_rank(alert.severity) >= severity_rank(recipient.minimum_severity)


@dataclasses.dataclass
class Outgoing:
    emails: list[EmailMessage] = dataclasses.field(default_factory=list)
    sms: list[SmsMessage] = dataclasses.field(default_factory=list)

    def send(self) -> tuple[int, int]:
        emailed = 0
        if self.emails:
            emailed = get_connection().send_messages(self.emails) or 0
        return emailed, send_sms(self.sms)


def _delivery_text(emails: int, sms: int) -> str:
    return _("Courriel : %(emails)d destinataire(s) ; SMS : %(sms)d destinataire(s).") % {
        "emails": emails,
        "sms": sms,
    }


def _log_event(alert: Alert, kind: str, text: str, at: datetime.datetime) -> None:
    AlertEvent.objects.create(commune_id=alert.commune_id, alert=alert, kind=kind, text=text, at=at)


# --- Sending -----------------------------------------------------------------------------------


def alerts_notify(alert_ids: Sequence[int], *, now: datetime.datetime | None = None) -> int:
    """Notify each of these alerts still ``pending`` (once); returns how many were sent. During
    the commune's quiet hours a non-critical alert is held for the morning digest."""
    now = now or timezone.now()
    alerts = list(
        Alert.objects.filter(pk__in=list(alert_ids), notification=NotificationState.PENDING)
        .select_related("device", "commune")
        .order_by("pk")
    )
    if not alerts:
        return 0
    communes = {alert.commune_id for alert in alerts}
    settings_rows = {
        row.commune_id: row for row in AlertSettings.objects.filter(commune_id__in=communes)
    }
    recipients = _recipients_by_commune(communes)
    sent = 0
    for alert in alerts:
        commune_settings = settings_rows.get(alert.commune_id) or AlertSettings()
        quiet = is_quiet(now, commune_settings.quiet_hours_start, commune_settings.quiet_hours_end)
        if quiet and alert.severity != Severity.CRITICAL:
            assert commune_settings.quiet_hours_end is not None
            held_until = quiet_hours_end_after(now, commune_settings.quiet_hours_end)
            if _claim(alert, NotificationState.HELD, held_until=held_until):
                _log_event(
                    alert,
                    AlertEventKind.HELD,
                    _("Heures de silence : envoi dans le récapitulatif de %(when)s.")
                    % {"when": _when(held_until)},
                    now,
                )
            continue
        wanted = [r for r in recipients.get(alert.commune_id, []) if _wants(r, alert)]
        if not wanted:
            _claim(alert, NotificationState.NOBODY)
            continue
        if not _claim(alert, NotificationState.SENT, notified_at=now):
            continue
        outgoing = Outgoing()
        for recipient in wanted:
            if recipient.by_email and recipient.user.email:
                outgoing.emails.append(_alert_email(alert, recipient.user.email))
            if recipient.by_sms and recipient.phone:
                outgoing.sms.append(_alert_sms(alert, recipient.phone))
        try:
            emailed, texted = outgoing.send()
        except Exception:
            # Release the claim: the periodic job tries again.
            Alert.objects.filter(pk=alert.pk).update(
                notification=NotificationState.PENDING, notified_at=None
            )
            logger.exception("Sending the notification of alert %s failed", alert.pk)
            continue
        _log_event(alert, AlertEventKind.NOTIFIED, _delivery_text(emailed, texted), now)
        sent += 1
    return sent


def _claim(alert: Alert, state: str, **fields: Any) -> bool:
    """Move the alert out of ``pending``: only one worker wins."""
    return bool(
        Alert.objects.filter(pk=alert.pk, notification=NotificationState.PENDING).update(
            notification=state, **fields
        )
    )


def pending_notifications_retry(*, now: datetime.datetime | None = None) -> int:
    """Notify the alerts left ``pending`` for a while (a worker died, mail was down)."""
    now = now or timezone.now()
    stuck = list(
        Alert.objects.filter(
            notification=NotificationState.PENDING, opened_at__lte=now - PENDING_RETRY_AFTER
        ).values_list("pk", flat=True)[:500]
    )
    return alerts_notify(stuck, now=now) if stuck else 0


def held_notifications_release(*, now: datetime.datetime | None = None) -> int:
    """Once the quiet hours are over, send each person one digest of the alerts held for them;
    returns how many alerts were released."""
    now = now or timezone.now()
    with transaction.atomic():
        alerts = list(
            Alert.objects.filter(notification=NotificationState.HELD, held_until__lte=now)
            .select_related("device", "commune")
            .select_for_update(of=("self",), skip_locked=True)
            .order_by("commune_id", "opened_at", "pk")
        )
        if not alerts:
            return 0
        Alert.objects.filter(pk__in=[alert.pk for alert in alerts]).update(
            notification=NotificationState.SENT, notified_at=now
        )
        by_commune: dict[int, list[Alert]] = {}
        for alert in alerts:
            by_commune.setdefault(alert.commune_id, []).append(alert)
        recipients = _recipients_by_commune(by_commune)
        outgoing = Outgoing()
        for commune_id, held in by_commune.items():
            for recipient in recipients.get(commune_id, []):
                mine = [alert for alert in held if _wants(recipient, alert)]
                if not mine:
                    continue
                if recipient.by_email and recipient.user.email:
                    outgoing.emails.append(_digest_email(mine, recipient.user.email))
                if recipient.by_sms and recipient.phone:
                    outgoing.sms.append(_digest_sms(mine, recipient.phone))
        AlertEvent.objects.bulk_create(
            [
                AlertEvent(
                    commune_id=alert.commune_id,
                    alert=alert,
                    kind=AlertEventKind.NOTIFIED,
                    at=now,
                    text=_("Envoyée dans le récapitulatif de fin des heures de silence."),
                )
                for alert in alerts
            ]
        )
        # Sent inside the transaction: a failure rolls the release back and the next run retries.
        outgoing.send()
    return len(alerts)


def _digest_email(alerts: list[Alert], to: str) -> EmailMessage:
    commune = alerts[0].commune
    subject = _(
        "[%(commune)s] Récapitulatif : %(count)d alerte(s) pendant les heures de silence"
    ) % {
        "commune": commune.name,
        "count": len(alerts),
    }
    body = [
        _("Bonjour,"),
        "",
        _(
            "Ces alertes se sont ouvertes pendant les heures de silence de la commune de "
            "%(commune)s ; elles n'étaient pas critiques et vous sont envoyées maintenant."
        )
        % {"commune": commune.name},
    ]
    for alert in alerts:
        body += ["", *_alert_lines(alert)]
        body.append(_("État : %(status)s") % {"status": alert.get_status_display()})
        body.append(alert_url(alert))
    body += _footer()
    return EmailMessage(subject, "\n".join(body), None, [to])


def _digest_sms(alerts: list[Alert], to: str) -> SmsMessage:
    commune = alerts[0].commune
    still_open = sum(1 for alert in alerts if alert.status in ACTIVE_STATUSES)
    text = _(
        "%(commune)s : %(count)d alerte(s) pendant les heures de silence, dont %(open)d encore "
        "ouverte(s). Détail par courriel et sur %(url)s"
    ) % {
        "commune": commune.name,
        "count": len(alerts),
        "open": still_open,
        "url": f"{settings.SITE_URL}{reverse('staff:iot:alerts', args=[commune.slug])}",
    }
    return SmsMessage(to=to, body=text[:SMS_MAX_LENGTH], commune_id=commune.pk)


def escalations_send(*, now: datetime.datetime | None = None) -> int:
    """Tell the elected members about the critical alerts nobody acknowledged in time; returns
    how many alerts were escalated."""
    from clocher.tenancy.models import Membership, Role

    now = now or timezone.now()
    with transaction.atomic():
        alerts = list(
            Alert.objects.filter(
                status=AlertStatus.OPEN,
                severity=Severity.CRITICAL,
                escalate_at__lte=now,
                escalated_at__isnull=True,
            )
            .select_related("device", "commune")
            .select_for_update(of=("self",), skip_locked=True)
            .order_by("pk")
        )
        if not alerts:
            return 0
        communes = {alert.commune_id for alert in alerts}
        elected: dict[int, dict[int, Any]] = {}
        for membership in Membership.objects.filter(
            commune_id__in=communes, role=Role.ELECTED, user__is_active=True
        ).select_related("user"):
            elected.setdefault(membership.commune_id, {})[membership.user_id] = membership.user
        phones = {
            (recipient.commune_id, recipient.user_id): recipient.phone
            for recipient in AlertRecipient.objects.filter(commune_id__in=communes, by_sms=True)
        }
        Alert.objects.filter(pk__in=[alert.pk for alert in alerts]).update(escalated_at=now)
        outgoing = Outgoing()
        events = []
        for alert in alerts:
            people = list(elected.get(alert.commune_id, {}).values())
            minutes = round((now - alert.opened_at).total_seconds() / 60)
            for person in people:
                if person.email:
                    outgoing.emails.append(_escalation_email(alert, person.email, minutes))
                phone = phones.get((alert.commune_id, person.pk))
                if phone:
                    outgoing.sms.append(_alert_sms(alert, phone))
            names = ", ".join(str(person) for person in people)
            text = (
                _(
                    "Alerte critique non prise en compte depuis %(minutes)d min : signalée à "
                    "%(names)s."
                )
                % {"minutes": minutes, "names": names}
                if people
                else _("Alerte critique non prise en compte : aucun élu à prévenir.")
            )
            events.append(
                AlertEvent(
                    commune_id=alert.commune_id,
                    alert=alert,
                    kind=AlertEventKind.ESCALATED,
                    at=now,
                    text=text,
                )
            )
        AlertEvent.objects.bulk_create(events)
        outgoing.send()
    return len(alerts)


def _escalation_email(alert: Alert, to: str, minutes: int) -> EmailMessage:
    subject = _("[%(commune)s] Alerte critique non prise en compte : %(label)s") % {
        "commune": alert.commune.name,
        "label": alert.label,
    }
    body = [
        _("Bonjour,"),
        "",
        _(
            "Une alerte critique est ouverte depuis %(minutes)d minutes et personne de "
            "l'astreinte ne l'a encore prise en compte. Vous en êtes informé(e) en tant qu'élu(e) "
            "de la commune de %(commune)s."
        )
        % {"minutes": minutes, "commune": alert.commune.name},
        "",
        *_alert_lines(alert),
        "",
        _("Suivez-la sur cette page :"),
        alert_url(alert),
    ]
    return EmailMessage(subject, "\n".join(body), None, [to])
