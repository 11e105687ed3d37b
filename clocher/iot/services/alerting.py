"""Alert rules evaluated at ingestion, and the staff's writes on alerts and rules.

Evaluation (``evaluate_readings`` / ``evaluate_batch``), inside the ingestion transaction:

- **Rule index.** Each process keeps, per commune, an index of its active rules (commune-wide,
  by site, by profile, by device) and of its alert settings. An index is trusted for
  ``RULE_INDEX_MAX_AGE_SECONDS``; after that one query reads ``AlertSettings.rules_version`` of
  the communes of the batch, and the rules are reloaded only when it changed. Every write on
  rules or settings bumps that version and drops this process's entry on commit, so the change
  is seen at once here and within a few seconds by the other workers. A device that no rule
  covers therefore costs no query at all; with rules, a batch costs a bounded number of queries
  (the states of its (rule, device) pairs, locked; then at most one bulk write per table),
  never one per reading.
- **State.** ``AlertRuleState`` keeps, per (rule, device): since when the condition holds,
  the time of the last reading evaluated and its value, the open alert, the last alert and when
  it closed, and whether the rule is *armed*. Readings are taken in time order; a reading not
  newer than the last one evaluated (a late or replayed message) is ignored, so it can neither
  reopen nor close an alert.
- **Thresholds.** ``threshold_above`` holds while value > threshold and clears when value ≤
  threshold − hysteresis (``threshold_below`` symmetrically; ``low_battery`` holds below the
  percentage and clears at percentage + hysteresis). The alert opens on the first reading at
  which the condition has held for the minimum duration without interruption (a reading where it
  does not hold resets the clock); it closes automatically on the first reading that clears it.
- **Rate of change**, per hour, between two consecutive readings of the quantity: holds when the
  rise (or the fall) per hour exceeds the maximum, clears when it is back to maximum −
  hysteresis. The alert's value is that rate.
- **Silent devices** are found by the periodic job (``silent_devices_watch``): no uplink for
  ``silent_factor`` × the device's expected interval, counted from its last uplink (or from its
  registration if it was never heard). One alert per silence: it closes automatically as soon as
  the device speaks again (a reading at ingestion, or the periodic job seeing ``last_seen_at``).
- **No spam.** An alert is notified once, when it opens (``services.notifications``). An alert
  closed automatically whose condition comes back within the commune's cool-down is *reopened*
  (same alert, history entry, no new notification) instead of opening a new one. When a person
  closes an alert whose condition still holds, they have dealt with it: the rule is disarmed for
  that device until the condition has cleared once, so no new alert follows every cool-down.
"""

from __future__ import annotations

import dataclasses
import datetime
import threading
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from clocher.iot.models import Device
from clocher.iot.models.alerts import (
    ACTIVE_STATUSES,
    Alert,
    AlertEvent,
    AlertEventKind,
    AlertRecipient,
    AlertRule,
    AlertRuleState,
    AlertSettings,
    AlertStatus,
    Direction,
    NotificationState,
    RuleKind,
    RuleScope,
    Severity,
)
from clocher.iot.services.rows import db_time_adapter, execute_rows, row_chunks, rows_source

if TYPE_CHECKING:
    from clocher.iot.services.ingestion import Reading
    from clocher.tenancy.models import Commune

RULE_INDEX_MAX_AGE_SECONDS = 5.0
COMMENT_MAX_LENGTH = 2000
BATTERY_QUANTITY = "battery"


# --- The rule index ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RuleSnapshot:
    """What evaluation needs of a rule (no ORM instance is shared between threads)."""

    id: int
    commune_id: int
    label: str
    kind: str
    severity: str
    scope: str
    device_id: int | None
    profile_id: int | None
    site: str
    quantity: str
    threshold: float | None
    hysteresis: float
    minimum_duration: datetime.timedelta
    max_change_per_hour: float | None
    direction: str
    silent_factor: float
    battery_percent: int
    escalate_after_minutes: int | None

    @classmethod
    def of(cls, rule: AlertRule) -> RuleSnapshot:
        return cls(
            id=rule.pk,
            commune_id=rule.commune_id,
            label=rule.label,
            kind=rule.kind,
            severity=rule.severity,
            scope=rule.scope,
            device_id=rule.device_id,
            profile_id=rule.profile_id,
            site=rule.site,
            quantity=rule.quantity,
            threshold=rule.threshold,
            hysteresis=max(0.0, rule.hysteresis or 0.0),
            minimum_duration=datetime.timedelta(minutes=rule.minimum_duration_minutes or 0),
            max_change_per_hour=rule.max_change_per_hour,
            direction=rule.direction,
            silent_factor=rule.silent_factor,
            battery_percent=rule.battery_percent,
            escalate_after_minutes=rule.escalate_after_minutes,
        )

    def watches(self, reading: Reading) -> bool:
        if self.kind == RuleKind.SILENT:
            return True
        if self.kind == RuleKind.LOW_BATTERY:
            return reading.quantity == BATTERY_QUANTITY and reading.unit in ("%", "")
        return reading.quantity == self.quantity

    def covers(self, device: Device) -> bool:
        if self.scope == RuleScope.DEVICE:
            return device.pk == self.device_id
        if self.scope == RuleScope.PROFILE:
            return device.profile_id == self.profile_id
        if self.scope == RuleScope.SITE:
            return device.site == self.site
        return device.commune_id == self.commune_id


