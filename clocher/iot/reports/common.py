"""What the decision reports share: the reported period, the French public holidays, the
document a report produces (read by the staff page and drawn as the PDF), small computations
(time above a threshold, least-squares slope) and the selection of the commune's devices.

A report module (``air_quality``, ``energy``, ``leaks``, ``containers``, ``river``) computes
its figures with one query per kind of data for all the devices concerned (never one per
device or per reading), then describes them as a :class:`ReportDocument`: sections of
paragraphs and tables, the method and the sources. The page renders that document (plus
server-drawn charts), the PDF draws the same document on the commune letterhead, so what the
council reads is what the staff saw.

Devices flagged personal (household meters) are left out of every report: the reports are
about the commune's public buildings and equipment and are meant to be shown in council.
"""

from __future__ import annotations

import bisect
import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from clocher.core.pdf import MONTHS, french_date
from clocher.iot.models import Device, Rollup, RollupPeriod
from clocher.tenancy.models import Commune

PARIS = ZoneInfo("Europe/Paris")


# --- The reported period -----------------------------------------------------------------------


class PeriodKind:
    MONTH = "month"
    WEEK = "week"


@dataclass(frozen=True)
class ReportPeriod:
    """A calendar month or an ISO week, as Europe/Paris days ``[first_day, last_day]``."""

    kind: str
    first_day: datetime.date
    last_day: datetime.date

    @classmethod
    def month(cls, year: int, month: int) -> ReportPeriod:
        first = datetime.date(year, month, 1)
        following = datetime.date(year + month // 12, month % 12 + 1, 1)
        return cls(PeriodKind.MONTH, first, following - datetime.timedelta(days=1))

    @classmethod
    def week(cls, year: int, week: int) -> ReportPeriod:
        """ISO week (Monday to Sunday); ``ValueError`` for a week the year does not have."""
        first = datetime.date.fromisocalendar(year, week, 1)
        return cls(PeriodKind.WEEK, first, first + datetime.timedelta(days=6))

    @classmethod
    def containing(cls, day: datetime.date, kind: str = PeriodKind.MONTH) -> ReportPeriod:
        if kind == PeriodKind.WEEK:
            year, week, _weekday = day.isocalendar()
            return cls.week(year, week)
        return cls.month(day.year, day.month)

    @property
    def start(self) -> datetime.datetime:
        return paris_midnight(self.first_day)

    @property
    def end(self) -> datetime.datetime:
        """The exclusive end: midnight (Paris) after the last day."""
        return paris_midnight(self.last_day + datetime.timedelta(days=1))

    def days(self) -> list[datetime.date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + datetime.timedelta(days=index) for index in range(count)]

    @property
    def key(self) -> str:
        """The value of the period's query parameter (``2025-03`` or ``2025-W10``)."""
        if self.kind == PeriodKind.WEEK:
            year, week, _weekday = self.first_day.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first_day.year}-{self.first_day.month:02d}"

    @property
    def parameter(self) -> str:
        return "semaine" if self.kind == PeriodKind.WEEK else "mois"

    @property
    def label(self) -> str:
        """``mars 2025``; ``semaine 10 de 2025 (du 3 au 9 mars 2025)``."""
        if self.kind == PeriodKind.WEEK:
            year, week, _weekday = self.first_day.isocalendar()
            return _("semaine %(week)d de %(year)d (du %(first)s au %(last)s)") % {
                "week": week,
                "year": year,
                "first": french_date(self.first_day),
                "last": french_date(self.last_day),
            }
        return f"{MONTHS[self.first_day.month - 1]} {self.first_day.year}"

    def previous(self) -> ReportPeriod:
        return ReportPeriod.containing(self.first_day - datetime.timedelta(days=1), self.kind)

    def following(self) -> ReportPeriod:
        return ReportPeriod.containing(self.last_day + datetime.timedelta(days=1), self.kind)

    def same_month_last_year(self) -> ReportPeriod:
        return ReportPeriod.month(self.first_day.year - 1, self.first_day.month)


def paris_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=PARIS)


def paris_time(day: datetime.date, moment: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, moment, tzinfo=PARIS)


# --- Public holidays ---------------------------------------------------------------------------


def easter_sunday(year: int) -> datetime.date:
    """Gregorian Easter Sunday (the anonymous "Meeus/Jones/Butcher" algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_offset = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_offset) // 451
    month, day = divmod(h + weekday_offset - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def public_holidays(year: int) -> set[datetime.date]:
    """The eleven public holidays of metropolitan France (Code du travail, L3133-1). Alsace and
    Moselle add Good Friday and 26 December, overseas departments their own days: not handled."""
    easter = easter_sunday(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    days = {datetime.date(year, month, day) for month, day in fixed}
    days |= {easter + datetime.timedelta(days=offset) for offset in (1, 39, 50)}
    return days


def is_public_holiday(day: datetime.date) -> bool:
    return day in public_holidays(day.year)


# --- Small computations ------------------------------------------------------------------------

Window = tuple[datetime.datetime, datetime.datetime]
TimedValue = tuple[datetime.datetime, float]


@dataclass
class WindowExposure:
    """Within one window: the seconds covered by readings, and the covered seconds whose held
    value was strictly above each threshold; the highest value held in the window."""

    covered: float = 0.0
    above: dict[float, float] = field(default_factory=dict)
    maximum: float | None = None


def exposure_in_windows(
    readings: Sequence[TimedValue],
    windows: Sequence[Window],
    thresholds: Sequence[float],
    *,
    max_hold: datetime.timedelta,
) -> list[WindowExposure]:
    """Time-weighted exposure of sorted ``readings`` over sorted, disjoint ``windows``.

    Each reading holds its value from its own time until the next reading, and at most
    ``max_hold`` (a longer gap is time without measurement, left out of ``covered``). A reading
    taken before a window opens counts for the part of its hold inside the window; one
    straddling the window's end counts up to the end."""
    results = [WindowExposure(above=dict.fromkeys(thresholds, 0.0)) for _window in windows]
    if not windows:
        return results
    window_ends = [end for _start, end in windows]
    for index, (time, value) in enumerate(readings):
        hold_end = time + max_hold
        if index + 1 < len(readings):
            hold_end = min(hold_end, readings[index + 1][0])
        if hold_end <= time:
            continue
        position = bisect.bisect_right(window_ends, time)
        while position < len(windows) and windows[position][0] < hold_end:
            start, end = windows[position]
            overlap = (min(end, hold_end) - max(start, time)).total_seconds()
            if overlap > 0:
                result = results[position]
                result.covered += overlap
                for threshold in thresholds:
                    if value > threshold:
                        result.above[threshold] += overlap
                if result.maximum is None or value > result.maximum:
                    result.maximum = value
            position += 1
    return results


