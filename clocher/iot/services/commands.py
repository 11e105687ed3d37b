"""Commands to actuators: asked for (by a person or a schedule), published, confirmed.

Life of a command (``CommandState``), every step appended to its journal (``CommandEvent``):

    queued ─publish, PUBACK─▶ sent ─txack, down/sent─▶ transmitted ─ack, down/ack─▶ acknowledged
      │  ▲                     └─────────── nack, ack false, down/failed ──────────▶ failed
      ▼  │ broker down: retry with backoff, at most IOT_COMMAND_MAX_ATTEMPTS, before expiry
     retry ──────────────────── attempts or lifetime exhausted ───────────────────▶ failed

Safety, checked in one transaction with the device row locked:
- a manual command needs the person's explicit confirmation;
- a bell command during the commune's quiet hours is refused unless overridden with a reason
  (journaled with the command);
- at most ``IOT_COMMANDS_PER_DEVICE_PER_MINUTE`` commands per device and
  ``IOT_COMMANDS_PER_USER_PER_MINUTE`` per person over the last minute.
A manual command refused is not stored (the person sees why); a scheduled one is stored as
``refused`` with the reason, since nobody is there to read a message.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clocher.iot.command_profiles import (
    CommandDefinition,
    CommandEncodingError,
    EncodedCommand,
    check_parameters,
    encode_command,
    find_command,
    parameters_as_json,
)
from clocher.iot.downlinks import (
    BrokerUnavailable,
    DeviceNotAddressable,
    DownlinkError,
    Publisher,
    broker_url_for,
    chirpstack_message,
    tts_message,
)
from clocher.iot.models import Command, CommandEvent, ControlSettings, Device
from clocher.iot.models.control import (
    AWAITING_STATES,
    DELIVERABLE_STATES,
    CommandOrigin,
    CommandState,
    NetworkServer,
    Schedule,
)
from clocher.iot.network import NormalisedEvent
from clocher.tenancy.models import Commune

logger = logging.getLogger("clocher.iot.commands")

LOCAL_ZONE = ZoneInfo("Europe/Paris")
RATE_WINDOW = timedelta(minutes=1)
# While a worker publishes a command, no other worker takes it (a crashed worker's lease ends).
PUBLISH_LEASE = timedelta(minutes=2)
CORRELATION_PREFIX = "clocher:cmd:"
_BEFORE_FINAL = (CommandState.QUEUED, CommandState.RETRY, *AWAITING_STATES)


class CommandRefused(Exception):
    """A command that may not be sent: ``message`` in French, ``field`` the form field to show
    it on (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


# --- Settings of the commune -------------------------------------------------------------------


def control_settings_for(commune: Commune) -> ControlSettings:
    """The commune's settings (unsaved defaults when it never saved any)."""
    found = ControlSettings.objects.for_commune(commune).first()
    return found or ControlSettings(commune=commune)


def control_settings_save(
    *,
    commune: Commune,
    actor: Any,
    quiet_hours_start: time,
    quiet_hours_end: time,
    school_zone: str,
) -> ControlSettings:
    with transaction.atomic():
        ControlSettings.objects.update_or_create(
            commune=commune,
            defaults={
                "quiet_hours_start": quiet_hours_start,
                "quiet_hours_end": quiet_hours_end,
                "school_zone": school_zone,
                "updated_at": timezone.now(),
                "updated_by": actor if getattr(actor, "is_authenticated", False) else None,
            },
        )
    return control_settings_for(commune)


def is_quiet_time(control: ControlSettings, moment: datetime) -> bool:
    """Whether ``moment`` falls in the quiet hours (Paris wall clock, [start, end), may span
    midnight; start == end means no quiet hours)."""
    local = moment.astimezone(LOCAL_ZONE).time()
    start, end = control.quiet_hours_start, control.quiet_hours_end
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


# --- Asking for a command ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PreparedCommand:
    """A command checked and encoded, ready to be stored (what the confirmation page shows)."""

    device: Device
    definition: CommandDefinition
    values: dict[str, Any]
    encoded: EncodedCommand
    network: str
    topic: str
    body: dict[str, Any]
    downlink_id: uuid.UUID
    is_quiet_time: bool


def _address(
    device: Device, encoded: EncodedCommand, downlink_id: uuid.UUID
) -> tuple[str, str, dict[str, Any]]:
    if device.network_server == NetworkServer.CHIRPSTACK and device.network_application_id:
        topic, body = chirpstack_message(
            application_id=device.network_application_id,
            dev_eui=device.dev_eui,
            encoded=encoded,
            downlink_id=downlink_id,
        )
        return NetworkServer.CHIRPSTACK, topic, body
    if (
        device.network_server == NetworkServer.TTS
        and device.network_application_id
        and device.network_device_id
    ):
        topic, body = tts_message(
            application_id=device.network_application_id,
            device_id=device.network_device_id,
            encoded=encoded,
            correlation_id=f"{CORRELATION_PREFIX}{downlink_id}",
        )
        return NetworkServer.TTS, topic, body
    raise DeviceNotAddressable("the device's application on the network server is not known")


def command_prepare(
    *,
    commune: Commune,
    device: Device,
    command_name: str,
    parameters: Mapping[str, Any],
    now: datetime | None = None,
) -> PreparedCommand:
    """Check and encode a command for ``device``; raise ``CommandRefused`` (nothing stored)."""
    now = now or timezone.now()
    if device.commune_id != commune.pk:
        raise CommandRefused(_("Cet objet n'appartient pas à la commune."))
    definition = find_command(device.profile, command_name)
    if definition is None:
        raise CommandRefused(
            _("Le profil de cet objet ne définit pas la commande « %(name)s ».")
            % {"name": command_name},
            code="unknown_command",
        )
    values, problems = check_parameters(definition, parameters)
    for name, problem in problems.items():
        parameter = definition.parameter(name)
        if parameter is None:
            raise CommandRefused(
                _("Paramètre inconnu : %(name)s.") % {"name": name}, code="parameters"
            )
        raise CommandRefused(
            _("%(label)s : valeur attendue entre %(min)s et %(max)s (pas de %(step)s).")
            % {
                "label": parameter.label,
                "min": parameter.minimum,
                "max": parameter.maximum,
                "step": parameter.step,
            }
            if problem != "missing"
            else _("%(label)s : ce paramètre est obligatoire.") % {"label": parameter.label},
            name,
            code="parameters",
        )
    try:
        encoded = encode_command(device.profile, definition, values)
    except CommandEncodingError as error:
        raise CommandRefused(
            _("La commande ne peut pas être encodée : %(reason)s") % {"reason": error},
            code="encoding",
        ) from None
    downlink_id = uuid.uuid4()
    try:
        network, topic, body = _address(device, encoded, downlink_id)
    except DownlinkError as error:
        raise CommandRefused(
            _(
                "L'adresse de cet objet sur le serveur de réseau n'est pas connue "
                "(%(reason)s) : elle est relevée à sa première émission, ou saisie sur la page "
                "des commandes."
            )
            % {"reason": error},
            code="not_addressable",
        ) from None
    control = control_settings_for(commune)
    return PreparedCommand(
        device=device,
        definition=definition,
        values=parameters_as_json(values),
        encoded=encoded,
        network=network,
        topic=topic,
        body=body,
        downlink_id=downlink_id,
        is_quiet_time=definition.is_bell and is_quiet_time(control, now),
    )


def _check_rates(*, device: Device, actor: Any, now: datetime) -> None:
    since = now - RATE_WINDOW
    recent = Command.objects.filter(requested_at__gt=since).exclude(state=CommandState.REFUSED)
    per_device = settings.IOT_COMMANDS_PER_DEVICE_PER_MINUTE
    if recent.filter(device=device).count() >= per_device:
        raise CommandRefused(
            _(
                "Trop de commandes pour cet objet : au plus %(count)s par minute. "
                "Réessayez dans une minute."
            )
            % {"count": per_device},
            code="rate_device",
        )
    if actor is not None:
        per_user = settings.IOT_COMMANDS_PER_USER_PER_MINUTE
        if recent.filter(requested_by=actor).count() >= per_user:
            raise CommandRefused(
                _(
                    "Vous avez envoyé trop de commandes : au plus %(count)s par minute. "
                    "Réessayez dans une minute."
                )
                % {"count": per_user},
                code="rate_user",
            )


def _store(
    prepared: PreparedCommand,
    *,
    origin: str,
    actor: Any,
    schedule: Schedule | None,
    occurrence_at: datetime | None,
    is_confirmed: bool,
    override_reason: str,
    now: datetime,
    state: str = CommandState.QUEUED,
    detail: str,
) -> Command:
    lifetime = timedelta(minutes=settings.IOT_COMMAND_LIFETIME_MINUTES)
    command = Command(
        commune_id=prepared.device.commune_id,
        device=prepared.device,
        command_name=prepared.definition.name,
        command_label=prepared.definition.label,
        category=prepared.definition.category,
        parameters=prepared.values,
        origin=origin,
        requested_by=actor,
        schedule=schedule,
        occurrence_at=occurrence_at,
        is_confirmed=is_confirmed,
        quiet_hours_override=bool(override_reason) and prepared.is_quiet_time,
        override_reason=override_reason if prepared.is_quiet_time else "",
        requested_at=now,
        expires_at=(occurrence_at or now) + lifetime,
        network=prepared.network,
        topic=prepared.topic,
        body=prepared.body,
        downlink_id=prepared.downlink_id,
        state=state,
        next_attempt_at=now if state == CommandState.QUEUED else None,
        error=detail if state == CommandState.REFUSED else "",
    )
    command.save(force_insert=True)
    CommandEvent.objects.create(
        commune_id=command.commune_id, command=command, at=now, state=state, detail=detail
    )
    return command


def _enqueue_delivery(command: Command) -> None:
    from clocher.iot.tasks_control import deliver_command

    command_id = command.pk
    transaction.on_commit(lambda: deliver_command.enqueue(command_id))


def command_request(
    *,
    commune: Commune,
    actor: Any,
    device: Device,
    command_name: str,
    parameters: Mapping[str, Any],
    confirmed: bool,
    override_quiet_hours: bool = False,
    override_reason: str = "",
    now: datetime | None = None,
) -> Command:
    """A person asks for a command: checked, journaled, then published by a task.

    Raises ``CommandRefused`` (nothing stored) when confirmation is missing, the command or its
    parameters are wrong, a bell would ring in quiet hours without an override and its reason,
    or a rate limit is reached.
    """
    now = now or timezone.now()
    if not confirmed:
        raise CommandRefused(
            _("Cochez la case pour confirmer l'envoi de la commande."),
            "confirmation",
            code="not_confirmed",
        )
    prepared = command_prepare(
        commune=commune, device=device, command_name=command_name, parameters=parameters, now=now
    )
    reason = override_reason.strip()
    if prepared.is_quiet_time:
        if not override_quiet_hours:
            raise CommandRefused(
                _(
                    "Heures de silence : les cloches ne sonnent pas la nuit. Pour passer outre, "
                    "cochez « Passer outre les heures de silence » et donnez le motif."
                ),
                "override_quiet_hours",
                code="quiet_hours",
            )
        if not reason:
            raise CommandRefused(
                _(
                    "Donnez le motif pour lequel les cloches doivent sonner pendant les "
                    "heures de silence."
                ),
                "override_reason",
                code="quiet_hours",
            )
    with transaction.atomic():
        locked = Device.objects.select_for_update().filter(pk=device.pk).first()
        if locked is None:
            raise CommandRefused(_("Cet objet n'existe plus."))
        _check_rates(device=device, actor=actor, now=now)
        detail = _("Demandée par %(who)s, envoi confirmé.") % {"who": _who(actor)}
        if prepared.is_quiet_time:
            detail += " " + _("Heures de silence levées : %(reason)s") % {"reason": reason}
        command = _store(
            prepared,
            origin=CommandOrigin.MANUAL,
            actor=actor,
            schedule=None,
            occurrence_at=None,
            is_confirmed=True,
            override_reason=reason,
            now=now,
            detail=detail,
        )
        _enqueue_delivery(command)
    return command


def _who(actor: Any) -> str:
    if actor is None:
        return "?"
    full_name = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return str(full_name or getattr(actor, "email", "") or actor)


def schedule_command_create(
    *, schedule: Schedule, device: Device, occurrence_at: datetime, now: datetime
) -> Command | None:
    """The command of one schedule occurrence for one device (inside the caller's transaction):
    queued, or stored as refused with the reason (quiet hours, rate limit, address unknown).
    None when the device's profile has no such command (a group may mix profiles)."""
    definition = find_command(device.profile, schedule.command_name)
    if definition is None:
        return None
    try:
        prepared = command_prepare(
            commune=schedule.commune,
            device=device,
            command_name=schedule.command_name,
            parameters=schedule.parameters or {},
            now=occurrence_at,
        )
    except CommandRefused as refusal:
        return _store_refused(schedule, device, definition, occurrence_at, now, refusal.message)
    reason = schedule.quiet_hours_override_reason.strip()
    if prepared.is_quiet_time and not reason:
        return _store_refused(
            schedule,
            device,
            definition,
            occurrence_at,
            now,
            _("Heures de silence : les cloches ne sonnent pas à cette heure-là."),
            prepared=prepared,
        )
    Device.objects.select_for_update().filter(pk=device.pk).first()
    try:
        _check_rates(device=device, actor=None, now=now)
    except CommandRefused as refusal:
        return _store_refused(
            schedule, device, definition, occurrence_at, now, refusal.message, prepared=prepared
        )
    detail = _("Programmation « %(name)s », occurrence du %(at)s.") % {
        "name": schedule.name,
        "at": occurrence_at.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M"),
    }
    if prepared.is_quiet_time:
        detail += " " + _("Heures de silence levées : %(reason)s") % {"reason": reason}
    return _store(
        prepared,
        origin=CommandOrigin.SCHEDULE,
        actor=None,
        schedule=schedule,
        occurrence_at=occurrence_at,
        is_confirmed=False,
        override_reason=reason,
        now=now,
        detail=detail,
    )


def _store_refused(
    schedule: Schedule,
    device: Device,
    definition: CommandDefinition,
    occurrence_at: datetime,
    now: datetime,
    reason: str,
    *,
    prepared: PreparedCommand | None = None,
) -> Command:
    if prepared is None:
        prepared = PreparedCommand(
            device=device,
            definition=definition,
            values=dict(schedule.parameters or {}),
            encoded=EncodedCommand(definition.f_port, b"", definition.confirmed),
            network=device.network_server,
            topic="",
            body={},
            downlink_id=uuid.uuid4(),
            is_quiet_time=False,
        )
    return _store(
        prepared,
        origin=CommandOrigin.SCHEDULE,
        actor=None,
        schedule=schedule,
        occurrence_at=occurrence_at,
        is_confirmed=False,
        override_reason="",
        now=now,
        state=CommandState.REFUSED,
        detail=reason,
    )


# --- Delivery ----------------------------------------------------------------------------------


def _transition(
    command: Command,
    state: str,
    *,
    at: datetime,
    detail: str = "",
    from_states: Iterable[str],
    **fields: Any,
) -> bool:
    """Move a command to ``state`` if it is in one of ``from_states``; journal the move."""
    moved = Command.objects.filter(pk=command.pk, state__in=list(from_states)).update(
        state=state, **fields
    )
    if moved:
        CommandEvent.objects.create(
            commune_id=command.commune_id, command_id=command.pk, at=at, state=state, detail=detail
        )
    return bool(moved)


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 30))


