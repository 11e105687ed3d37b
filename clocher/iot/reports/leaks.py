"""Water leak suspicion: the minimum night flow (02:00–05:00, Europe/Paris) of each water meter,
suspicious when above zero for N consecutive nights (``DEFAULT_NIGHTS``, set on the page), and
the meters' own alarms.

- The flow comes from the measurements: between two consecutive readings of a volume index
  (``volume``) the flow is the volume difference over the time between them (a lower index, a
  meter reset, is skipped); a ``volume_delta`` value is the volume since the previous reading.
  The night's minimum is the lowest flow of the intervals that overlap 02:00–05:00 and last at
  most ``MAX_NIGHT_INTERVAL`` (a meter reporting less often says nothing about the night).
  A flow rounded to 0.1 L/h counts as zero. A night without a usable interval breaks a run.
- The meters' own alarms: the Axioma Qalcosonic W1 decoder reports ``leakage``, ``burst`` and
  ``backflow`` flags in each uplink's decoded object (kept as long as raw uplinks are kept,
  ``IOT_RAW_RETENTION_DAYS``); a meter sending them as numbers (``leakage``, ``burst``
  measurements above zero, e.g. over SenML) is read too.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from clocher.iot.charts import Point, line_chart
from clocher.iot.models import Device, Measurement, Uplink
from clocher.iot.reports.common import (
    Chart,
    ReportDocument,
    ReportPeriod,
    Section,
    Table,
    decimal,
    local_date,
    local_datetime,
    longest_run,
    paris_time,
    place_of,
    reported_devices,
    unit_of,
)
from clocher.tenancy.models import Commune

SLUG = "fuites"
NIGHT_START = datetime.time(2, 0)
NIGHT_END = datetime.time(5, 0)
DEFAULT_NIGHTS = 3
MAX_NIGHT_INTERVAL = datetime.timedelta(hours=4)
INDEX_QUANTITY = "volume"
DELTA_QUANTITY = "volume_delta"
FLAG_KEYS = ("leakage", "burst", "backflow")
LITRES_PER_UNIT = {"": 1000.0, "m3": 1000.0, "m³": 1000.0, "l": 1.0, "litre": 1.0, "litres": 1.0}


def flag_label(key: str) -> str:
    return {
        "leakage": _("fuite"),
        "burst": _("rupture de canalisation"),
        "backflow": _("retour d'eau"),
    }.get(key, key)


Interval = tuple[datetime.datetime, datetime.datetime, float]  # start, end, litres


def intervals_of_index(readings: Sequence[tuple[datetime.datetime, float]], litres: float):
    """(start, end, litres) between consecutive readings of an index; resets skipped."""
    found: list[Interval] = []
    for (start, first), (end, second) in itertools.pairwise(readings):
        if end > start and second >= first:
            found.append((start, end, (second - first) * litres))
    return found


def intervals_of_deltas(readings: Sequence[tuple[datetime.datetime, float]], litres: float):
    """(start, end, litres): each delta covers the time since the previous reading."""
    found: list[Interval] = []
    for (start, _first), (end, value) in itertools.pairwise(readings):
        if end > start and value >= 0:
            found.append((start, end, value * litres))
    return found


def night_window(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    return paris_time(day, NIGHT_START), paris_time(day, NIGHT_END)


def minimum_night_flow(intervals: Sequence[Interval], day: datetime.date) -> float | None:
    """Lowest flow (L/h) of the intervals overlapping the night of ``day`` (02:00–05:00 that
    morning), rounded to 0.1 L/h; None when no interval short enough overlaps it."""
    start, end = night_window(day)
    flows = [
        litres / ((until - since).total_seconds() / 3600)
        for since, until, litres in intervals
        if since < end and until > start and until - since <= MAX_NIGHT_INTERVAL
    ]
    return round(min(flows), 1) if flows else None


@dataclass(frozen=True)
class Night:
    day: datetime.date
    minimum_flow: float | None  # L/h

    @property
    def has_flow(self) -> bool:
        return self.minimum_flow is not None and self.minimum_flow > 0


@dataclass(frozen=True)
class MeterAlarm:
    time: datetime.datetime
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class MeterNights:
    device: Device
    nights: list[Night]
    alarms: list[MeterAlarm]
    required: int

    @property
    def runs(self) -> tuple[int, int]:
        return longest_run(night.has_flow for night in self.nights)

    @property
    def is_suspected(self) -> bool:
        return self.runs[0] >= self.required

    @property
    def measured_nights(self) -> int:
        return sum(1 for night in self.nights if night.minimum_flow is not None)

    @property
    def nights_with_flow(self) -> int:
        return sum(1 for night in self.nights if night.has_flow)


@dataclass(frozen=True)
class LeaksReport:
    commune: Commune
    period: ReportPeriod
    required: int
    meters: list[MeterNights]


def nights_of(period: ReportPeriod, *, now: datetime.datetime) -> list[datetime.date]:
    """The nights of the period already over (02:00–05:00 of each day)."""
    return [day for day in period.days() if night_window(day)[1] <= now]


def compute(
    commune: Commune,
    period: ReportPeriod,
    *,
    now: datetime.datetime,
    required: int = DEFAULT_NIGHTS,
) -> LeaksReport:
    devices = list(reported_devices(commune, [INDEX_QUANTITY, DELTA_QUANTITY]))
    nights = nights_of(period, now=now)
    series: dict[tuple[int, str], list[tuple[datetime.datetime, float]]] = defaultdict(list)
    alarms: dict[int, list[MeterAlarm]] = defaultdict(list)
    if devices:
        ids = [device.pk for device in devices]
        rows = (
            Measurement.objects.for_commune(commune)
            .filter(
                device_id__in=ids,
                quantity__in=[INDEX_QUANTITY, DELTA_QUANTITY, *FLAG_KEYS],
                time__gte=period.start - MAX_NIGHT_INTERVAL,
                time__lt=period.end,
            )
            .order_by("device_id", "quantity", "time")
            .values_list("device_id", "quantity", "time", "value")
        )
        for device_id, quantity, time, value in rows.iterator(chunk_size=5000):
            if quantity in FLAG_KEYS:
                if value > 0 and period.start <= time:
                    alarms[device_id].append(MeterAlarm(time, (quantity,)))
            else:
                series[(device_id, quantity)].append((time, value))
        flagged = Q()
        for key in FLAG_KEYS:
            flagged |= Q(**{f"decoded__{key}": True})
        uplinks = (
            Uplink.objects.for_commune(commune)
            .filter(flagged, device_id__in=ids, received_at__gte=period.start)
            .filter(received_at__lt=period.end)
            .order_by("device_id", "received_at")
            .values_list("device_id", "received_at", "decoded")
        )
        for device_id, received_at, decoded in uplinks:
            kinds = tuple(key for key in FLAG_KEYS if (decoded or {}).get(key) is True)
            alarms[device_id].append(MeterAlarm(received_at, kinds))
    meters = []
    for device in devices:
        intervals: list[Interval] = []
        index = series.get((device.pk, INDEX_QUANTITY))
        if index:
            litres = LITRES_PER_UNIT.get(unit_of(device, INDEX_QUANTITY).strip().lower(), 1000.0)
            intervals += intervals_of_index(index, litres)
        deltas = series.get((device.pk, DELTA_QUANTITY))
        if deltas:
            litres = LITRES_PER_UNIT.get(unit_of(device, DELTA_QUANTITY).strip().lower(), 1000.0)
            intervals += intervals_of_deltas(deltas, litres)
        meters.append(
            MeterNights(
                device,
                [Night(day, minimum_night_flow(intervals, day)) for day in nights],
                sorted(alarms.get(device.pk, []), key=lambda alarm: alarm.time),
                required,
            )
        )
    meters.sort(key=lambda meter: (not meter.is_suspected, not meter.alarms, meter.device.name))
    return LeaksReport(commune, period, required, meters)


# --- The document ------------------------------------------------------------------------------


def document(report: LeaksReport, *, with_charts: bool = True) -> ReportDocument:
    suspected = [meter for meter in report.meters if meter.is_suspected]
    alarmed = [meter for meter in report.meters if meter.alarms]
    summary = [
        _(
            "%(meters)d compteur(s) d'eau suivi(s). Une fuite est suspectée quand le débit "
            "minimal entre 2 h et 5 h du matin reste au-dessus de zéro %(nights)d nuit(s) de "
            "suite."
        )
        % {"meters": len(report.meters), "nights": report.required}
    ]
    if not report.meters:
        summary.append(_("Aucun compteur d'eau n'est enregistré."))
    warning = Section(_("Fuites suspectées"), is_warning=bool(suspected or alarmed))
    if suspected:
        warning.paragraphs.append(
            _(
                "Ces compteurs n'ont jamais cessé de tourner la nuit pendant au moins %(nights)d "
                "nuits de suite : faire vérifier l'installation (chasse d'eau, robinet, "
                "canalisation enterrée)."
            )
            % {"nights": report.required}
        )
    else:
        warning.paragraphs.append(_("Aucune fuite suspectée d'après le débit nocturne."))
    warning.tables.append(
        Table(
            _("Débit nocturne par compteur"),
            [
                _("Compteur"),
                _("Lieu"),
                _("Nuits mesurées"),
                _("Nuits avec débit"),
                _("Plus longue série"),
                _("Série en cours"),
                _("Dernier débit nocturne minimal (L/h)"),
                _("Suspicion"),
            ],
            [
                [
                    meter.device.name,
                    place_of(meter.device),
                    f"{meter.measured_nights} / {len(meter.nights)}",
                    str(meter.nights_with_flow),
                    str(meter.runs[0]),
                    str(meter.runs[1]),
                    decimal(_last_flow(meter), 1),
                    _("Oui") if meter.is_suspected else _("Non"),
                ]
                for meter in report.meters
            ],
            numeric=frozenset({2, 3, 4, 5, 6}),
            empty_text=_("Aucun compteur d'eau n'est enregistré."),
        )
    )
    alarms_section = Section(
        _("Alarmes des compteurs"),
        paragraphs=[
            _(
                "Alarmes transmises par les compteurs eux-mêmes (fuite, rupture de canalisation, "
                "retour d'eau) pendant la période."
            )
        ],
        tables=[
            Table(
                _("Alarmes reçues"),
                [_("Compteur"), _("Lieu"), _("Reçue le"), _("Alarme")],
                [
                    [
                        meter.device.name,
                        place_of(meter.device),
                        local_datetime(alarm.time),
                        ", ".join(flag_label(kind) for kind in alarm.kinds),
                    ]
                    for meter in alarmed
                    for alarm in meter.alarms
                ],
                empty_text=_("Aucune alarme de fuite reçue pendant la période."),
            )
        ],
    )
    sections = [warning, alarms_section]
    for meter in report.meters:
        section = Section(
            _("%(name)s (%(place)s)")
            % {"name": meter.device.name, "place": place_of(meter.device)},
            tables=[
                Table(
                    _("%(name)s : débit minimal de chaque nuit") % {"name": meter.device.name},
                    [_("Nuit du"), _("Débit minimal 2 h – 5 h (L/h)")],
                    [
                        [
                            local_date(night.day - datetime.timedelta(days=1))
                            + " – "
                            + local_date(night.day),
                            decimal(night.minimum_flow, 1),
                        ]
                        for night in meter.nights
                    ],
                    numeric=frozenset({1}),
                    empty_text=_("Aucune nuit terminée sur cette période."),
                )
            ],
        )
        points = [
            Point(paris_time(night.day, datetime.time(3, 30)), night.minimum_flow)
            for night in meter.nights
            if night.minimum_flow is not None
        ]
        if with_charts and meter.nights:
            title = _("Débit nocturne minimal — %(name)s") % {"name": meter.device.name}
            section.charts.append(
                Chart(
                    title,
                    line_chart(
                        points,
                        start=report.period.start,
                        end=report.period.end,
                        title=title,
                        description=_(
                            "Un point par nuit, en litres par heure ; les mêmes chiffres sont "
                            "dans le tableau du compteur."
                        ),
                        unit="L/h",
                        chart_id=f"chart-leak-{meter.device.pk}",
                    ),
                )
            )
        sections.append(section)
    return ReportDocument(
        commune=report.commune,
        title=_("Suspicion de fuites d'eau"),
        period_label=report.period.label.capitalize(),
        summary=summary,
        sections=sections,
        method=[
            _(
                "Débit nocturne minimal : entre deux relevés consécutifs d'un compteur, le "
                "volume écoulé divisé par le temps écoulé ; pour chaque nuit, le plus faible de "
                "ces débits sur les intervalles qui recouvrent 2 h – 5 h (heure de Paris) et ne "
                "dépassent pas 4 heures. Un débit arrondi à 0,1 L/h est considéré comme nul ; "
                "une nuit sans relevé interrompt la série."
            ),
            _(
                "Alarmes : indicateurs de fuite, de rupture et de retour d'eau transmis par les "
                "compteurs (par exemple Axioma Qalcosonic W1), tant que leurs messages bruts "
                "sont conservés."
            ),
            _(
                "Les compteurs des foyers (données personnelles) ne figurent jamais dans ce "
                "rapport."
            ),
        ],
        sources=[_("Mesures et messages des compteurs d'eau de la commune (Clocher, Cité IoT).")],
        filename=f"fuites-{report.period.key}.pdf",
    )


def _last_flow(meter: MeterNights) -> float | None:
    measured = [night for night in meter.nights if night.minimum_flow is not None]
    return measured[-1].minimum_flow if measured else None
