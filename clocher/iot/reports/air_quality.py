"""School air quality: for each classroom (a device measuring CO2) and each school day, the share
of the occupied time spent above 800 ppm and above 1,500 ppm of CO2, and the classrooms to
ventilate now.

Where the thresholds come from (checked with public copies of the texts, see below):

- Décret n° 2022-1689 du 27 décembre 2022 (code de l'environnement, art. R221-30 and following):
  the compulsory monitoring of indoor air quality in certain ERP now includes a yearly
  evaluation of the means of ventilation *including a direct-reading measurement of the CO2
  concentration*; in force on 1 January 2023. Décret n° 2022-1690 of the same day amends
  décret n° 2012-14 accordingly (schools, nurseries, leisure centres).
- Arrêté du 27 décembre 2022 fixant les conditions de réalisation de la mesure à lecture directe
  de la concentration en dioxyde de carbone dans l'air intérieur au titre de l'évaluation
  annuelle des moyens d'aération, article 4: below 800 ppm of CO2 the renewal of air of an
  occupied room is satisfactory, exceeding it calls for actions to get back to a satisfactory
  renewal; above 1,500 ppm the renewal of air is insufficient (and calls for action quickly).
- Haut Conseil de la santé publique, avis du 28 avril 2021: act on ventilation when CO2 exceeds
  800 ppm (the "good ventilation" reference used since).

Confirmed: the decree's number, date and object (Légifrance notice), the arrêté's title and its
article 1 (measuring device), the 800 ppm wording of article 4 and the "1,500 ppm = insufficient
renewal" wording (quoted from the JORF text in a public copy), the HCSP 800 ppm recommendation
(quoted by secondary sources). Not confirmed from the official text itself: the exact sentence
of article 4 on what must follow a value above 1,500 ppm (the page says "action needed without
delay", not a quotation). The older "indice de confinement" (ICONE, décret 2012-14 of 2012) used
1,000 and 1,700 ppm; it is not what this report computes.

Method: occupied time is the school timetable (``SCHOOL_HOURS``: Monday, Tuesday, Thursday and
Friday 08:30–16:30, Wednesday morning 08:30–12:00, Europe/Paris), without weekends and French
public holidays; school holidays are not known to Clocher yet and count as school days (their
rows show an empty classroom). The shares come from the measurements themselves (not the
roll-ups), time-weighted: each reading holds until the next one, at most
``HOLD_FACTOR`` × the device's expected interval; a longer gap is unmeasured time, left out of
the shares and shown as a lower coverage.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clocher.iot.charts import Point, line_chart
from clocher.iot.dashboards import last_values
from clocher.iot.models import Device, Measurement
from clocher.iot.reports.common import (
    Chart,
    ReportDocument,
    ReportPeriod,
    Section,
    Table,
    Window,
    decimal,
    exposure_in_windows,
    hours,
    is_public_holiday,
    local_date,
    local_datetime,
    paris_time,
    percent,
    place_of,
    reported_devices,
)
from clocher.tenancy.models import Commune

SLUG = "qualite-air"
QUANTITY = "co2"
CO2_GOOD_VENTILATION = 800.0
CO2_ACTION_NEEDED = 1500.0
THRESHOLDS = (CO2_GOOD_VENTILATION, CO2_ACTION_NEEDED)
SCHOOL_DAY_START = datetime.time(8, 30)
SCHOOL_DAY_END = datetime.time(16, 30)
WEDNESDAY_END = datetime.time(12, 0)
# Weekday (Monday = 0) → occupied hours. Saturday and Sunday: no school.
SCHOOL_HOURS: dict[int, tuple[datetime.time, datetime.time]] = {
    0: (SCHOOL_DAY_START, SCHOOL_DAY_END),
    1: (SCHOOL_DAY_START, SCHOOL_DAY_END),
    2: (SCHOOL_DAY_START, WEDNESDAY_END),
    3: (SCHOOL_DAY_START, SCHOOL_DAY_END),
    4: (SCHOOL_DAY_START, SCHOOL_DAY_END),
}
HOLD_FACTOR = 3
# "Ventilate now": the latest value must be recent, as for a device's status (3× its interval).
RECENT_FACTOR = 3

SOURCES = [
    gettext_lazy(
        "Décret n° 2022-1689 du 27 décembre 2022 modifiant le code de l'environnement en matière "
        "de surveillance de la qualité de l'air intérieur (évaluation annuelle des moyens "
        "d'aération incluant la mesure à lecture directe du dioxyde de carbone), "
        "JORF du 29 décembre 2022."
    ),
    gettext_lazy(
        "Décret n° 2022-1690 du 27 décembre 2022 modifiant le décret n° 2012-14 du 5 janvier 2012 "
        "relatif à l'évaluation des moyens d'aération et à la mesure des polluants."
    ),
    gettext_lazy(
        "Arrêté du 27 décembre 2022 fixant les conditions de réalisation de la mesure à lecture "
        "directe de la concentration en dioxyde de carbone dans l'air intérieur au titre de "
        "l'évaluation annuelle des moyens d'aération, article 4 : moins de 800 ppm, renouvellement "
        "de l'air satisfaisant ; au-delà, des actions sont nécessaires ; plus de 1 500 ppm, "
        "renouvellement de l'air insuffisant."
    ),
    gettext_lazy(
        "Haut Conseil de la santé publique, avis du 28 avril 2021 : agir sur l'aération au-delà "
        "de 800 ppm de CO2."
    ),
]


@dataclass(frozen=True)
class SchoolDay:
    day: datetime.date
    window: Window

    @property
    def occupied_seconds(self) -> float:
        return (self.window[1] - self.window[0]).total_seconds()


def school_days(period: ReportPeriod, *, now: datetime.datetime | None = None) -> list[SchoolDay]:
    """The period's school days with their occupied window, none after ``now`` (a day under
    way is cut at ``now``)."""
    found = []
    for day in period.days():
        hours_of_day = SCHOOL_HOURS.get(day.weekday())
        if hours_of_day is None or is_public_holiday(day):
            continue
        start, end = paris_time(day, hours_of_day[0]), paris_time(day, hours_of_day[1])
        if now is not None:
            if start >= now:
                continue
            end = min(end, now)
        found.append(SchoolDay(day, (start, end)))
    return found


@dataclass(frozen=True)
class DayExposure:
    day: datetime.date
    occupied_seconds: float
    covered_seconds: float
    above_good_seconds: float
    above_action_seconds: float
    maximum: float | None

    @property
    def coverage(self) -> float | None:
        return self.covered_seconds / self.occupied_seconds if self.occupied_seconds else None

    @property
    def share_above_good(self) -> float | None:
        return self.above_good_seconds / self.covered_seconds if self.covered_seconds else None

    @property
    def share_above_action(self) -> float | None:
        return self.above_action_seconds / self.covered_seconds if self.covered_seconds else None


@dataclass(frozen=True)
class ClassroomExposure:
    device: Device
    days: list[DayExposure]

    @property
    def place(self) -> str:
        return place_of(self.device)

    def _total(self, name: str) -> float:
        return sum(getattr(day, name) for day in self.days)

    @property
    def measured_days(self) -> int:
        return sum(1 for day in self.days if day.covered_seconds > 0)

    @property
    def total(self) -> DayExposure:
        maxima = [day.maximum for day in self.days if day.maximum is not None]
        return DayExposure(
            self.days[0].day if self.days else datetime.date.min,
            self._total("occupied_seconds"),
            self._total("covered_seconds"),
            self._total("above_good_seconds"),
            self._total("above_action_seconds"),
            max(maxima) if maxima else None,
        )


@dataclass(frozen=True)
class LatestValue:
    device: Device
    value: float
    time: datetime.datetime


@dataclass(frozen=True)
class AirQualityReport:
    commune: Commune
    period: ReportPeriod
    place: str
    school_days: list[SchoolDay]
    classrooms: list[ClassroomExposure]
    ventilate_now: list[LatestValue]


def places(commune: Commune) -> list[str]:
    """The buildings (or sites) where a CO2 sensor is, for the page's filter."""
    return sorted({place_of(device) for device in reported_devices(commune, [QUANTITY])})