def _claim(command_ids: list[int], now: datetime) -> list[Command]:
    """Take the due commands for this worker (a lease): each is published by one worker."""
    claimed = []
    for command_id in command_ids:
        taken = Command.objects.filter(
            pk=command_id, state__in=DELIVERABLE_STATES, next_attempt_at__lte=now
        ).update(next_attempt_at=now + PUBLISH_LEASE, attempts=F("attempts") + 1)
        if taken:
            claimed.append(Command.objects.select_related("device").get(pk=command_id))
    return claimed


def _attempt_failed(command: Command, reason: str, now: datetime) -> None:
    out_of_time = command.expires_at is not None and command.expires_at <= now + _backoff(
        command.attempts
    )
    if command.attempts >= settings.IOT_COMMAND_MAX_ATTEMPTS or out_of_time:
        _transition(
            command,
            CommandState.FAILED,
            at=now,
            detail=_("Abandonnée après %(count)s tentative(s) : %(reason)s")
            % {"count": command.attempts, "reason": reason},
            from_states=DELIVERABLE_STATES,
            failed_at=now,
            error=reason,
            next_attempt_at=None,
        )
        return
    _transition(
        command,
        CommandState.RETRY,
        at=now,
        detail=_("Envoi impossible (tentative %(count)s) : %(reason)s")
        % {"count": command.attempts, "reason": reason},
        from_states=DELIVERABLE_STATES,
        error=reason,
        next_attempt_at=now + _backoff(command.attempts),
    )


