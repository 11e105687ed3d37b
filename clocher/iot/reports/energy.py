"""Energy and water per building: a month against the same month of the previous year, from the
DAY roll-ups, with electricity normalised by heating degree-days where an outdoor temperature is
measured.

Counters (``COUNTERS``), decided from the built-in decoders and the demo:

- *indexes* (a meter's running total; consumption = last minus first): ``energy`` (kWh, SenML
  meters of the demo), ``energy_base``, ``energy_off_peak``, ``energy_peak`` (Wh, Linky through
  the Adeunis TIC decoder: BASE, HCHC, HCHP), ``volume`` (m³, the Axioma Qalcosonic W1's current
  volume and the demo's water meter). A day's consumption is its last index minus the previous
  day's last index; without a previous day (first day, or after a meter reset shown by a lower
  index) it is the day's last minus the day's minimum.
- *additive deltas* (each value is a consumption; summed): ``energy_delta`` (kWh) and
  ``volume_delta`` (m³), which the Qalcosonic's hourly deltas are meant to become.
- Pulse counters (``pulse_count_a``/``_b``) are left out: their weight (litres or Wh per pulse)
  is not recorded anywhere yet.

Values are converted to kWh and m³ from the unit the device profile declares (Wh, kWh, MWh; m³,
L). For the month under way, both months are compared over the same complete days.

Heating degree-days (DJU, base 18 °C, the "météo" formula): DJU = max(0, 18 − (Tmin + Tmax) / 2)
per day, from the day roll-ups (minimum, maximum) of an *outdoor* temperature sensor: a device
measuring ``temperature`` whose name, equipment, building or site mentions "extérieur" (or
"outdoor", "météo"). An indoor sensor would measure the heating itself, not the weather. The
sensor is taken in the same building, else the same site, else anywhere in the commune (a
village has one weather). Normalisation needs temperatures on ``DEGREE_DAY_MIN_COVERAGE`` of the
compared days in both months and some heating (DJU > 0); otherwise the page says why it is not
available. Water is not normalised: its use does not follow the heating.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from clocher.iot.charts import Point, line_chart
from clocher.iot.models import Device, Rollup, RollupPeriod
from clocher.iot.reports.common import (
    PARIS,
    Chart,
    ReportDocument,
    ReportPeriod,
    Section,
    Table,
    decimal,
    mentions,
    paris_midnight,
    paris_time,
    percent,
    place_of,
    reported_devices,
    unit_of,
)
from clocher.tenancy.models import Commune

SLUG = "energie-eau"
INDEX, DELTA = "index", "delta"
ELECTRICITY, WATER = "electricity", "water"
COUNTERS: dict[str, tuple[str, str]] = {
    "energy": (ELECTRICITY, INDEX),
    "energy_base": (ELECTRICITY, INDEX),
    "energy_off_peak": (ELECTRICITY, INDEX),
    "energy_peak": (ELECTRICITY, INDEX),
    "volume": (WATER, INDEX),
    "energy_delta": (ELECTRICITY, DELTA),
    "volume_delta": (WATER, DELTA),
}
UNIT_FACTORS: dict[str, dict[str, float]] = {
    ELECTRICITY: {"": 1.0, "kwh": 1.0, "wh": 0.001, "mwh": 1000.0},
    WATER: {"": 1.0, "m3": 1.0, "m³": 1.0, "l": 0.001, "litre": 0.001, "litres": 0.001},
}
FAMILY_ORDER = (ELECTRICITY, WATER)
DEGREE_DAY_BASE = 18.0
DEGREE_DAY_MIN_COVERAGE = 0.9
OUTDOOR_WORDS = ("exterieur", "exterieure", "exterieurs", "outdoor", "meteo")
TEMPERATURE = "temperature"


def family_label(family: str) -> str:
    return _("Électricité (kWh)") if family == ELECTRICITY else _("Eau (m³)")


def degree_days(minimum: float, maximum: float, base: float = DEGREE_DAY_BASE) -> float:
    """DJU of one day: max(0, base − (Tmin + Tmax) / 2)."""
    return max(0.0, base - (minimum + maximum) / 2)


@dataclass(frozen=True)
class DayRollup:
    day: datetime.date
    minimum: float
    maximum: float
    total: float
    last: float


def daily_consumption(
    days: Sequence[DayRollup], kind: str, *, baseline: float | None = None
) -> dict[datetime.date, float]:
    """Consumption per day from a counter's day roll-ups (oldest first): the sum of a delta's
    values, or the growth of an index since the previous day's last value (``baseline`` for the
    first day), the day's own range after a reset or without a previous day."""
    found: dict[datetime.date, float] = {}
    previous = baseline
    for rollup in days:
        if kind == DELTA:
            found[rollup.day] = rollup.total
            continue
        if previous is not None and rollup.last >= previous:
            found[rollup.day] = rollup.last - previous
        else:
            found[rollup.day] = max(0.0, rollup.last - rollup.minimum)
        previous = rollup.last
    return found