def classrooms(commune: Commune, place: str = "") -> list[Device]:
    devices = reported_devices(commune, [QUANTITY])
    if place:
        devices = devices.filter(Q(building=place) | Q(building="", site=place))
    return list(devices)


def exposures(
    commune: Commune,
    devices: Sequence[Device],
    days: Sequence[SchoolDay],
) -> list[ClassroomExposure]:
    """Each classroom's exposure per school day, from one query on the CO2 measurements."""
    if not devices:
        return []
    windows = [day.window for day in days]
    holds = {
        device.pk: datetime.timedelta(minutes=HOLD_FACTOR * device.expected_interval_minutes)
        for device in devices
    }
    readings: dict[int, list[tuple[datetime.datetime, float]]] = {}
    if windows:
        start = windows[0][0] - max(holds.values())
        rows = (
            Measurement.objects.for_commune(commune)
            .filter(
                device_id__in=list(holds),
                quantity=QUANTITY,
                time__gte=start,
                time__lt=windows[-1][1],
            )
            .order_by("device_id", "time")
            .values_list("device_id", "time", "value")
        )
        for device_id, group in itertools.groupby(
            rows.iterator(chunk_size=5000), key=lambda row: row[0]
        ):
            readings[device_id] = [(time, value) for _id, time, value in group]
    result = []
    for device in devices:
        found = exposure_in_windows(
            readings.get(device.pk, []), windows, THRESHOLDS, max_hold=holds[device.pk]
        )
        result.append(
            ClassroomExposure(
                device,
                [
                    DayExposure(
                        day.day,
                        day.occupied_seconds,
                        exposure.covered,
                        exposure.above[CO2_GOOD_VENTILATION],
                        exposure.above[CO2_ACTION_NEEDED],
                        exposure.maximum,
                    )
                    for day, exposure in zip(days, found, strict=True)
                ],
            )
        )
    return result


