"""Recycling containers: fill level, predicted full date from the filling trend, today's list of
containers to collect (printable), and the collections seen over the period.

How the fill level is known (``fill_percent``):

- a device whose decoder gives ``fill_level`` (%) is read as is;
- otherwise the ultrasonic ``distance`` from the lid to the contents (Milesight EM310-UDL,
  Dragino LDDS75, in mm) is turned into a fill level with the container's depth (the distance
  measured when empty): ``fill = (depth − distance) / depth``, kept within 0–100 %. Clocher has
  no per-device setting for it, so the depth is read from the device's *equipment* field
  (``asset``) when it says e.g. "profondeur 1800 mm", "hauteur : 1,6 m" or "profondeur 170 cm";
  otherwise ``DEFAULT_CONTAINER_DEPTH_MM`` (1,600 mm, a common glass or paper column).

A device measuring a distance whose name, equipment, building or site speaks of a river
("rivière", "crue", "jauge"…) is a level gauge, not a container, and is left out.

Emptying: a fall of at least ``EMPTYING_DROP`` points between two consecutive readings. The
filling trend is the least-squares slope of the readings since the last emptying (up to
``TREND_HISTORY`` back); the predicted full date is when that line reaches ``FULL_PERCENT``.
A container is to be collected today when it is full or predicted full within
``COLLECT_HORIZON``.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from clocher.iot.charts import Point, line_chart
from clocher.iot.models import Device, Measurement
from clocher.iot.reports.common import (
    PARIS,
    Chart,
    ReportDocument,
    ReportPeriod,
    Section,
    Table,
    TimedValue,
    decimal,
    least_squares_slope,
    local_datetime,
    mentions,
    place_of,
    reported_devices,
    unit_of,
)
from clocher.tenancy.models import Commune

SLUG = "conteneurs"
DISTANCE, FILL_LEVEL = "distance", "fill_level"
DEFAULT_CONTAINER_DEPTH_MM = 1600.0
FULL_PERCENT = 90.0
EMPTYING_DROP = 30.0
COLLECT_HORIZON = datetime.timedelta(days=2)
TREND_HISTORY = datetime.timedelta(days=90)
RIVER_WORDS = ("riviere", "fleuve", "ruisseau", "crue", "jauge", "cours d'eau")
MM_PER_UNIT = {"": 1.0, "mm": 1.0, "cm": 10.0, "m": 1000.0}
_DEPTH = re.compile(
    r"(?:profondeur|hauteur)\s*[:=]?\s*(?P<value>\d+(?:[.,]\d+)?)\s*(?P<unit>mm|cm|m)\b",
    re.IGNORECASE,
)


def depth_of(device: Device) -> tuple[float, bool]:
    """The container's depth in mm, and whether it was read from the device (not the default)."""
    match = _DEPTH.search(device.asset or "")
    if match:
        value = float(match["value"].replace(",", ".")) * MM_PER_UNIT[match["unit"].lower()]
        if value > 0:
            return value, True
    return DEFAULT_CONTAINER_DEPTH_MM, False


def fill_percent(distance_mm: float, depth_mm: float) -> float:
    return min(100.0, max(0.0, (depth_mm - distance_mm) / depth_mm * 100))


def containers(commune: Commune) -> list[Device]:
    return [
        device
        for device in reported_devices(commune, [DISTANCE, FILL_LEVEL])
        if not mentions(device, RIVER_WORDS)
    ]


@dataclass(frozen=True)
class Emptying:
    time: datetime.datetime
    fill_before: float


def emptyings(readings: Sequence[TimedValue]) -> list[Emptying]:
    return [
        Emptying(after[0], before[1])
        for before, after in itertools.pairwise(readings)
        if before[1] - after[1] >= EMPTYING_DROP
    ]


def since_last_emptying(readings: Sequence[TimedValue]) -> list[TimedValue]:
    start = 0
    for index in range(1, len(readings)):
        if readings[index - 1][1] - readings[index][1] >= EMPTYING_DROP:
            start = index
    return list(readings[start:])