@dataclasses.dataclass(frozen=True)
class SettingsSnapshot:
    quiet_hours_start: datetime.time | None
    quiet_hours_end: datetime.time | None
    cool_down: datetime.timedelta

    @classmethod
    def of(cls, settings: AlertSettings | None) -> SettingsSnapshot:
        if settings is None:
            settings = AlertSettings()
        return cls(
            quiet_hours_start=settings.quiet_hours_start,
            quiet_hours_end=settings.quiet_hours_end,
            cool_down=datetime.timedelta(minutes=settings.cool_down_minutes),
        )


@dataclasses.dataclass(frozen=True)
class RuleIndex:
    version: int
    checked_at: float
    settings: SettingsSnapshot
    commune_wide: tuple[RuleSnapshot, ...] = ()
    by_site: dict[str, tuple[RuleSnapshot, ...]] = dataclasses.field(default_factory=dict)
    by_profile: dict[int, tuple[RuleSnapshot, ...]] = dataclasses.field(default_factory=dict)
    by_device: dict[int, tuple[RuleSnapshot, ...]] = dataclasses.field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.commune_wide or self.by_site or self.by_profile or self.by_device)

    def rules_for(self, device: Device) -> list[RuleSnapshot]:
        if self.is_empty:
            return []
        return [
            *self.commune_wide,
            *self.by_site.get(device.site, ()),
            *self.by_profile.get(device.profile_id, ()),
            *self.by_device.get(device.pk, ()),
        ]


_indexes: dict[int, RuleIndex] = {}
_indexes_lock = threading.Lock()


def clear_rule_index(commune_id: int | None = None) -> None:
    """Forget this process's rule index of one commune (or of all)."""
    with _indexes_lock:
        if commune_id is None:
            _indexes.clear()
        else:
            _indexes.pop(commune_id, None)


def _build_index(version: int, settings: SettingsSnapshot, rules: Iterable[AlertRule]) -> RuleIndex:
    commune_wide: list[RuleSnapshot] = []
    by_site: dict[str, list[RuleSnapshot]] = {}
    by_profile: dict[int, list[RuleSnapshot]] = {}
    by_device: dict[int, list[RuleSnapshot]] = {}
    for rule in rules:
        snapshot = RuleSnapshot.of(rule)
        if rule.scope == RuleScope.DEVICE and rule.device_id is not None:
            by_device.setdefault(rule.device_id, []).append(snapshot)
        elif rule.scope == RuleScope.PROFILE and rule.profile_id is not None:
            by_profile.setdefault(rule.profile_id, []).append(snapshot)
        elif rule.scope == RuleScope.SITE:
            by_site.setdefault(rule.site, []).append(snapshot)
        elif rule.scope == RuleScope.COMMUNE:
            commune_wide.append(snapshot)
    return RuleIndex(
        version=version,
        checked_at=time.monotonic(),
        settings=settings,
        commune_wide=tuple(commune_wide),
        by_site={key: tuple(value) for key, value in by_site.items()},
        by_profile={key: tuple(value) for key, value in by_profile.items()},
        by_device={key: tuple(value) for key, value in by_device.items()},
    )


def rule_indexes(commune_ids: Iterable[int]) -> dict[int, RuleIndex]:
    """The rule index of each commune: no query while fresh, one to check the versions of the
    stale ones, one more to reload those whose rules changed."""
    now = time.monotonic()
    found: dict[int, RuleIndex] = {}
    stale: list[int] = []
    for commune_id in set(commune_ids):
        index = _indexes.get(commune_id)
        if index is not None and now - index.checked_at < RULE_INDEX_MAX_AGE_SECONDS:
            found[commune_id] = index
        else:
            stale.append(commune_id)
    if not stale:
        return found
    # The version first, then the rules: a change committed in between is cached under the old
    # version and reloaded at the next check.
    settings = {row.commune_id: row for row in AlertSettings.objects.filter(commune_id__in=stale)}
    reload: list[int] = []
    for commune_id in stale:
        version = settings[commune_id].rules_version if commune_id in settings else 0
        index = _indexes.get(commune_id)
        if index is not None and index.version == version:
            index = dataclasses.replace(index, checked_at=now)
            _indexes[commune_id] = index
            found[commune_id] = index
        else:
            reload.append(commune_id)
    if reload:
        rules: dict[int, list[AlertRule]] = {commune_id: [] for commune_id in reload}
        for rule in AlertRule.objects.filter(commune_id__in=reload, is_active=True).order_by("pk"):
            rules[rule.commune_id].append(rule)
        for commune_id in reload:
            row = settings.get(commune_id)
            index = _build_index(
                row.rules_version if row else 0, SettingsSnapshot.of(row), rules[commune_id]
            )
            with _indexes_lock:
                _indexes[commune_id] = index
            found[commune_id] = index
    return found


def settings_of(commune: Commune) -> AlertSettings:
    found = AlertSettings.objects.filter(commune=commune).first()
    return found if found is not None else AlertSettings(commune=commune)


def _bump_rules_version(commune: Commune) -> None:
    """Tell every process that the commune's rules or settings changed."""
    updated = AlertSettings.objects.filter(commune=commune).update(
        rules_version=F("rules_version") + 1
    )
    if not updated:
        AlertSettings.objects.get_or_create(commune=commune, defaults={"rules_version": 1})
    commune_id = commune.pk
    clear_rule_index(commune_id)
    transaction.on_commit(lambda: clear_rule_index(commune_id))