@dataclass(frozen=True)
class ComparedDays:
    """The days of the month and of the same month last year that are compared."""

    current: list[datetime.date]
    previous: list[datetime.date]
    is_partial: bool


def compared_days(period: ReportPeriod, *, today: datetime.date) -> ComparedDays:
    """All the month's days, or for the month under way its complete days (before ``today``);
    last year over the same days of the month."""
    current = [day for day in period.days() if day < today]
    last_year = period.same_month_last_year()
    previous = [day for day in last_year.days() if day.day <= len(current)]
    if len(current) == len(period.days()):
        previous = last_year.days()
    return ComparedDays(current, previous, len(current) < len(period.days()))


@dataclass
class Consumption:
    current: float = 0.0
    previous: float = 0.0
    current_days: set[datetime.date] = field(default_factory=set)
    previous_days: set[datetime.date] = field(default_factory=set)
    daily: dict[datetime.date, float] = field(default_factory=dict)

    @property
    def variation(self) -> float | None:
        if not self.previous_days or not self.current_days or self.previous == 0:
            return None
        return self.current / self.previous - 1


@dataclass(frozen=True)
class DegreeDays:
    sensor: Device | None
    current: float
    previous: float
    current_days: int
    previous_days: int
    compared: ComparedDays

    @property
    def unavailable_reason(self) -> str:
        """Empty when the normalisation is possible, else why not (French)."""
        if self.sensor is None:
            return _(
                "Non disponible : aucun capteur de température extérieure (un objet mesurant la "
                "température dont le nom, l'équipement, le bâtiment ou le site contient "
                "« extérieur »)."
            )
        wanted_current = len(self.compared.current) * DEGREE_DAY_MIN_COVERAGE
        wanted_previous = len(self.compared.previous) * DEGREE_DAY_MIN_COVERAGE
        if self.current_days < wanted_current or self.previous_days < wanted_previous:
            return _(
                "Non disponible : températures incomplètes (%(current)d jours sur %(of_current)d "
                "cette année, %(previous)d sur %(of_previous)d l'an dernier)."
            ) % {
                "current": self.current_days,
                "of_current": len(self.compared.current),
                "previous": self.previous_days,
                "of_previous": len(self.compared.previous),
            }
        if self.current <= 0 or self.previous <= 0:
            return _(
                "Non disponible : pas de besoin de chauffage sur l'un des deux mois (DJU nul)."
            )
        return ""


@dataclass(frozen=True)
class PlaceEnergy:
    place: str
    families: dict[str, Consumption]
    degree_days: DegreeDays

    def corrected_variation(self, family: str) -> float | None:
        """Variation of the consumption per degree-day (electricity only)."""
        consumption = self.families.get(family)
        if family != ELECTRICITY or consumption is None or self.degree_days.unavailable_reason:
            return None
        if consumption.previous == 0 or not consumption.current_days:
            return None
        current = consumption.current / self.degree_days.current
        previous = consumption.previous / self.degree_days.previous
        return current / previous - 1


@dataclass(frozen=True)
class MeterEnergy:
    device: Device
    quantity: str
    consumption: Consumption