@dataclasses.dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _publish_all(commands: list[Command], url: str, now: datetime, report: DeliveryReport) -> None:
    try:
        publisher = Publisher(url)
        publisher.connect()
    except BrokerUnavailable as error:
        for command in commands:
            _attempt_failed(command, str(error), now)
            report.retried += 1
        return
    try:
        for command in commands:
            if command.expires_at is not None and command.expires_at <= now:
                _transition(
                    command,
                    CommandState.FAILED,
                    at=now,
                    detail=_("Expirée avant d'avoir pu être envoyée."),
                    from_states=DELIVERABLE_STATES,
                    failed_at=now,
                    error="expired before it could be sent",
                    next_attempt_at=None,
                )
                report.failed += 1
                continue
            try:
                publisher.publish(command.topic, command.body or {})
            except BrokerUnavailable as error:
                _attempt_failed(command, str(error), now)
                report.retried += 1
                continue
            _transition(
                command,
                CommandState.SENT,
                at=timezone.now(),
                detail=_("Publiée sur %(topic)s, reçue par le serveur MQTT.")
                % {"topic": command.topic},
                from_states=DELIVERABLE_STATES,
                sent_at=timezone.now(),
                error="",
                next_attempt_at=None,
            )
            report.sent += 1
    finally:
        publisher.close()