# --- Evaluation --------------------------------------------------------------------------------


def evaluate_readings(device: Device, readings: Sequence[Reading]) -> list[Alert]:
    """Evaluate the commune's rules on one device's new readings; returns the alerts opened.
    Must run inside the ingestion transaction."""
    return evaluate_batch([(device, readings)])


def evaluate_batch(items: Sequence[tuple[Device, Sequence[Reading]]]) -> list[Alert]:
    """Evaluate the rules on the readings of many devices at once (see the module docstring);
    returns the alerts opened. Must run inside the ingestion transaction."""
    if not any(readings for _device, readings in items):
        return []
    indexes = rule_indexes({device.commune_id for device, readings in items if readings})
    work: dict[tuple[int, int], tuple[RuleSnapshot, Device, list[Reading]]] = {}
    for device, readings in items:
        index = indexes.get(device.commune_id)
        if index is None or index.is_empty:
            continue
        for rule in index.rules_for(device):
            if rule.kind == RuleKind.SILENT:
                # Only an open silent alert cares about readings; one reading says enough.
                relevant = [max(readings, key=lambda reading: reading.time)]
            else:
                relevant = [reading for reading in readings if rule.watches(reading)]
            if not relevant:
                continue
            key = (rule.id, device.pk)
            if key in work:
                work[key][2].extend(relevant)
            else:
                work[key] = (rule, device, list(relevant))
    _drop_silent_without_alert(work)
    if not work:
        return []
    with transaction.atomic(savepoint=False):
        states = _locked_states({key: rule.commune_id for key, (rule, _d, _r) in work.items()})
        evaluation = _Evaluation(now=timezone.now(), indexes=indexes)
        for key, (rule, device, readings) in work.items():
            evaluation.run(rule, device, states[key], sorted(readings, key=lambda r: r.time))
        return evaluation.flush()


def _drop_silent_without_alert(work: dict[tuple[int, int], Any]) -> None:
    """A silent rule's readings matter only to a device whose silent alert is open (they close
    it): leave out the others before locking any state. Every device of a commune with the
    default rules is watched for silence, and creating, locking, loading and writing its state
    at every uplink cost 8 % of the throughput (docs/performance.md)."""
    silent = {key for key, (rule, _d, _r) in work.items() if rule.kind == RuleKind.SILENT}
    if not silent:
        return
    rules = {rule_id for rule_id, _device_id in silent}
    devices = {device_id for _rule_id, device_id in silent}
    if connection.vendor == "postgresql":  # one array per list, as in _states_locked
        table = connection.ops.quote_name(AlertRuleState._meta.db_table)
        rows = execute_rows(
            f"SELECT rule_id, device_id FROM {table} "  # noqa: S608 - the model's table
            "WHERE rule_id = ANY(CAST(%s AS bigint[])) AND device_id = ANY(CAST(%s AS bigint[])) "
            "AND alert_id IS NOT NULL",
            [sorted(rules), sorted(devices)],
            fetch=True,
        )
    else:
        rows = list(
            AlertRuleState.objects.filter(
                rule_id__in=rules, device_id__in=devices, alert__isnull=False
            ).values_list("rule_id", "device_id")
        )
    with_alert = {(rule_id, device_id) for rule_id, device_id in rows}
    for key in silent - with_alert:
        del work[key]


def _locked_states(keys: dict[tuple[int, int], int]) -> dict[tuple[int, int], AlertRuleState]:
    """The states of these (rule, device) pairs (mapped to their commune), locked for the
    transaction (created if missing), with their open and last alerts."""
    wanted = set(keys)
    rule_ids = {rule_id for rule_id, _device_id in keys}
    device_ids = {device_id for _rule_id, device_id in keys}

    def fetch(rules: set[int], devices: set[int]) -> dict[tuple[int, int], AlertRuleState]:
        rows = _states_locked(rules, devices)
        alerts = Alert.objects.in_bulk(
            {row.alert_id for row in rows if row.alert_id}
            | {row.last_alert_id for row in rows if row.last_alert_id}
        )
        for row in rows:
            if row.alert_id:
                row.alert = alerts[row.alert_id]
            if row.last_alert_id:
                row.last_alert = alerts[row.last_alert_id]
        return {
            (row.rule_id, row.device_id): row
            for row in rows
            if (row.rule_id, row.device_id) in wanted
        }

    states = fetch(rule_ids, device_ids)
    missing = wanted - set(states)
    if missing:
        AlertRuleState.objects.bulk_create(
            [
                AlertRuleState(
                    commune_id=keys[(rule_id, device_id)], rule_id=rule_id, device_id=device_id
                )
                for rule_id, device_id in sorted(missing)
            ],
            ignore_conflicts=True,
        )
        states.update(fetch({r for r, _d in missing}, {d for _r, d in missing}))
    return states