@dataclass(frozen=True)
class EnergyReport:
    commune: Commune
    period: ReportPeriod
    compared: ComparedDays
    places: list[PlaceEnergy]
    meters: list[MeterEnergy]


def _day_rollups(
    commune: Commune, devices: Sequence[Device], quantities: Sequence[str], days: ComparedDays
) -> dict[tuple[int, str], list[DayRollup]]:
    """Day roll-ups of ``quantities`` over both compared ranges (and the day before each, the
    baseline of an index): one query."""
    ranges = Q()
    for compared in (days.current, days.previous):
        if compared:
            first = compared[0] - datetime.timedelta(days=1)
            last = compared[-1] + datetime.timedelta(days=1)
            ranges |= Q(start__gte=paris_midnight(first), start__lt=paris_midnight(last))
    found: dict[tuple[int, str], list[DayRollup]] = defaultdict(list)
    if not devices or not ranges:
        return found
    rows = (
        Rollup.objects.for_commune(commune)
        .filter(ranges, device_id__in=[d.pk for d in devices], quantity__in=list(quantities))
        .filter(period=RollupPeriod.DAY)
        .order_by("device_id", "quantity", "start")
        .values_list("device_id", "quantity", "start", "minimum", "maximum", "total", "last")
    )
    for device_id, quantity, start, minimum, maximum, total, last in rows:
        day = start.astimezone(PARIS).date()
        found[(device_id, quantity)].append(DayRollup(day, minimum, maximum, total, last))
    return found


def _consumption(
    rollups: list[DayRollup], kind: str, factor: float, compared: ComparedDays
) -> Consumption:
    result = Consumption()
    for days, is_current in ((compared.current, True), (compared.previous, False)):
        if not days:
            continue
        wanted = set(days)
        baseline_day = days[0] - datetime.timedelta(days=1)
        baseline = next((r.last for r in rollups if r.day == baseline_day), None)
        inside = [rollup for rollup in rollups if rollup.day in wanted]
        for day, value in daily_consumption(inside, kind, baseline=baseline).items():
            if is_current:
                result.current += value * factor
                result.current_days.add(day)
                result.daily[day] = result.daily.get(day, 0.0) + value * factor
            else:
                result.previous += value * factor
                result.previous_days.add(day)
    return result


def _merge(into: Consumption, other: Consumption) -> None:
    into.current += other.current
    into.previous += other.previous
    into.current_days |= other.current_days
    into.previous_days |= other.previous_days
    for day, value in other.daily.items():
        into.daily[day] = into.daily.get(day, 0.0) + value


def outdoor_sensors(commune: Commune) -> list[Device]:
    return [
        device
        for device in reported_devices(commune, [TEMPERATURE])
        if mentions(device, OUTDOOR_WORDS)
    ]


def sensor_for(place_devices: Sequence[Device], sensors: Sequence[Device]) -> Device | None:
    """The outdoor sensor of the place's building, else of its site, else the commune's."""
    buildings = {device.building for device in place_devices if device.building}
    sites = {device.site for device in place_devices if device.site}
    for matches in (
        lambda sensor: sensor.building in buildings,
        lambda sensor: sensor.site in sites,
        lambda sensor: True,
    ):
        for sensor in sensors:
            if matches(sensor):
                return sensor
    return None


def _degree_days(
    sensor: Device | None, rollups: dict[tuple[int, str], list[DayRollup]], days: ComparedDays
) -> DegreeDays:
    if sensor is None:
        return DegreeDays(None, 0.0, 0.0, 0, 0, days)
    by_day = {rollup.day: rollup for rollup in rollups.get((sensor.pk, TEMPERATURE), [])}
    totals = []
    for compared in (days.current, days.previous):
        measured = [by_day[day] for day in compared if day in by_day]
        totals.append((sum(degree_days(r.minimum, r.maximum) for r in measured), len(measured)))
    return DegreeDays(sensor, totals[0][0], totals[1][0], totals[0][1], totals[1][1], days)