def commands_deliver(command_ids: list[int], *, now: datetime | None = None) -> DeliveryReport:
    """Publish these commands if they are still due (one broker connection per network)."""
    now = now or timezone.now()
    report = DeliveryReport()
    by_broker: dict[str, list[Command]] = defaultdict(list)
    for command in _claim(command_ids, now):
        by_broker[broker_url_for(command.network)].append(command)
    for url, commands in by_broker.items():
        _publish_all(commands, url, now, report)
    return report


def commands_deliver_due(*, now: datetime | None = None, limit: int = 1000) -> DeliveryReport:
    """Publish every command due now (new, or to retry), oldest first."""
    now = now or timezone.now()
    due = list(
        Command.objects.filter(state__in=DELIVERABLE_STATES, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return commands_deliver(due, now=now)


# --- Confirmation from the network server ------------------------------------------------------


def _command_of_event(commune_id: int, device: Device, event: NormalisedEvent) -> Command | None:
    candidates: list[uuid.UUID] = []
    queue_item = event.data.get("queue_item_id")
    if queue_item:
        with contextlib.suppress(ValueError):
            candidates.append(uuid.UUID(str(queue_item)))
    for correlation in event.data.get("correlation_ids") or []:
        if str(correlation).startswith(CORRELATION_PREFIX):
            try:
                candidates.append(uuid.UUID(str(correlation)[len(CORRELATION_PREFIX) :]))
            except ValueError:
                continue
    scoped = Command.objects.filter(commune_id=commune_id, device=device)
    if candidates:
        return scoped.filter(downlink_id__in=candidates).first()
    f_cnt_down = event.data.get("f_cnt_down")
    if f_cnt_down:
        return scoped.filter(f_cnt_down=f_cnt_down, state__in=AWAITING_STATES).first()
    return None


def command_event_record(
    *, commune_id: int, device: Device, event: NormalisedEvent
) -> tuple[bool, str]:
    """Apply a downlink event of the network server (ChirpStack ``ack``/``txack``, The Things
    Stack ``down/*``) to its command. Returns (changed, reason when nothing changed)."""
    command = _command_of_event(commune_id, device, event)
    if command is None:
        return False, f"{event.kind}: no command of this device matches"
    at = event.at
    f_cnt = event.data.get("f_cnt_down")
    counter = {"f_cnt_down": f_cnt} if f_cnt else {}
    kind = event.kind
    if kind == "down_queued":
        return False, "down/queued: the command stays sent"
    if kind in ("txack", "down_sent"):
        gateway = event.data.get("gateway_id")
        detail = (
            _("Émise par la passerelle %(gateway)s.") % {"gateway": gateway}
            if gateway
            else _("Émise vers l'objet.")
        )
        changed = _transition(
            command,
            CommandState.TRANSMITTED,
            at=at,
            detail=detail,
            from_states=(CommandState.QUEUED, CommandState.RETRY, CommandState.SENT),
            transmitted_at=at,
            sent_at=command.sent_at or at,
            next_attempt_at=None,
            **counter,
        )
    elif (kind == "ack" and event.data.get("acknowledged")) or kind == "down_ack":
        changed = _transition(
            command,
            CommandState.ACKNOWLEDGED,
            at=at,
            detail=_("Réception confirmée par l'objet."),
            from_states=_BEFORE_FINAL,
            acknowledged_at=at,
            next_attempt_at=None,
            **counter,
        )
    else:  # ack not acknowledged, down_nack, down_failed
        reason = event.data.get("error") or "the device did not acknowledge the downlink"
        changed = _transition(
            command,
            CommandState.FAILED,
            at=at,
            detail=_("Échec signalé par le serveur de réseau : %(reason)s") % {"reason": reason},
            from_states=_BEFORE_FINAL,
            failed_at=at,
            error=str(reason)[:2000],
            next_attempt_at=None,
            **counter,
        )
    return changed, "" if changed else f"{kind}: the command is already {command.state}"


# --- Network address of a device ---------------------------------------------------------------


def device_network_note(
    device: Device, *, source: str, application_id: str | None, device_id: str | None
) -> bool:
    """Note where downlinks to ``device`` go, from one of its uplinks; one UPDATE only when it
    changed. A TTS ``app@tenant`` entered by hand is kept while the application is the same."""
    if source not in (NetworkServer.CHIRPSTACK, NetworkServer.TTS) or not application_id:
        return False
    application = application_id[:100]
    stored_application = device.network_application_id
    if (
        source == NetworkServer.TTS
        and stored_application.partition("@")[0] == application
        and "@" in stored_application
    ):
        application = stored_application
    changes = {"network_server": source, "network_application_id": application}
    if source == NetworkServer.TTS:
        changes["network_device_id"] = (device_id or "")[:100]
    if all(getattr(device, field) == value for field, value in changes.items()):
        return False
    Device.objects.filter(pk=device.pk).update(**changes)
    for field, value in changes.items():
        setattr(device, field, value)
    return True


def device_network_set(
    *, commune: Commune, device: Device, network_server: str, application_id: str, device_id: str
) -> Device:
    """Enter a device's network address by hand (before it has sent anything)."""
    if device.commune_id != commune.pk:
        raise CommandRefused(_("Cet objet n'appartient pas à la commune."))
    Device.objects.filter(pk=device.pk).update(
        network_server=network_server,
        network_application_id=application_id.strip(),
        network_device_id=device_id.strip(),
    )
    device.refresh_from_db()
    return device