def predicted_full(readings: Sequence[TimedValue]) -> tuple[float | None, datetime.datetime | None]:
    """Filling speed (points per day) and the moment the trend reaches ``FULL_PERCENT``, from
    the readings since the last emptying; the last reading's time when already full; no date
    when the level does not rise."""
    recent = since_last_emptying(readings)
    if recent and recent[-1][1] >= FULL_PERCENT:
        fit = least_squares_slope(recent)
        return (fit[0] * 24 if fit else None), recent[-1][0]
    fit = least_squares_slope(recent)
    if fit is None:
        return None, None
    slope, intercept = fit
    if slope <= 0:
        return slope * 24, None
    hours_to_full = (FULL_PERCENT - intercept) / slope
    moment = recent[0][0] + datetime.timedelta(hours=hours_to_full)
    return slope * 24, max(moment, recent[-1][0])


@dataclass(frozen=True)
class ContainerState:
    device: Device
    depth_mm: float
    depth_is_set: bool
    uses_fill_level: bool
    readings: list[TimedValue]  # (time, fill %) oldest first
    speed_per_day: float | None
    full_at: datetime.datetime | None
    period_emptyings: list[Emptying]

    @property
    def current(self) -> TimedValue | None:
        return self.readings[-1] if self.readings else None

    @property
    def is_full(self) -> bool:
        return self.current is not None and self.current[1] >= FULL_PERCENT

    def to_collect(self, now: datetime.datetime) -> bool:
        return self.is_full or (self.full_at is not None and self.full_at <= now + COLLECT_HORIZON)


@dataclass(frozen=True)
class ContainersReport:
    commune: Commune
    period: ReportPeriod
    now: datetime.datetime
    containers: list[ContainerState]

    @property
    def to_collect(self) -> list[ContainerState]:
        due = [state for state in self.containers if state.to_collect(self.now)]
        return sorted(due, key=lambda state: state.full_at or self.now)


def compute(commune: Commune, period: ReportPeriod, *, now: datetime.datetime) -> ContainersReport:
    devices = containers(commune)
    start = min(period.start, now - TREND_HISTORY)
    end = max(period.end, now)
    series: dict[int, list[tuple[str, datetime.datetime, float]]] = {}
    if devices:
        rows = (
            Measurement.objects.for_commune(commune)
            .filter(
                device_id__in=[device.pk for device in devices],
                quantity__in=[DISTANCE, FILL_LEVEL],
                time__gte=start,
                time__lt=end,
            )
            .order_by("device_id", "time")
            .values_list("device_id", "quantity", "time", "value")
        )
        for device_id, group in itertools.groupby(
            rows.iterator(chunk_size=5000), key=lambda row: row[0]
        ):
            series[device_id] = [(quantity, time, value) for _id, quantity, time, value in group]
    states = []
    for device in devices:
        depth, depth_is_set = depth_of(device)
        found = series.get(device.pk, [])
        uses_fill_level = any(quantity == FILL_LEVEL for quantity, _time, _value in found)
        if uses_fill_level:
            readings = [(time, value) for quantity, time, value in found if quantity == FILL_LEVEL]
        else:
            factor = MM_PER_UNIT.get(unit_of(device, DISTANCE).strip().lower(), 1.0)
            readings = [(time, fill_percent(value * factor, depth)) for _q, time, value in found]
        current = [reading for reading in readings if reading[0] <= now]
        speed, full_at = predicted_full([r for r in current if r[0] >= now - TREND_HISTORY])
        in_period = [r for r in readings if period.start <= r[0] < period.end]
        states.append(
            ContainerState(
                device,
                depth,
                depth_is_set,
                uses_fill_level,
                current,
                speed,
                full_at,
                emptyings(in_period),
            )
        )
    return ContainersReport(commune, period, now, states)


# --- The document ------------------------------------------------------------------------------


def _percent_value(value: float | None) -> str:
    return "—" if value is None else f"{decimal(value, 0)} %"