def compute(commune: Commune, period: ReportPeriod, *, now: datetime.datetime) -> EnergyReport:
    compared = compared_days(period, today=now.astimezone(PARIS).date())
    devices = list(reported_devices(commune, COUNTERS))
    sensors = outdoor_sensors(commune)
    rollups = _day_rollups(commune, [*devices, *sensors], [*COUNTERS, TEMPERATURE], compared)
    meters: list[MeterEnergy] = []
    by_place: dict[str, dict[str, Consumption]] = defaultdict(dict)
    place_devices: dict[str, list[Device]] = defaultdict(list)
    for device in devices:
        has_data = False
        for quantity, (family, kind) in COUNTERS.items():
            series = rollups.get((device.pk, quantity))
            if not series:
                continue
            unit = unit_of(device, quantity).strip().lower()
            factor = UNIT_FACTORS[family].get(unit)
            if factor is None:
                continue
            consumption = _consumption(series, kind, factor, compared)
            if not consumption.current_days and not consumption.previous_days:
                continue
            has_data = True
            meters.append(MeterEnergy(device, quantity, consumption))
            _merge(by_place[place_of(device)].setdefault(family, Consumption()), consumption)
        if has_data:
            place_devices[place_of(device)].append(device)
    places = [
        PlaceEnergy(
            place,
            {family: families[family] for family in FAMILY_ORDER if family in families},
            _degree_days(sensor_for(place_devices[place], sensors), rollups, compared),
        )
        for place, families in sorted(by_place.items())
    ]
    return EnergyReport(commune, period, compared, places, meters)


# --- The document ------------------------------------------------------------------------------


def _variation(value: float | None) -> str:
    if value is None:
        return "—"
    sign = "+" if value > 0 else ""
    return f"{sign}{percent(value)}"