def _states_locked(rules: set[int], devices: set[int]) -> list[AlertRuleState]:
    """The states of these rules and devices, locked for the transaction, in key order. On
    PostgreSQL through a binary cursor with one array per list (a batch reads hundreds of
    states, and Django's cursor parsed every placeholder and every timestamp in Python:
    about a tenth of a worker's time with the default rules, docs/performance.md)."""
    if connection.vendor != "postgresql":
        return list(
            AlertRuleState.objects.filter(rule_id__in=rules, device_id__in=devices)
            .select_for_update(of=("self",))
            .order_by("pk")
        )
    quote = connection.ops.quote_name
    fields = AlertRuleState._meta.concrete_fields
    columns = ", ".join(quote(field.column) for field in fields)
    rows = execute_rows(
        # Identifiers are the model's quoted names; the ids are query parameters.
        f"SELECT {columns} FROM {quote(AlertRuleState._meta.db_table)} "  # noqa: S608
        "WHERE rule_id = ANY(CAST(%s AS bigint[])) AND device_id = ANY(CAST(%s AS bigint[])) "
        "ORDER BY id FOR UPDATE",
        [sorted(rules), sorted(devices)],
        fetch=True,
    )
    names = [field.attname for field in fields]
    return [AlertRuleState.from_db(connection.alias, names, row) for row in rows]