def document(report: ContainersReport, *, with_charts: bool = True) -> ReportDocument:
    due = report.to_collect
    today = report.now.astimezone(PARIS).strftime("%d/%m/%Y")
    collect = Section(
        _("À collecter aujourd'hui (%(day)s)") % {"day": today},
        is_warning=bool(due),
        paragraphs=[
            _(
                "Conteneurs pleins (%(full)s %% ou plus) ou dont le remplissage atteindra ce "
                "niveau d'ici deux jours."
            )
            % {"full": decimal(FULL_PERCENT, 0)}
        ]
        if due
        else [_("Aucun conteneur à collecter aujourd'hui.")],
        tables=[
            Table(
                _("Tournée du %(day)s") % {"day": today},
                [_("Conteneur"), _("Lieu"), _("Remplissage"), _("Plein prévu le"), _("Motif")],
                [
                    [
                        state.device.name,
                        place_of(state.device),
                        _percent_value(state.current[1] if state.current else None),
                        local_datetime(state.full_at),
                        _("plein") if state.is_full else _("plein sous deux jours"),
                    ]
                    for state in due
                ],
                numeric=frozenset({2}),
                empty_text=_("Aucun conteneur à collecter aujourd'hui."),
            )
        ]
        if due
        else [],
    )
    state_rows = []
    for state in report.containers:
        current = state.current
        state_rows.append(
            [
                state.device.name,
                place_of(state.device),
                _percent_value(current[1] if current else None),
                local_datetime(current[0] if current else None),
                "—" if state.speed_per_day is None else f"{decimal(state.speed_per_day, 1)} %/j",
                local_datetime(state.full_at),
                _("mesuré par le capteur")
                if state.uses_fill_level
                else f"{decimal(state.depth_mm, 0)} mm"
                + ("" if state.depth_is_set else " " + _("(par défaut)")),
            ]
        )
    states = Section(
        _("État des conteneurs"),
        tables=[
            Table(
                _("Remplissage et prévision"),
                [
                    _("Conteneur"),
                    _("Lieu"),
                    _("Remplissage"),
                    _("Dernière mesure"),
                    _("Vitesse de remplissage"),
                    _("Plein prévu le"),
                    _("Profondeur"),
                ],
                state_rows,
                numeric=frozenset({2, 4}),
                empty_text=_("Aucun capteur de remplissage n'est enregistré."),
            )
        ],
    )
    history_rows = []
    for state in report.containers:
        fills = [emptying.fill_before for emptying in state.period_emptyings]
        history_rows.append(
            [
                state.device.name,
                place_of(state.device),
                str(len(fills)),
                _percent_value(sum(fills) / len(fills) if fills else None),
            ]
        )
    history = Section(
        _("Collectes constatées sur la période"),
        paragraphs=[
            _(
                "Une collecte se voit à une baisse brutale du remplissage. Un remplissage moyen "
                "bas à la collecte signale une tournée qui passe trop tôt."
            )
        ],
        tables=[
            Table(
                _("Collectes par conteneur"),
                [_("Conteneur"), _("Lieu"), _("Collectes"), _("Remplissage moyen à la collecte")],
                history_rows,
                numeric=frozenset({2, 3}),
                empty_text=_("Aucun capteur de remplissage n'est enregistré."),
            )
        ],
    )
    if with_charts:
        for state in report.containers:
            points = [
                Point(time, value)
                for time, value in state.readings
                if report.period.start <= time < report.period.end
            ]
            title = _("Remplissage — %(name)s") % {"name": state.device.name}
            states.charts.append(
                Chart(
                    title,
                    line_chart(
                        points,
                        start=report.period.start,
                        end=report.period.end,
                        title=title,
                        description=_("Remplissage en pourcentage à chaque mesure de la période."),
                        unit="%",
                        chart_id=f"chart-fill-{state.device.pk}",
                    ),
                )
            )
    return ReportDocument(
        commune=report.commune,
        title=_("Conteneurs de tri"),
        period_label=report.period.label.capitalize(),
        summary=[
            _("%(count)d conteneur(s) équipé(s), %(due)d à collecter aujourd'hui.")
            % {"count": len(report.containers), "due": len(due)}
        ],
        sections=[collect, states, history],
        method=[
            _(
                "Remplissage : donné par le capteur quand il le mesure ; sinon calculé à partir "
                "de la distance entre le capteur et les déchets : (profondeur − distance) / "
                "profondeur. La profondeur est lue dans le champ « équipement » de l'objet "
                "(par exemple « profondeur 1800 mm ») ; à défaut, 1 600 mm."
            ),
            _(
                "Prévision : droite des moindres carrés sur les mesures depuis la dernière "
                "collecte (baisse d'au moins 30 points), prolongée jusqu'au remplissage de 90 %. "
                "À collecter : plein, ou plein prévu dans les deux jours."
            ),
        ],
        sources=[_("Mesures des capteurs de remplissage de la commune (Clocher, Cité IoT).")],
        filename=f"conteneurs-{report.now.astimezone(PARIS):%Y-%m-%d}.pdf",
    )