def document(report: EnergyReport, *, with_charts: bool = True) -> ReportDocument:
    period = report.period
    last_year = period.same_month_last_year()
    compared = report.compared
    summary = []
    if not compared.current:
        summary.append(_("Le mois commence aujourd'hui : aucune journée complète à comparer."))
    elif compared.is_partial:
        summary.append(
            _(
                "Mois en cours : les %(days)d premiers jours complets sont comparés aux mêmes "
                "jours de %(last)s."
            )
            % {"days": len(compared.current), "last": last_year.label}
        )
    else:
        summary.append(_("Le mois entier est comparé à %(last)s.") % {"last": last_year.label})
    if not report.places:
        summary.append(_("Aucun compteur d'énergie ou d'eau n'a de mesures sur ces périodes."))
    current_heading = period.label
    previous_heading = last_year.label
    consumption_rows = []
    for place in report.places:
        for family, consumption in place.families.items():
            consumption_rows.append(
                [
                    place.place,
                    family_label(family),
                    decimal(consumption.current if consumption.current_days else None, 1),
                    decimal(consumption.previous if consumption.previous_days else None, 1),
                    _variation(consumption.variation),
                    f"{len(consumption.current_days)} / {len(consumption.previous_days)}",
                    _variation(place.corrected_variation(family))
                    if family == ELECTRICITY
                    else _("sans objet"),
                ]
            )
    consumption_section = Section(
        _("Consommations"),
        tables=[
            Table(
                _("Consommation par lieu : %(current)s et %(previous)s")
                % {"current": current_heading, "previous": previous_heading},
                [
                    _("Lieu"),
                    _("Grandeur"),
                    current_heading.capitalize(),
                    previous_heading.capitalize(),
                    _("Écart"),
                    _("Jours mesurés (cette année / l'an dernier)"),
                    _("Écart corrigé du climat"),
                ],
                consumption_rows,
                numeric=frozenset({2, 3, 4, 5, 6}),
                empty_text=_("Aucun compteur d'énergie ou d'eau n'a de mesures sur ces périodes."),
            )
        ],
    )
    degree_rows = [
        [
            place.place,
            place.degree_days.sensor.name if place.degree_days.sensor else "—",
            decimal(place.degree_days.current if place.degree_days.current_days else None, 1),
            decimal(place.degree_days.previous if place.degree_days.previous_days else None, 1),
            place.degree_days.unavailable_reason or _("Disponible"),
        ]
        for place in report.places
    ]
    degree_section = Section(
        _("Degrés-jours de chauffage (base 18 °C)"),
        paragraphs=[
            _(
                "L'écart corrigé du climat compare la consommation d'électricité par degré-jour "
                "des deux mois : un mois plus froid demande plus de chauffage."
            )
        ],
        tables=[
            Table(
                _("Degrés-jours par lieu"),
                [
                    _("Lieu"),
                    _("Capteur de température extérieure"),
                    _("DJU %(period)s") % {"period": current_heading},
                    _("DJU %(period)s") % {"period": previous_heading},
                    _("Normalisation"),
                ],
                degree_rows,
                numeric=frozenset({2, 3}),
                col_widths=(2.5, 3, 1.5, 1.5, 5),
            )
        ],
    )
    meter_section = Section(
        _("Détail par compteur"),
        tables=[
            Table(
                _("Consommation par compteur"),
                [
                    _("Compteur"),
                    _("Lieu"),
                    _("Grandeur mesurée"),
                    current_heading.capitalize(),
                    previous_heading.capitalize(),
                ],
                [
                    [
                        meter.device.name,
                        place_of(meter.device),
                        f"{meter.quantity} ({family_label(COUNTERS[meter.quantity][0])})",
                        decimal(meter.consumption.current, 1)
                        if meter.consumption.current_days
                        else "—",
                        decimal(meter.consumption.previous, 1)
                        if meter.consumption.previous_days
                        else "—",
                    ]
                    for meter in report.meters
                ],
                numeric=frozenset({3, 4}),
            )
        ],
    )
    if with_charts:
        for place in report.places:
            for family, consumption in place.families.items():
                if not consumption.daily:
                    continue
                title = _("Consommation par jour — %(place)s, %(family)s") % {
                    "place": place.place,
                    "family": family_label(family),
                }
                consumption_section.charts.append(
                    Chart(
                        title,
                        line_chart(
                            [
                                Point(paris_time(day, datetime.time(12)), value)
                                for day, value in sorted(consumption.daily.items())
                            ],
                            start=period.start,
                            end=period.end,
                            title=title,
                            description=_(
                                "Un point par jour du mois ; les totaux sont dans le tableau "
                                "des consommations."
                            ),
                            unit=family_label(family),
                            chart_id=f"chart-energy-{len(consumption_section.charts)}",
                        ),
                    )
                )
    return ReportDocument(
        commune=report.commune,
        title=_("Énergie et eau par bâtiment"),
        period_label=_("%(current)s comparé à %(previous)s")
        % {"current": period.label.capitalize(), "previous": last_year.label},
        summary=summary,
        sections=[consumption_section, degree_section, meter_section],
        method=[
            _(
                "Consommations calculées à partir des relevés journaliers des compteurs : pour "
                "un index (compteur d'eau, index Linky), la différence entre le dernier index du "
                "jour et celui de la veille ; pour un volume ou une énergie transmis par "
                "période, leur somme. Les compteurs à impulsions ne sont pas comptés tant que "
                "le poids d'une impulsion n'est pas connu."
            ),
            _(
                "Degrés-jours unifiés (DJU), base 18 °C : pour chaque jour, 18 moins la moyenne "
                "des températures minimale et maximale extérieures, s'il est positif. Seul un "
                "capteur de température extérieure convient (nom, équipement, bâtiment ou site "
                "contenant « extérieur ») : celui du bâtiment, sinon du site, sinon de la "
                "commune. La normalisation demande des températures sur au moins 90 % des jours "
                "des deux mois. L'eau n'est pas corrigée du climat."
            ),
            _(
                "Les compteurs des foyers (données personnelles) ne figurent jamais dans ce "
                "rapport."
            ),
        ],
        sources=[
            _(
                "Degrés-jours : formule dite « météo », DJU = max(0 ; 18 − (Tmin + Tmax) / 2), "
                "base 18 °C, en usage pour le suivi des consommations de chauffage."
            ),
            _("Mesures des compteurs et capteurs de la commune (Clocher, Cité IoT)."),
        ],
        filename=f"energie-eau-{period.key}.pdf",
        landscape=True,
    )