def format_value(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    rounded = round(value, 3)
    decimals = len(f"{rounded:.3f}".rstrip("0").split(".")[1])
    number = formats.number_format(rounded, decimal_pos=decimals)
    return f"{number} {unit}".strip()


class _Evaluation:
    """Applies readings to states in memory, then writes everything in a few bulk queries."""

    def __init__(self, *, now: datetime.datetime, indexes: dict[int, RuleIndex]) -> None:
        self.now = now
        self.indexes = indexes
        self.new_alerts: list[Alert] = []
        self.new_events: list[tuple[Alert, AlertEvent]] = []
        self.changed_alerts: dict[int, Alert] = {}
        self.touched_states: dict[int, AlertRuleState] = {}
        self.opened_by_state: dict[int, Alert] = {}

    def run(
        self, rule: RuleSnapshot, device: Device, state: AlertRuleState, readings: list[Reading]
    ) -> None:
        for reading in readings:
            if rule.kind == RuleKind.SILENT:
                self._heard(rule, state, reading)
                continue
            if state.last_evaluated_at is not None and reading.time <= state.last_evaluated_at:
                continue  # late or replayed: already past it
            self._step(rule, device, state, reading)
            state.last_evaluated_at = reading.time
            state.last_value = reading.value
            self.touched_states[state.pk] = state

    def _active_alert(self, state: AlertRuleState) -> Alert | None:
        opened = self.opened_by_state.get(state.pk)
        if opened is not None:
            return opened if opened.status in ACTIVE_STATUSES else None
        alert = state.alert
        return alert if alert is not None and alert.status in ACTIVE_STATUSES else None

    def _heard(self, rule: RuleSnapshot, state: AlertRuleState, reading: Reading) -> None:
        alert = self._active_alert(state)
        # ``condition_since`` of a silent rule is the last sign of life the silence counts from.
        if alert is not None and (
            state.condition_since is None or reading.time > state.condition_since
        ):
            self.close(state, alert, reading.time, _("L'objet émet de nouveau."))

    def _condition(
        self, rule: RuleSnapshot, state: AlertRuleState, reading: Reading
    ) -> tuple[bool, bool, float | None, str]:
        """(holds, clears, value shown on the alert, its unit) for one reading."""
        value = reading.value
        if rule.kind == RuleKind.THRESHOLD_ABOVE and rule.threshold is not None:
            return (
                value > rule.threshold,
                value <= rule.threshold - rule.hysteresis,
                value,
                reading.unit,
            )
        if rule.kind == RuleKind.THRESHOLD_BELOW and rule.threshold is not None:
            return (
                value < rule.threshold,
                value >= rule.threshold + rule.hysteresis,
                value,
                reading.unit,
            )
        if rule.kind == RuleKind.LOW_BATTERY:
            limit = float(rule.battery_percent)
            return value < limit, value >= limit + rule.hysteresis, value, "%"
        if rule.kind == RuleKind.RATE_OF_CHANGE and rule.max_change_per_hour is not None:
            if state.last_value is None or state.last_evaluated_at is None:
                return False, False, None, ""
            hours = (reading.time - state.last_evaluated_at).total_seconds() / 3600
            if hours <= 0:
                return False, False, None, ""
            rate = (value - state.last_value) / hours
            change = rate if rule.direction != Direction.FALLING else -rate
            return (
                change > rule.max_change_per_hour,
                change <= rule.max_change_per_hour - rule.hysteresis,
                rate,
                f"{reading.unit}/h" if reading.unit else "/h",
            )
        return False, False, None, ""

    def _step(
        self, rule: RuleSnapshot, device: Device, state: AlertRuleState, reading: Reading
    ) -> None:
        holds, clears, value, unit = self._condition(rule, state, reading)
        alert = self._active_alert(state)
        if alert is not None:
            if clears:
                self.close(
                    state,
                    alert,
                    reading.time,
                    _("Retour à la normale : %(value)s.") % {"value": format_value(value, unit)},
                )
            return
        if clears:
            state.is_armed = True
        if not holds:
            state.condition_since = None
            return
        if state.condition_since is None:
            state.condition_since = reading.time
        if not state.is_armed:
            return
        if reading.time - state.condition_since < rule.minimum_duration:
            return
        settings = self.indexes[device.commune_id].settings
        last = state.last_alert
        if (
            last is not None
            and last.status == AlertStatus.CLOSED
            and last.closed_automatically
            and state.last_closed_at is not None
            and reading.time - state.last_closed_at < settings.cool_down
        ):
            self._reopen(state, last, reading, value, unit)
        else:
            self._open(rule, device, state, reading, value, unit)

    def _event(self, alert: Alert, kind: str, text: str) -> None:
        event = AlertEvent(commune_id=alert.commune_id, kind=kind, at=self.now, text=text)
        self.new_events.append((alert, event))

    def _describe(self, rule: RuleSnapshot, value: float | None, unit: str) -> str:
        if rule.kind in (RuleKind.THRESHOLD_ABOVE, RuleKind.THRESHOLD_BELOW):
            return _("Valeur %(value)s (seuil %(threshold)s).") % {
                "value": format_value(value, unit),
                "threshold": format_value(rule.threshold, unit),
            }
        if rule.kind == RuleKind.LOW_BATTERY:
            return _("Batterie à %(value)s (seuil %(threshold)s %%).") % {
                "value": format_value(value, "%"),
                "threshold": rule.battery_percent,
            }
        if rule.kind == RuleKind.RATE_OF_CHANGE:
            return _("Variation de %(value)s (maximum %(maximum)s par heure).") % {
                "value": format_value(value, unit),
                "maximum": format_value(rule.max_change_per_hour),
            }
        return ""

    def _open(
        self,
        rule: RuleSnapshot,
        device: Device,
        state: AlertRuleState,
        reading: Reading,
        value: float | None,
        unit: str,
    ) -> None:
        self.open_alert(
            rule,
            device,
            state,
            quantity=reading.quantity,
            at=reading.time,
            value=value,
            unit=unit,
            text=self._describe(rule, value, unit),
        )

    def open_alert(
        self,
        rule: RuleSnapshot,
        device: Device,
        state: AlertRuleState,
        *,
        quantity: str,
        at: datetime.datetime,
        value: float | None,
        unit: str,
        text: str,
    ) -> None:
        alert = Alert(
            commune_id=device.commune_id,
            rule_id=rule.id,
            device=device,
            kind=rule.kind,
            severity=rule.severity,
            label=rule.label,
            quantity=quantity,
            status=AlertStatus.OPEN,
            value=value,
            unit=unit[:20],
            triggered_at=at,
            opened_at=self.now,
            notification=NotificationState.PENDING,
            escalate_at=_escalate_at(rule, self.now),
        )
        self.new_alerts.append(alert)
        self.opened_by_state[state.pk] = alert
        self.touched_states[state.pk] = state
        self._event(alert, AlertEventKind.OPENED, text)

    def silent(
        self, rule: RuleSnapshot, device: Device, state: AlertRuleState, since: datetime.datetime
    ) -> None:
        """Open the alert of a silence that began at ``since`` (once per silence)."""
        if self._active_alert(state) is not None or state.condition_since == since:
            return
        state.condition_since = since
        minutes = (self.now - since).total_seconds() / 60
        self.open_alert(
            rule,
            device,
            state,
            quantity="",
            at=self.now,
            value=round(minutes),
            unit="min",
            text=_("Aucun message depuis %(since)s (intervalle attendu : %(minutes)s min).")
            % {
                "since": formats.date_format(timezone.localtime(since), "DATETIME_FORMAT"),
                "minutes": device.expected_interval_minutes,
            },
        )

    def _reopen(
        self,
        state: AlertRuleState,
        alert: Alert,
        reading: Reading,
        value: float | None,
        unit: str,
    ) -> None:
        alert.status = AlertStatus.OPEN
        alert.closed_at = None
        alert.closed_by = None
        alert.closed_automatically = False
        alert.value = value
        if alert.pk is not None:  # else it is created in this batch, with its last status
            self.changed_alerts[alert.pk] = alert
        state.alert = alert
        self._event(
            alert,
            AlertEventKind.REOPENED,
            _(
                "La condition est revenue pendant le délai de carence (%(value)s) : pas de "
                "nouvelle notification."
            )
            % {"value": format_value(value, unit)},
        )

    def close(self, state: AlertRuleState, alert: Alert, at: datetime.datetime, text: str) -> None:
        alert.status = AlertStatus.CLOSED
        alert.closed_at = self.now
        alert.closed_automatically = True
        if alert.pk is not None:
            self.changed_alerts[alert.pk] = alert
        state.alert = None
        state.last_alert = alert
        state.last_closed_at = at
        if alert.kind != RuleKind.SILENT:
            state.condition_since = None
        state.is_armed = True
        self.touched_states[state.pk] = state
        self._event(alert, AlertEventKind.CLOSED, text)

    def flush(self) -> list[Alert]:
        if self.new_alerts:
            Alert.objects.bulk_create(self.new_alerts)
        # Primary keys of the new alerts exist only now: point the states at them again.
        for state_pk, alert in self.opened_by_state.items():
            state = self.touched_states[state_pk]
            if alert.status in ACTIVE_STATUSES:
                state.alert = alert
            else:
                state.alert = None
                state.last_alert = alert
        if self.changed_alerts:
            Alert.objects.bulk_update(
                list(self.changed_alerts.values()),
                ["status", "closed_at", "closed_by", "closed_automatically", "value"],
            )
        if self.new_events:
            AlertEvent.objects.bulk_create(
                [_bind(alert, event) for alert, event in self.new_events]
            )
        if self.touched_states:
            _states_write(self.touched_states.values())
        if self.new_alerts:
            _notify_on_commit([alert.pk for alert in self.new_alerts])
        return list(self.new_alerts)


_STATE_COLUMNS = (
    ("condition_since", "timestamptz"),
    ("last_evaluated_at", "timestamptz"),
    ("last_value", "double precision"),
    ("alert_id", "bigint"),
    ("last_alert_id", "bigint"),
    ("last_closed_at", "timestamptz"),
    ("is_armed", "boolean"),
)


def _states_write(states: Iterable[AlertRuleState]) -> None:
    """Write what the evaluation moved in the states, in one ``UPDATE … FROM`` of rows (per
    chunk of parameters on SQLite). A batch moves hundreds of them, and Django's
    ``bulk_update`` built a ``CASE WHEN`` expression per row and column: three quarters of an
    ingestion worker's time with the default rules (docs/performance.md)."""
    adapt = db_time_adapter()
    rows = [
        (
            state.pk,
            adapt(state.condition_since),
            adapt(state.last_evaluated_at),
            state.last_value,
            state.alert_id,
            state.last_alert_id,
            adapt(state.last_closed_at),
            state.is_armed,
        )
        for state in sorted(states, key=lambda state: state.pk)  # the order they were locked in
    ]
    quote = connection.ops.quote_name
    table = quote(AlertRuleState._meta.db_table)
    names = [name for name, _kind in _STATE_COLUMNS]
    assignments = ", ".join(f"{quote(name)} = moved.{quote(name)}" for name in names)
    columns = ", ".join(quote(name) for name in ("id", *names))
    for chunk in row_chunks(rows, len(_STATE_COLUMNS) + 1):
        source, parameters = rows_source(("bigint", *(kind for _n, kind in _STATE_COLUMNS)), chunk)
        # Identifiers are the model's quoted names; every value is a query parameter.
        execute_rows(
            f"WITH moved ({columns}) AS ({source}) "  # noqa: S608
            f"UPDATE {table} SET {assignments} FROM moved WHERE {table}.id = moved.id",
            parameters,
        )


def _bind(alert: Alert, event: AlertEvent) -> AlertEvent:
    event.alert = alert
    return event


def _escalate_at(rule: RuleSnapshot, now: datetime.datetime) -> datetime.datetime | None:
    if rule.severity != Severity.CRITICAL or not rule.escalate_after_minutes:
        return None
    return now + datetime.timedelta(minutes=rule.escalate_after_minutes)


def _notify_on_commit(alert_ids: list[int]) -> None:
    from clocher.iot.tasks import notify_alerts

    transaction.on_commit(lambda: notify_alerts.enqueue(alert_ids), robust=True)


# --- Silent devices (periodic) -----------------------------------------------------------------


def silent_devices_watch(*, now: datetime.datetime | None = None) -> int:
    """Open an alert for each device silent for its rule's factor × its expected interval, and
    close those of devices heard again; returns how many alerts opened. Queries: the active
    silent rules, the distinct expected intervals, one per distinct factor (the silent devices
    only, filtered in SQL), then the states and bulk writes — not one per device."""
    now = now or timezone.now()
    rules = list(AlertRule.objects.filter(kind=RuleKind.SILENT, is_active=True).order_by("pk"))
    if not rules:
        return 0
    communes = {rule.commune_id for rule in rules}
    intervals = sorted(
        set(
            Device.objects.filter(commune_id__in=communes)
            .order_by()
            .values_list("expected_interval_minutes", flat=True)
            .distinct()
        )
    )
    by_factor: dict[float, list[RuleSnapshot]] = {}
    for rule in rules:
        by_factor.setdefault(max(1.0, rule.silent_factor), []).append(RuleSnapshot.of(rule))
    candidates: dict[tuple[int, int], tuple[RuleSnapshot, Device, datetime.datetime]] = {}
    for factor, group in by_factor.items():
        condition = Q()
        for minutes in intervals:
            limit = now - datetime.timedelta(minutes=factor * minutes)
            condition |= Q(expected_interval_minutes=minutes) & (
                Q(last_seen_at__lt=limit) | Q(last_seen_at__isnull=True, created_at__lt=limit)
            )
        per_commune: dict[int, list[RuleSnapshot]] = {}
        for snapshot in group:
            per_commune.setdefault(snapshot.commune_id, []).append(snapshot)
        silent_devices = Device.objects.filter(commune_id__in=set(per_commune)).filter(condition)
        for device in silent_devices.only(
            "pk",
            "commune_id",
            "profile_id",
            "site",
            "name",
            "dev_eui",
            "last_seen_at",
            "created_at",
            "expected_interval_minutes",
        ):
            since = device.last_seen_at or device.created_at
            for snapshot in per_commune[device.commune_id]:
                if snapshot.covers(device):
                    candidates[(snapshot.id, device.pk)] = (snapshot, device, since)
    if not candidates:
        return 0
    with transaction.atomic():
        states = _locked_states(
            {key: snapshot.commune_id for key, (snapshot, _d, _s) in candidates.items()}
        )
        evaluation = _Evaluation(now=now, indexes={})
        for key, (snapshot, device, since) in candidates.items():
            evaluation.silent(snapshot, device, states[key], since)
        return len(evaluation.flush())


def silent_alerts_close(*, now: datetime.datetime | None = None) -> int:
    """Close the silent alerts of devices heard since their silence began (the readings of an
    uplink close them at ingestion already; this catches uplinks without readings)."""
    now = now or timezone.now()
    with transaction.atomic():
        states = list(
            AlertRuleState.objects.filter(
                rule__kind=RuleKind.SILENT,
                alert__status__in=ACTIVE_STATUSES,
                device__last_seen_at__gt=F("condition_since"),
            )
            .select_related("alert")
            .select_for_update(of=("self",))
        )
        if not states:
            return 0
        evaluation = _Evaluation(now=now, indexes={})
        for state in states:
            assert state.alert is not None
            evaluation.close(state, state.alert, now, _("L'objet émet de nouveau."))
        evaluation.flush()
        return len(states)


# --- Staff actions on alerts -------------------------------------------------------------------


def _locked_alert(commune: Commune, alert: Alert) -> Alert:
    # The rule's state first, then the alert: the order ingestion locks them in.
    list(
        AlertRuleState.objects.filter(commune=commune, alert=alert).select_for_update(of=("self",))
    )
    return Alert.objects.for_commune(commune).select_for_update(of=("self",)).get(pk=alert.pk)


@transaction.atomic
def alert_acknowledge(*, commune: Commune, actor: Any, alert: Alert) -> Alert:
    """Take an open alert into account (stops its escalation to the mayor)."""
    alert = _locked_alert(commune, alert)
    if alert.status != AlertStatus.OPEN:
        raise ValidationError(_("Cette alerte est déjà prise en compte ou close."))
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    AlertEvent.objects.create(
        commune=commune, alert=alert, kind=AlertEventKind.ACKNOWLEDGED, actor=actor
    )
    return alert


@transaction.atomic
def alert_comment(*, commune: Commune, actor: Any, alert: Alert, text: str) -> AlertEvent:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Écrivez le commentaire.")})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"text": _("Le commentaire dépasse %(max)d caractères.") % {"max": COMMENT_MAX_LENGTH}}
        )
    return AlertEvent.objects.create(
        commune=commune, alert=alert, kind=AlertEventKind.COMMENT, actor=actor, text=text
    )


