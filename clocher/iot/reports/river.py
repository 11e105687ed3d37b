"""River level: the current level of each gauge, its rising rate (cm/h over the last
``RISE_WINDOW``), the crossings of the vigilance and alert thresholds over the period, and who is
notified at each level (escalation to the mayor).

- A gauge is a device measuring ``level`` (water height in metres, e.g. the demo's SenML gauge
  or a codec converting an ultrasonic distance into a height).
- Thresholds: vigilance ``DEFAULT_VIGILANCE_M`` and alert ``DEFAULT_ALERT_M`` by default, set on
  the page (query parameters ``vigilance`` and ``alerte``) for all gauges or for the gauge chosen
  (``jauge``). They must come from the river's own history (the local flood plan, Vigicrues'
  reference heights): the defaults are only a starting point and the page says so.
- Rising rate: least-squares slope of the readings of the last three hours, in cm/h.
- A crossing starts when a reading is at or above the threshold after one below it (its time is
  interpolated between the two readings) and ends when the level goes back below; a level already
  above at the start of the period counts from its first reading.
- Escalation (``escalation``): vigilance goes to the commune's agents and technicians (the people
  on duty), alert also to the mayor and the commune's administrators. The alerts module sends
  the notifications; this function only says who they are and is the one to swap for its duty
  rota once it exists.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from clocher.iot.charts import Point, line_chart
from clocher.iot.dashboards import last_values
from clocher.iot.models import Device, Measurement
from clocher.iot.reports.common import (
    Chart,
    ReportDocument,
    ReportPeriod,
    Section,
    Table,
    TimedValue,
    decimal,
    least_squares_slope,
    local_datetime,
    place_of,
    reported_devices,
)
from clocher.tenancy.models import Commune, Membership, Role

SLUG = "riviere"
QUANTITY = "level"
DEFAULT_VIGILANCE_M = 1.0
DEFAULT_ALERT_M = 1.5
RISE_WINDOW = datetime.timedelta(hours=3)
LOOKBACK = datetime.timedelta(days=1)
VIGILANCE, ALERT = "vigilance", "alert"


def level_label(level: str) -> str:
    return _("vigilance") if level == VIGILANCE else _("alerte")


@dataclass(frozen=True)
class Crossing:
    level: str
    threshold: float
    started_at: datetime.datetime
    ended_at: datetime.datetime | None
    peak: float


def crossings(
    readings: Sequence[TimedValue], threshold: float, level: str, *, since: datetime.datetime
) -> list[Crossing]:
    """The periods at or above ``threshold`` that end after ``since`` (readings oldest first;
    those before ``since`` only give the state at its start)."""
    found: list[Crossing] = []
    started: datetime.datetime | None = None
    peak = 0.0
    previous: TimedValue | None = None
    for time, value in readings:
        if value >= threshold:
            if started is None:
                if previous is None or previous[1] >= threshold:
                    started = time
                else:
                    started = _interpolate(previous, (time, value), threshold)
                peak = value
            peak = max(peak, value)
        elif started is not None:
            assert previous is not None
            ended = _interpolate(previous, (time, value), threshold)
            if ended >= since:
                found.append(Crossing(level, threshold, max(started, since), ended, peak))
            started = None
        previous = (time, value)
    if started is not None:
        found.append(Crossing(level, threshold, max(started, since), None, peak))
    return found


def _interpolate(before: TimedValue, after: TimedValue, threshold: float) -> datetime.datetime:
    """When the straight line between two readings meets ``threshold``."""
    (start, low), (end, high) = before, after
    if high == low:
        return end
    fraction = min(1.0, max(0.0, (threshold - low) / (high - low)))
    return start + (end - start) * fraction


def rising_rate(readings: Sequence[TimedValue], *, now: datetime.datetime) -> float | None:
    """cm/h over the readings of the last ``RISE_WINDOW`` before ``now`` (positive: rising)."""
    recent = [reading for reading in readings if now - RISE_WINDOW <= reading[0] <= now]
    fit = least_squares_slope(recent)
    return None if fit is None else fit[0] * 100


@dataclass(frozen=True)
class Recipients:
    level: str
    roles: str
    names: list[str]


def escalation(commune: Commune) -> list[Recipients]:
    """Who is notified at each level: one query on the commune's members."""
    members = (
        Membership.objects.for_commune(commune)
        .filter(role__in=[Role.AGENT, Role.TECHNICIAN, Role.COMMUNE_ADMIN])
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    by_role: dict[str, list[str]] = {}
    for membership in members:
        user = membership.user
        name = user.get_full_name() if hasattr(user, "get_full_name") else ""
        name = (name or "").strip() or f"{user.first_name} {user.last_name}".strip() or user.email
        names = by_role.setdefault(membership.role, [])
        if name not in names:
            names.append(name)
    on_duty = sorted({*by_role.get(Role.AGENT, []), *by_role.get(Role.TECHNICIAN, [])})
    return [
        Recipients(VIGILANCE, _("agents et techniciens de la commune (astreinte)"), on_duty),
        Recipients(
            ALERT,
            _("en plus : le maire et les administrateurs de la commune"),
            by_role.get(Role.COMMUNE_ADMIN, []),
        ),
    ]


@dataclass(frozen=True)
class GaugeState:
    device: Device
    vigilance: float
    alert: float
    current: float | None
    current_at: datetime.datetime | None
    rate_cm_per_hour: float | None
    period_maximum: float | None
    readings: list[TimedValue]  # over the period
    crossings: list[Crossing]

    @property
    def status(self) -> str:
        """``alert``, ``vigilance``, ``normal`` or ``unknown`` (no measurement)."""
        if self.current is None:
            return "unknown"
        if self.current >= self.alert:
            return ALERT
        if self.current >= self.vigilance:
            return VIGILANCE
        return "normal"

    @property
    def status_label(self) -> str:
        return {
            ALERT: _("alerte"),
            VIGILANCE: _("vigilance"),
            "normal": _("normal"),
        }.get(self.status, _("aucune mesure"))


@dataclass(frozen=True)
class RiverReport:
    commune: Commune
    period: ReportPeriod
    now: datetime.datetime
    vigilance: float
    alert: float
    thresholds_are_default: bool
    gauges: list[GaugeState]
    recipients: list[Recipients]


def gauges(commune: Commune) -> list[Device]:
    return list(reported_devices(commune, [QUANTITY]))


def compute(
    commune: Commune,
    period: ReportPeriod,
    *,
    now: datetime.datetime,
    vigilance: float | None = None,
    alert: float | None = None,
    gauge: int | None = None,
) -> RiverReport:
    vigilance_m = DEFAULT_VIGILANCE_M if vigilance is None else vigilance
    alert_m = DEFAULT_ALERT_M if alert is None else alert
    devices = [device for device in gauges(commune) if gauge is None or device.pk == gauge]
    series: dict[int, list[TimedValue]] = {}
    if devices:
        ranges = Q(time__gte=period.start - LOOKBACK, time__lt=min(period.end, now)) | Q(
            time__gte=now - RISE_WINDOW, time__lte=now
        )
        rows = (
            Measurement.objects.for_commune(commune)
            .filter(ranges, device_id__in=[device.pk for device in devices], quantity=QUANTITY)
            .order_by("device_id", "time")
            .values_list("device_id", "time", "value")
        )
        for device_id, group in itertools.groupby(
            rows.iterator(chunk_size=5000), key=lambda row: row[0]
        ):
            series[device_id] = [(time, value) for _id, time, value in group]
    latest = last_values(commune, devices)
    states = []
    for device in devices:
        readings = series.get(device.pk, [])
        history = [reading for reading in readings if reading[0] < period.end]
        in_period = [reading for reading in history if reading[0] >= period.start]
        current = next(
            (value for value in latest.get(device.pk, []) if value.quantity == QUANTITY), None
        )
        found = [
            *crossings(history, vigilance_m, VIGILANCE, since=period.start),
            *crossings(history, alert_m, ALERT, since=period.start),
        ]
        states.append(
            GaugeState(
                device=device,
                vigilance=vigilance_m,
                alert=alert_m,
                current=current.value if current else None,
                current_at=current.time if current else None,
                rate_cm_per_hour=rising_rate(readings, now=now),
                period_maximum=max((value for _time, value in in_period), default=None),
                readings=in_period,
                crossings=sorted(found, key=lambda crossing: crossing.started_at),
            )
        )
    return RiverReport(
        commune,
        period,
        now,
        vigilance_m,
        alert_m,
        vigilance is None and alert is None,
        states,
        escalation(commune),
    )


# --- The document ------------------------------------------------------------------------------


def _rate(value: float | None) -> str:
    if value is None:
        return "—"
    sign = "+" if value > 0 else ""
    return f"{sign}{decimal(value, 1)} cm/h"


def document(report: RiverReport, *, with_charts: bool = True) -> ReportDocument:
    thresholds = _("Seuils : vigilance à %(vigilance)s m, alerte à %(alert)s m.") % {
        "vigilance": decimal(report.vigilance, 2),
        "alert": decimal(report.alert, 2),
    }
    if report.thresholds_are_default:
        thresholds += " " + _(
            "Ce sont les valeurs par défaut : fixez-les d'après l'historique de la rivière "
            "(plan communal de sauvegarde, hauteurs de référence de Vigicrues)."
        )
    recipients = {recipients.level: recipients for recipients in report.recipients}
    in_alert = [gauge for gauge in report.gauges if gauge.status == ALERT]
    now_section = Section(
        _("Niveau actuel"),
        is_warning=bool(in_alert),
        paragraphs=[thresholds],
        tables=[
            Table(
                _("Niveau des jauges"),
                [
                    _("Jauge"),
                    _("Lieu"),
                    _("Niveau (m)"),
                    _("Mesuré le"),
                    _("Variation sur 3 h"),
                    _("Maximum de la période (m)"),
                    _("État"),
                ],
                [
                    [
                        gauge.device.name,
                        place_of(gauge.device),
                        decimal(gauge.current, 2),
                        local_datetime(gauge.current_at),
                        _rate(gauge.rate_cm_per_hour),
                        decimal(gauge.period_maximum, 2),
                        gauge.status_label,
                    ]
                    for gauge in report.gauges
                ],
                numeric=frozenset({2, 4, 5}),
                empty_text=_("Aucune jauge de niveau d'eau n'est enregistrée."),
            )
        ],
    )
    still_above = (
        _("toujours au-dessus à la fin de la période")
        if report.period.end <= report.now
        else _("en cours")
    )
    crossing_rows = [
        [
            gauge.device.name,
            f"{level_label(crossing.level)} ({decimal(crossing.threshold, 2)} m)",
            local_datetime(crossing.started_at),
            local_datetime(crossing.ended_at) if crossing.ended_at else still_above,
            decimal(crossing.peak, 2),
            _notified(recipients, crossing.level),
        ]
        for gauge in report.gauges
        for crossing in gauge.crossings
    ]
    crossings_section = Section(
        _("Franchissements de seuils sur la période"),
        tables=[
            Table(
                _("Franchissements"),
                [
                    _("Jauge"),
                    _("Seuil"),
                    _("Franchi le"),
                    _("Redescendu le"),
                    _("Niveau maximal (m)"),
                    _("Personnes prévenues"),
                ],
                crossing_rows,
                numeric=frozenset({4}),
                empty_text=_("Aucun seuil franchi pendant la période."),
            )
        ],
    )
    escalation_section = Section(
        _("Qui est prévenu"),
        paragraphs=[
            _(
                "Au seuil de vigilance, l'équipe d'astreinte est prévenue ; au seuil d'alerte, "
                "l'alerte remonte au maire. Les notifications partent du module d'alertes."
            )
        ],
        tables=[
            Table(
                _("Escalade"),
                [_("Seuil"), _("Personnes prévenues"), _("Noms")],
                [
                    [
                        level_label(item.level).capitalize(),
                        item.roles,
                        ", ".join(item.names) or _("personne n'a ce rôle dans la commune"),
                    ]
                    for item in report.recipients
                ],
            )
        ],
    )
    if with_charts:
        for gauge in report.gauges:
            title = _("Niveau — %(name)s") % {"name": gauge.device.name}
            crossings_section.charts.append(
                Chart(
                    title,
                    line_chart(
                        [Point(time, value) for time, value in gauge.readings],
                        start=report.period.start,
                        end=report.period.end,
                        title=title,
                        description=_(
                            "Hauteur d'eau en mètres à chaque mesure de la période ; vigilance "
                            "à %(vigilance)s m, alerte à %(alert)s m."
                        )
                        % {
                            "vigilance": decimal(gauge.vigilance, 2),
                            "alert": decimal(gauge.alert, 2),
                        },
                        unit="m",
                        chart_id=f"chart-river-{gauge.device.pk}",
                    ),
                )
            )
    return ReportDocument(
        commune=report.commune,
        title=_("Niveau de la rivière"),
        period_label=report.period.label.capitalize(),
        summary=[
            _("%(count)d jauge(s), %(crossings)d franchissement(s) de seuil sur la période.")
            % {"count": len(report.gauges), "crossings": len(crossing_rows)}
        ],
        sections=[now_section, crossings_section, escalation_section],
        method=[
            _(
                "Variation : pente de la droite des moindres carrés sur les mesures des trois "
                "dernières heures, en centimètres par heure (positive quand l'eau monte)."
            ),
            _(
                "Franchissement : une mesure au niveau du seuil ou au-dessus après une mesure en "
                "dessous ; l'heure est interpolée entre les deux mesures. Il se termine quand le "
                "niveau repasse sous le seuil."
            ),
        ],
        sources=[_("Mesures des jauges de la commune (Clocher, Cité IoT).")],
        filename=f"riviere-{report.period.key}.pdf",
    )


def _notified(recipients: dict[str, Recipients], level: str) -> str:
    levels = [VIGILANCE] if level == VIGILANCE else [VIGILANCE, ALERT]
    names: list[str] = []
    for key in levels:
        for name in recipients[key].names:
            if name not in names:
                names.append(name)
    return ", ".join(names) or "—"
