"""What schedules need to know about a day in a commune: sunrise and sunset, public holidays,
school holidays. Nothing here reaches the network.

- Sun times: the ``astral`` package (NOAA algorithm) for the commune's coordinates
  (``Commune.latitude``/``longitude``), else the mean position of the schedule's devices.
- Public holidays: the ``holidays`` package, with the Alsace-Moselle (57, 67, 68) and overseas
  départements' own days, chosen from the commune's INSEE code.
- School holidays of the commune's zone (``ControlSettings.school_zone``): the periods imported
  from the Éducation nationale's file (``SchoolHolidayPeriod``, see ``school_holidays_import``)
  when the table holds that school year for the zone; otherwise, for zones A, B and C up to the
  school year 2027-2028, the calendar the ``holidays`` package ships (it cites the arrêtés fixing
  those years). Beyond that, the calendar is unknown: the day counts as a school day, and the
  schedule page says so.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from astral import Observer
from astral.sun import sunrise, sunset
from django.db import transaction
from django.utils import timezone

from clocher.iot.models import SchoolHolidayPeriod
from clocher.tenancy.models import Commune

LOCAL_ZONE = ZoneInfo("Europe/Paris")
# The last school year whose calendar the ``holidays`` package takes from a published arrêté
# (Arrêté du 21 juillet 2026 for 2027-2028, cited in holidays/countries/france.py).
PACKAGE_SCHOOL_YEARS = ("Zone A", "Zone B", "Zone C")
PACKAGE_LAST_SCHOOL_YEAR = 2027  # the school year 2027-2028
OFFICIAL_SOURCE = "Éducation nationale — fr-en-calendrier-scolaire (data.education.gouv.fr)"


def school_year_of(day: date) -> str:
    """``2025-2026`` for any day from 1 September 2025 to 31 August 2026."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


def public_holiday_subdivision(insee_code: str) -> str | None:
    """The ``holidays`` subdivision of a commune: Moselle, Alsace, overseas départements."""
    if insee_code.startswith("57"):
        return "57"
    if insee_code[:2] in ("67", "68"):
        return "6AE"
    if insee_code[:3] in ("971", "972", "973", "974", "976"):
        return insee_code[:3]
    return None


@dataclasses.dataclass
class CommuneCalendar:
    """The calendars of one commune (built once per tick or page, read for many days)."""

    latitude: float | None
    longitude: float | None
    subdivision: str | None
    school_zone: str
    school_periods: list[tuple[date, date, str]]
    school_years_imported: set[str]

    @cached_property
    def _public(self) -> holidays.HolidayBase:
        return holidays.country_holidays("FR", subdiv=self.subdivision)

    @cached_property
    def _package_school(self) -> holidays.HolidayBase | None:
        if self.school_zone not in PACKAGE_SCHOOL_YEARS:
            return None
        return holidays.country_holidays(
            "FR", subdiv=self.school_zone, categories=(holidays.SCHOOL,)
        )

    def public_holiday(self, day: date) -> str | None:
        name = self._public.get(day)
        return str(name) if name else None

    def school_holiday(self, day: date) -> bool | None:
        """True or False when the zone's calendar for that school year is known, else None."""
        if not self.school_zone:
            return None
        year = school_year_of(day)
        if year in self.school_years_imported:
            return any(first <= day <= last for first, last, _name in self.school_periods)
        package = self._package_school
        if package is not None and int(year[:4]) <= PACKAGE_LAST_SCHOOL_YEAR and day.year >= 2017:
            return day in package
        return None

    def sun_event(self, day: date, event: str) -> datetime | None:
        """Sunrise or sunset of a Paris day, floored to the minute (None without a position or
        when the sun does not rise or set that day)."""
        if self.latitude is None or self.longitude is None:
            return None
        observer = Observer(latitude=self.latitude, longitude=self.longitude)
        function = sunrise if event == "sunrise" else sunset
        try:
            moment = function(observer, day, tzinfo=LOCAL_ZONE)
        except ValueError:
            return None
        return moment.replace(second=0, microsecond=0).astimezone(UTC)


def _mean(values: Iterable[Decimal | float | None]) -> float | None:
    numbers = [float(value) for value in values if value is not None]
    return sum(numbers) / len(numbers) if numbers else None


def commune_calendar(
    commune: Commune, *, school_zone: str, device_positions: Iterable[tuple[Any, Any]] = ()
) -> CommuneCalendar:
    """The calendars of ``commune``; ``device_positions`` (latitude, longitude) are used for the
    sun only when the commune has no coordinates."""
    latitude = float(commune.latitude) if commune.latitude is not None else None
    longitude = float(commune.longitude) if commune.longitude is not None else None
    if latitude is None or longitude is None:
        positions = [(a, b) for a, b in device_positions if a is not None and b is not None]
        latitude = _mean(a for a, _b in positions)
        longitude = _mean(b for _a, b in positions)
    periods: list[tuple[date, date, str]] = []
    years: set[str] = set()
    if school_zone:
        for first, last, name, year in SchoolHolidayPeriod.objects.filter(
            zone=school_zone
        ).values_list("first_day", "last_day", "description", "school_year"):
            periods.append((first, last, name))
            years.add(year)
    return CommuneCalendar(
        latitude=latitude,
        longitude=longitude,
        subdivision=public_holiday_subdivision(commune.insee_code),
        school_zone=school_zone,
        school_periods=periods,
        school_years_imported=years,
    )