def classrooms_to_ventilate(
    commune: Commune, devices: Sequence[Device], *, now: datetime.datetime
) -> list[LatestValue]:
    """ "Aérer maintenant": the classrooms whose latest CO2 value, recent enough to describe the
    room now, is above 1,500 ppm; one query whatever the number of classrooms.

    The one place to swap for the alerts' own list (``selectors_alerts.open_alerts``) once the
    CO2 alert rules exist."""
    latest = last_values(commune, devices)
    found = []
    for device in devices:
        allowed = datetime.timedelta(minutes=RECENT_FACTOR * device.expected_interval_minutes)
        for value in latest.get(device.pk, []):
            if (
                value.quantity == QUANTITY
                and value.value > CO2_ACTION_NEEDED
                and now - value.time <= allowed
            ):
                found.append(LatestValue(device, value.value, value.time))
    return sorted(found, key=lambda item: -item.value)


def compute(
    commune: Commune, period: ReportPeriod, *, now: datetime.datetime, place: str = ""
) -> AirQualityReport:
    devices = classrooms(commune, place)
    days = school_days(period, now=now)
    return AirQualityReport(
        commune=commune,
        period=period,
        place=place,
        school_days=days,
        classrooms=exposures(commune, devices, days),
        ventilate_now=classrooms_to_ventilate(commune, devices, now=now),
    )


# --- The document ------------------------------------------------------------------------------


def _share_chart(classroom: ClassroomExposure, period: ReportPeriod) -> Chart:
    points = [
        Point(paris_time(day.day, datetime.time(12)), (day.share_above_good or 0.0) * 100)
        for day in classroom.days
        if day.covered_seconds > 0
    ]
    title = _("Part du temps d'occupation au-dessus de 800 ppm — %(name)s") % {
        "name": classroom.device.name
    }
    svg = line_chart(
        points,
        start=period.start,
        end=period.end,
        title=title,
        description=_(
            "Un point par jour d'école mesuré, en pourcentage du temps d'occupation mesuré ; "
            "les mêmes chiffres sont dans le tableau de la salle."
        ),
        unit="%",
        chart_id=f"chart-co2-{classroom.device.pk}",
    )
    return Chart(title, svg)