@transaction.atomic
def alert_close(*, commune: Commune, actor: Any, alert: Alert, text: str = "") -> Alert:
    """Close an alert by hand. If its condition still holds, the rule stays quiet for that
    device until the condition has cleared once (no new alert every cool-down)."""
    text = (text or "").strip()
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"text": _("Le commentaire dépasse %(max)d caractères.") % {"max": COMMENT_MAX_LENGTH}}
        )
    alert = _locked_alert(commune, alert)
    if alert.status == AlertStatus.CLOSED:
        raise ValidationError(_("Cette alerte est déjà close."))
    now = timezone.now()
    alert.status = AlertStatus.CLOSED
    alert.closed_at = now
    alert.closed_by = actor
    alert.closed_automatically = False
    alert.save(update_fields=["status", "closed_at", "closed_by", "closed_automatically"])
    for state in AlertRuleState.objects.filter(commune=commune, alert=alert):
        state.alert = None
        state.last_alert = alert
        state.last_closed_at = now
        if alert.kind != RuleKind.SILENT:
            state.condition_since = None
            state.is_armed = False
        state.save(
            update_fields=["alert", "last_alert", "last_closed_at", "condition_since", "is_armed"]
        )
    AlertEvent.objects.create(
        commune=commune, alert=alert, kind=AlertEventKind.CLOSED, actor=actor, text=text
    )
    return alert