def least_squares_slope(points: Sequence[TimedValue]) -> tuple[float, float] | None:
    """Slope (value per hour) and intercept (value at the first point's time) of the
    least-squares line through ``points``; None with fewer than two distinct times."""
    if len(points) < 2:
        return None
    origin = points[0][0]
    xs = [(time - origin).total_seconds() / 3600 for time, _value in points]
    ys = [value for _time, value in points]
    count = len(points)
    mean_x, mean_y = sum(xs) / count, sum(ys) / count
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return slope, mean_y - slope * mean_x


def longest_run(flags: Iterable[bool]) -> tuple[int, int]:
    """The longest run of consecutive True, and the run still going at the end."""
    longest = current = 0
    for flag in flags:
        current = current + 1 if flag else 0
        longest = max(longest, current)
    return longest, current


# --- Devices -----------------------------------------------------------------------------------


def searchable(text: str) -> str:
    """Lower case without accents, for matching names typed by people."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def mentions(device: Device, words: Iterable[str]) -> bool:
    """Whether the device's name, equipment, building or site mentions one of ``words``
    (accent- and case-insensitive, whole words)."""
    text = searchable(" ".join((device.name, device.asset, device.building, device.site)))
    return any(re.search(rf"\b{re.escape(word)}\b", text) for word in words)


def reported_devices(commune: Commune, quantities: Iterable[str]) -> QuerySet[Device]:
    """The commune's devices that declare one of ``quantities`` and have measured one of them
    at least once (a day roll-up exists: a profile shared by meters and gauges declares the
    quantities of both), personal devices (household meters) excepted, ordered by place then
    name. One query; the roll-up test is an index probe per device."""
    wanted = list(quantities)
    measured = Rollup.objects.for_commune(commune).filter(
        device_id=OuterRef("pk"), quantity__in=wanted, period=RollupPeriod.DAY
    )
    return (
        Device.objects.for_commune(commune)
        .filter(is_personal=False, profile__quantities__has_any_keys=wanted)
        .filter(Exists(measured))
        .select_related("profile")
        .order_by("building", "site", "name", "pk")
    )


def place_of(device: Device) -> str:
    """Where a device is, as the reports group it: its building, else its site."""
    return device.building or device.site or _("Sans lieu")


def unit_of(device: Device, quantity: str) -> str:
    return str((device.profile.quantities or {}).get(quantity, ""))


# --- Formatting --------------------------------------------------------------------------------


def decimal(value: float | None, places: int = 1) -> str:
    """A number the French way (``1 234,5``); a dash when unknown."""
    if value is None:
        return "—"
    return number_format(
        round(value, places), decimal_pos=places, use_l10n=True, force_grouping=True
    )


def percent(share: float | None, places: int = 1) -> str:
    return "—" if share is None else f"{decimal(share * 100, places)} %"


def hours(seconds: float) -> str:
    return decimal(seconds / 3600, 1)


def local_datetime(moment: datetime.datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


def local_date(day: datetime.date | None) -> str:
    return "—" if day is None else day.strftime("%d/%m/%Y")


# --- The document ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A table of the report: the first column names the row (``th scope="row"``)."""

    caption: str
    headings: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric: frozenset[int] = frozenset()
    empty_text: str = ""  # the page and the PDF say "Aucune donnée sur cette période."
    col_widths: Sequence[float] | None = None


@dataclass(frozen=True)
class Chart:
    """A chart of the page (not in the PDF, whose tables carry the same figures)."""

    title: str
    svg: SafeString


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    is_warning: bool = False


@dataclass
class ReportDocument:
    """What a report says, before drawing: the page and the PDF read the same content."""

    commune: Commune
    title: str
    period_label: str
    summary: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    method: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    filename: str = "rapport.pdf"
    landscape: bool = False

    def text(self) -> str:
        """Everything the document says, as plain text (tests, previews)."""
        parts = [self.commune.name, self.title, self.period_label, *self.summary]
        for section in self.sections:
            parts += [section.heading, *section.paragraphs]
            for table in section.tables:
                parts += [table.caption, " | ".join(table.headings)]
                parts += [" | ".join(row) for row in table.rows] or [empty_text(table)]
        return "\n".join([*parts, *self.method, *self.sources])


def empty_text(table: Table) -> str:
    return table.empty_text or _("Aucune donnée sur cette période.")