def document(report: AirQualityReport, *, with_charts: bool = True) -> ReportDocument:
    commune_classrooms = report.classrooms
    summary = [
        _(
            "%(rooms)d salle(s) suivie(s), %(days)d jour(s) d'école sur la période "
            "(lundi, mardi, jeudi et vendredi de 8 h 30 à 16 h 30, mercredi de 8 h 30 à 12 h, "
            "hors jours fériés)."
        )
        % {"rooms": len(commune_classrooms), "days": len(report.school_days)}
    ]
    covered = sum(room.total.covered_seconds for room in commune_classrooms)
    if covered:
        good = sum(room.total.above_good_seconds for room in commune_classrooms) / covered
        action = sum(room.total.above_action_seconds for room in commune_classrooms) / covered
        summary.append(
            _(
                "Sur l'ensemble du temps d'occupation mesuré, l'air a dépassé 800 ppm de CO2 "
                "pendant %(good)s du temps et 1 500 ppm pendant %(action)s du temps."
            )
            % {"good": percent(good), "action": percent(action)}
        )
    elif commune_classrooms:
        summary.append(_("Aucune mesure de CO2 pendant le temps d'occupation de la période."))
    else:
        summary.append(_("Aucun capteur de CO2 n'est enregistré pour ce choix."))

    now_section = Section(_("Aérer maintenant"), is_warning=bool(report.ventilate_now))
    if report.ventilate_now:
        now_section.paragraphs.append(
            _(
                "Ces salles dépassent 1 500 ppm de CO2 à la dernière mesure : ouvrir les fenêtres "
                "en grand, quelques minutes, sans attendre."
            )
        )
        now_section.tables.append(
            Table(
                _("Salles à aérer maintenant"),
                [_("Salle"), _("Lieu"), _("CO2 (ppm)"), _("Mesuré le")],
                [
                    [
                        item.device.name,
                        place_of(item.device),
                        decimal(item.value, 0),
                        local_datetime(item.time),
                    ]
                    for item in report.ventilate_now
                ],
                numeric=frozenset({2}),
            )
        )
    else:
        now_section.paragraphs.append(
            _("Aucune salle ne dépasse 1 500 ppm de CO2 à sa dernière mesure récente.")
        )

    synthesis = Section(
        _("Synthèse par salle"),
        tables=[
            Table(
                _("Part du temps d'occupation mesuré au-dessus des seuils, par salle"),
                [
                    _("Salle"),
                    _("Lieu"),
                    _("Jours mesurés"),
                    _("Temps mesuré (h)"),
                    _("Couverture"),
                    _("> 800 ppm"),
                    _("> 1 500 ppm"),
                    _("CO2 max (ppm)"),
                ],
                [
                    [
                        room.device.name,
                        room.place,
                        f"{room.measured_days} / {len(room.days)}",
                        hours(room.total.covered_seconds),
                        percent(room.total.coverage, 0),
                        percent(room.total.share_above_good),
                        percent(room.total.share_above_action),
                        decimal(room.total.maximum, 0),
                    ]
                    for room in commune_classrooms
                ],
                numeric=frozenset({2, 3, 4, 5, 6, 7}),
                empty_text=_("Aucun capteur de CO2 n'est enregistré pour ce choix."),
                col_widths=(3.2, 2.4, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2),
            )
        ],
    )
    sections = [now_section, synthesis]
    for room in commune_classrooms:
        section = Section(
            _("%(name)s (%(place)s)") % {"name": room.device.name, "place": room.place},
            tables=[
                Table(
                    _("%(name)s : jours d'école") % {"name": room.device.name},
                    [
                        _("Jour"),
                        _("Temps mesuré (h)"),
                        _("Couverture"),
                        _("> 800 ppm"),
                        _("> 1 500 ppm"),
                        _("CO2 max (ppm)"),
                    ],
                    [
                        [
                            local_date(day.day),
                            hours(day.covered_seconds),
                            percent(day.coverage, 0),
                            percent(day.share_above_good),
                            percent(day.share_above_action),
                            decimal(day.maximum, 0),
                        ]
                        for day in room.days
                    ],
                    numeric=frozenset({1, 2, 3, 4, 5}),
                    empty_text=_("Aucun jour d'école sur cette période."),
                )
            ],
        )
        if with_charts and room.days:
            section.charts.append(_share_chart(room, report.period))
        sections.append(section)
    title = _("Qualité de l'air dans les écoles")
    return ReportDocument(
        commune=report.commune,
        title=title,
        period_label=report.period.label.capitalize()
        + (f" — {report.place}" if report.place else ""),
        summary=summary,
        sections=sections,
        method=[
            _(
                "Seuils : 800 ppm de CO2, au-delà duquel le renouvellement de l'air n'est plus "
                "satisfaisant et des actions d'aération sont nécessaires ; 1 500 ppm, au-delà "
                "duquel le renouvellement de l'air est insuffisant et appelle une action sans "
                "délai (arrêté du 27 décembre 2022, article 4 ; avis du HCSP du 28 avril 2021)."
            ),
            _(
                "Temps d'occupation : jours d'école (lundi, mardi, jeudi, vendredi de 8 h 30 à "
                "16 h 30 ; mercredi de 8 h 30 à 12 h ; heure de Paris), hors week-ends et jours "
                "fériés. Les vacances scolaires ne sont pas connues de Clocher : ces jours-là, "
                "la salle vide apparaît avec un air sain."
            ),
            _(
                "Calcul : à partir de chaque mesure (et non de moyennes), pondéré par le temps ; "
                "une mesure vaut jusqu'à la suivante, au plus trois fois l'intervalle d'émission "
                "prévu du capteur. Au-delà, le temps n'est pas mesuré : il est exclu des parts "
                "et fait baisser la couverture."
            ),
            _(
                "« Aérer maintenant » : salles dont la dernière mesure, datant de moins de trois "
                "intervalles d'émission, dépasse 1 500 ppm."
            ),
        ],
        sources=[str(source) for source in SOURCES],
        filename=f"qualite-air-{report.period.key}.pdf",
    )