# --- Rules -------------------------------------------------------------------------------------

RULE_FIELDS = (
    "label",
    "kind",
    "severity",
    "scope",
    "device",
    "profile",
    "site",
    "quantity",
    "threshold",
    "hysteresis",
    "minimum_duration_minutes",
    "max_change_per_hour",
    "direction",
    "silent_factor",
    "battery_percent",
    "escalate_after_minutes",
)


@transaction.atomic
def alert_rule_save(
    *, commune: Commune, actor: Any, values: dict[str, Any], rule: AlertRule | None = None
) -> AlertRule:
    """Create or change a rule from validated values (``forms_alerts.AlertRuleForm``)."""
    if rule is None:
        rule = AlertRule(commune=commune, created_by=actor)
    elif rule.commune_id != commune.pk:
        raise ValidationError(_("Cette règle n'appartient pas à la commune."))
    for name in RULE_FIELDS:
        if name in values:
            setattr(rule, name, values[name])
    device = values.get("device")
    if device is not None and device.commune_id != commune.pk:
        raise ValidationError({"device": _("Cet objet n'appartient pas à la commune.")})
    profile = values.get("profile")
    if profile is not None and profile.operator_id != commune.operator_id:
        raise ValidationError({"profile": _("Ce profil n'est pas proposé à la commune.")})
    rule.updated_at = timezone.now()
    is_new = rule.pk is None
    rule.save()
    if not is_new:
        # The condition changed: start the rule's memory afresh (open alerts stay open and
        # close when the new condition clears).
        AlertRuleState.objects.filter(rule=rule, alert__isnull=True).delete()
    _bump_rules_version(commune)
    return rule