# --- Import of the Éducation nationale's school calendar ---------------------------------------


class SchoolCalendarInvalid(ValueError):
    """A file that is not the Éducation nationale's school calendar (line and reason)."""


_HEADERS = {
    "description": ("description",),
    "population": ("population",),
    "start": ("start_date", "date de début", "date de debut"),
    "end": ("end_date", "date de fin"),
    "zones": ("zones", "zone"),
    "year": ("annee_scolaire", "année scolaire", "annee scolaire"),
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _paris_day(text: str, line: int, what: str) -> date:
    """A date of the file: ``2025-10-17T22:00:00+00:00`` (UTC stamp of a Paris midnight) or
    ``2025-10-18``, as the Paris day it starts."""
    text = text.strip()
    try:
        if _DATE.fullmatch(text):
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SchoolCalendarInvalid(f"line {line}: {what} {text!r} is not a date") from None
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(LOCAL_ZONE).date()


@dataclasses.dataclass(frozen=True)
class SchoolPeriodRow:
    zone: str
    school_year: str
    description: str
    first_day: date
    last_day: date


def parse_school_calendar(content: bytes | str) -> list[SchoolPeriodRow]:
    """Read the Éducation nationale's CSV (``fr-en-calendrier-scolaire``, semicolon-separated,
    with the API's column names or the site's labels). Rows for teachers only are skipped;
    the rows of every académie of a zone are merged. A period runs from its start (first day
    without classes) to the day before its end (the day classes resume). The summer holidays
    row gives only their start: they are counted until 31 August."""
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip("\ufeff")
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except StopIteration:
        raise SchoolCalendarInvalid("the file is empty") from None
    columns: dict[str, int] = {}
    for key, names in _HEADERS.items():
        for index, cell in enumerate(header):
            if cell in names:
                columns[key] = index
                break
    missing = [key for key in ("description", "start", "end", "zones") if key not in columns]
    if missing:
        raise SchoolCalendarInvalid(
            "line 1: missing columns "
            + ", ".join(_HEADERS[key][0] for key in missing)
            + " (expected the Éducation nationale's fr-en-calendrier-scolaire CSV)"
        )
    rows: dict[tuple[str, str, date], SchoolPeriodRow] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < len(header):
            raise SchoolCalendarInvalid(
                f"line {line}: {len(cells)} columns, {len(header)} expected"
            )
        population = cells[columns["population"]].strip() if "population" in columns else "-"
        if population.lower().startswith("enseignant"):
            continue
        description = cells[columns["description"]].strip()[:200]
        zone = cells[columns["zones"]].strip()[:40]
        first = _paris_day(cells[columns["start"]], line, "start")
        end = _paris_day(cells[columns["end"]], line, "end")
        if end <= first:
            if "été" not in description.lower():
                raise SchoolCalendarInvalid(f"line {line}: the period ends before it starts")
            last = date(first.year, 8, 31)
        else:
            last = end - timedelta(days=1)
        year = cells[columns["year"]].strip() if "year" in columns else school_year_of(first)
        if not re.fullmatch(r"\d{4}-\d{4}", year):
            raise SchoolCalendarInvalid(f"line {line}: school year {year!r} is not YYYY-YYYY")
        if not zone or not description:
            raise SchoolCalendarInvalid(f"line {line}: empty zone or description")
        rows[(zone, description, first)] = SchoolPeriodRow(zone, year, description, first, last)
    return sorted(rows.values(), key=lambda row: (row.zone, row.first_day))


def school_holidays_import(content: bytes | str, *, source: str = OFFICIAL_SOURCE) -> int:
    """Replace the periods of the school years and zones in the file; returns how many were
    stored. All or nothing."""
    rows = parse_school_calendar(content)
    if not rows:
        raise SchoolCalendarInvalid("no school holiday period in the file")
    now = timezone.now()
    with transaction.atomic():
        for zone, year in {(row.zone, row.school_year) for row in rows}:
            SchoolHolidayPeriod.objects.filter(zone=zone, school_year=year).delete()
        SchoolHolidayPeriod.objects.bulk_create(
            SchoolHolidayPeriod(
                zone=row.zone,
                school_year=row.school_year,
                description=row.description,
                first_day=row.first_day,
                last_day=row.last_day,
                imported_at=now,
                source=source[:200],
            )
            for row in rows
        )
    return len(rows)