@transaction.atomic
def alert_rule_set_active(
    *, commune: Commune, actor: Any, rule: AlertRule, is_active: bool
) -> AlertRule:
    """Activate or deactivate a rule; deactivating closes its open alerts."""
    if rule.commune_id != commune.pk:
        raise ValidationError(_("Cette règle n'appartient pas à la commune."))
    if rule.is_active == is_active:
        return rule
    rule.is_active = is_active
    rule.updated_at = timezone.now()
    rule.save(update_fields=["is_active", "updated_at"])
    if not is_active:
        for alert in Alert.objects.for_commune(commune).filter(
            rule=rule, status__in=ACTIVE_STATUSES
        ):
            alert_close(commune=commune, actor=actor, alert=alert, text=_("Règle désactivée."))
        AlertRuleState.objects.filter(rule=rule).delete()
    _bump_rules_version(commune)
    return rule


@dataclasses.dataclass(frozen=True)
class RulePreset:
    key: str
    values: dict[str, Any]


def default_rule_presets() -> list[RulePreset]:
    """The default rule set a commune applies in one click (labels in the active language)."""
    return [
        RulePreset(
            "co2-ventilate",
            {
                "label": _("Aérer maintenant"),
                "kind": RuleKind.THRESHOLD_ABOVE,
                "severity": Severity.WARNING,
                "quantity": "co2",
                "threshold": 1500.0,
                "hysteresis": 100.0,
                "minimum_duration_minutes": 10,
            },
        ),
        RulePreset(
            "low-battery",
            {
                "label": _("Batterie faible"),
                "kind": RuleKind.LOW_BATTERY,
                "severity": Severity.WARNING,
                "battery_percent": 20,
                "hysteresis": 5.0,
            },
        ),
        RulePreset(
            "silent",
            {
                "label": _("Objet silencieux"),
                "kind": RuleKind.SILENT,
                "severity": Severity.WARNING,
                "silent_factor": 3.0,
            },
        ),
        RulePreset(
            "river-rising",
            {
                "label": _("Crue : le niveau de la rivière monte vite"),
                "kind": RuleKind.RATE_OF_CHANGE,
                "severity": Severity.CRITICAL,
                "quantity": "level",
                "max_change_per_hour": 0.2,
                "direction": Direction.RISING,
                "hysteresis": 0.05,
                "escalate_after_minutes": 30,
            },
        ),
    ]


@transaction.atomic
def default_rules_apply(*, commune: Commune, actor: Any) -> list[AlertRule]:
    """Create the default rules the commune does not have yet (applying twice adds nothing)."""
    existing = set(
        AlertRule.objects.for_commune(commune).exclude(preset="").values_list("preset", flat=True)
    )
    created = []
    now = timezone.now()
    for preset in default_rule_presets():
        if preset.key in existing:
            continue
        rule = AlertRule(
            commune=commune,
            scope=RuleScope.COMMUNE,
            preset=preset.key,
            created_by=actor,
            created_at=now,
            updated_at=now,
            **preset.values,
        )
        rule.save()
        created.append(rule)
    if created:
        _bump_rules_version(commune)
    return created


# --- On-duty list and settings -----------------------------------------------------------------


@transaction.atomic
def alert_recipient_save(
    *,
    commune: Commune,
    user: Any,
    by_email: bool,
    by_sms: bool,
    phone: str,
    minimum_severity: str,
    recipient: AlertRecipient | None = None,
) -> AlertRecipient:
    """Put a member of the commune on duty (or change how they are told)."""
    from clocher.iot.services.notifications import normalise_phone
    from clocher.tenancy.models import Membership

    if not Membership.objects.filter(commune=commune, user=user).exists():
        raise ValidationError({"user": _("Cette personne n'est pas membre de la commune.")})
    if not by_email and not by_sms:
        raise ValidationError(_("Choisissez au moins un moyen de prévenir cette personne."))
    phone = normalise_phone(phone) if phone else ""
    if by_sms and not phone:
        raise ValidationError({"phone": _("Indiquez un numéro de mobile pour les SMS.")})
    if recipient is None:
        recipient = AlertRecipient.objects.for_commune(commune).filter(user=user).first()
        if recipient is None:
            recipient = AlertRecipient(commune=commune, user=user)
    elif recipient.commune_id != commune.pk:
        raise ValidationError(_("Cette personne n'est pas d'astreinte dans la commune."))
    recipient.user = user
    recipient.by_email = by_email
    recipient.by_sms = by_sms
    recipient.phone = phone
    recipient.minimum_severity = minimum_severity
    recipient.save()
    return recipient


@transaction.atomic
def alert_recipient_remove(*, commune: Commune, recipient: AlertRecipient) -> None:
    AlertRecipient.objects.for_commune(commune).filter(pk=recipient.pk).delete()


@transaction.atomic
def alert_settings_update(
    *,
    commune: Commune,
    quiet_hours_start: datetime.time | None,
    quiet_hours_end: datetime.time | None,
    cool_down_minutes: int,
) -> AlertSettings:
    if (quiet_hours_start is None) != (quiet_hours_end is None):
        raise ValidationError(
            _("Indiquez le début et la fin des heures de silence, ou aucun des deux.")
        )
    settings, _created = AlertSettings.objects.get_or_create(commune=commune)
    settings.quiet_hours_start = quiet_hours_start
    settings.quiet_hours_end = quiet_hours_end
    settings.cool_down_minutes = cool_down_minutes
    settings.save(update_fields=["quiet_hours_start", "quiet_hours_end", "cool_down_minutes"])
    _bump_rules_version(commune)
    settings.refresh_from_db(fields=["rules_version"])
    return settings
