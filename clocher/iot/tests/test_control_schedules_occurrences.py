"""When a schedule occurs: fixed Paris time across the DST changes, sunset for the commune's
coordinates, public and school holidays skipped, the school calendar imported from the
Éducation nationale's file."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from astral import Observer
from astral.sun import sunset

from clocher.iot.calendars import (
    SchoolCalendarInvalid,
    commune_calendar,
    parse_school_calendar,
    school_holidays_import,
)
from clocher.iot.models import Schedule, SchoolHolidayPeriod
from clocher.iot.services.schedules import next_occurrences, occurrences_between
from clocher.iot.tests.factories import FIXTURES
from clocher.iot.tests.factories_control import chirpstack_device, fixed_schedule, lighting_profile

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
DIJON = (Decimal("47.32167"), Decimal("5.04139"))
# An extract in the format of the Éducation nationale's export fr-en-calendrier-scolaire (dates
# are the UTC stamps of Paris midnights); its 2023-2024 dates are those of the arrêté du
# 7 décembre 2022.
CALENDAR_CSV = (FIXTURES / "calendrier_scolaire_extrait.csv").read_text(encoding="utf-8")


@pytest.fixture
def dijon(commune_a):
    commune_a.latitude, commune_a.longitude = DIJON
    commune_a.insee_code = "21231"
    commune_a.save()
    return commune_a


def _calendar(commune, zone=""):
    return commune_calendar(commune, school_zone=zone)


def _schedule(commune, **fields) -> Schedule:
    device = chirpstack_device(commune, lighting_profile(commune.operator), "70B3D57ED0000001")
    return fixed_schedule(commune, device, **fields)


def _local(moments):
    return [moment.astimezone(PARIS).strftime("%Y-%m-%d %H:%M") for moment in moments]


def test_fixed_time_keeps_the_wall_clock_across_the_spring_change(dijon):
    """18:00 in Paris is 17:00 UTC before 31 March 2024 and 16:00 UTC after."""
    schedule = _schedule(dijon, time_of_day=time(18, 0))
    after = datetime(2024, 3, 29, 12, 0, tzinfo=UTC)
    upcoming = next_occurrences(schedule, _calendar(dijon), after=after, count=4)
    assert [m.astimezone(UTC).strftime("%d %H:%M") for m in upcoming] == [
        "29 17:00",
        "30 17:00",
        "31 16:00",
        "01 16:00",
    ]
    assert _local(upcoming) == [
        "2024-03-29 18:00",
        "2024-03-30 18:00",
        "2024-03-31 18:00",
        "2024-04-01 18:00",
    ]


def test_a_time_skipped_in_spring_moves_forward_and_a_repeated_one_happens_once(dijon):
    """02:30 does not exist on 31 March 2024 (fires at 03:30 local); on 27 October 2024 it
    happens twice on the clock but fires once."""
    schedule = _schedule(dijon, time_of_day=time(2, 30))
    spring = list(
        occurrences_between(
            schedule,
            _calendar(dijon),
            datetime(2024, 3, 30, 12, tzinfo=UTC),
            datetime(2024, 4, 1, 12, tzinfo=UTC),
        )
    )
    assert [m.astimezone(UTC).isoformat() for m in spring] == [
        "2024-03-31T01:30:00+00:00",
        "2024-04-01T00:30:00+00:00",
    ]
    autumn = list(
        occurrences_between(
            schedule,
            _calendar(dijon),
            datetime(2024, 10, 26, 12, tzinfo=UTC),
            datetime(2024, 10, 27, 12, tzinfo=UTC),
        )
    )
    assert [m.astimezone(UTC).isoformat() for m in autumn] == ["2024-10-27T00:30:00+00:00"]


def test_sunset_for_the_communes_coordinates(dijon):
    """A sunset schedule fires at astral's sunset for Dijon on 21 June 2024 (to the minute),
    which is about 21:39 in Paris; an offset of -15 moves it earlier."""
    schedule = _schedule(dijon, trigger="sunset", time_of_day=None, offset_minutes=0)
    (moment,) = next_occurrences(
        schedule, _calendar(dijon), after=datetime(2024, 6, 21, 6, tzinfo=UTC), count=1
    )
    expected = sunset(Observer(47.32167, 5.04139), date(2024, 6, 21), tzinfo=PARIS)
    assert abs((moment - expected).total_seconds()) < 60
    local = moment.astimezone(PARIS)
    assert (local.date(), time(21, 35) <= local.time() <= time(21, 45)) == (date(2024, 6, 21), True)
    schedule.offset_minutes = -15
    (earlier,) = next_occurrences(
        schedule, _calendar(dijon), after=datetime(2024, 6, 21, 6, tzinfo=UTC), count=1
    )
    assert earlier == moment - timedelta(minutes=15)


def test_sunrise_in_winter_is_later(dijon):
    """Sunrise in Dijon is after 08:00 on 21 December and before 06:00 on 21 June."""
    schedule = _schedule(dijon, trigger="sunrise", time_of_day=None)
    (winter,) = next_occurrences(
        schedule, _calendar(dijon), after=datetime(2024, 12, 20, 23, tzinfo=UTC), count=1
    )
    (summer,) = next_occurrences(
        schedule, _calendar(dijon), after=datetime(2024, 6, 20, 23, tzinfo=UTC), count=1
    )
    assert winter.astimezone(PARIS).time() > time(8, 0)
    assert summer.astimezone(PARIS).time() < time(6, 0)


def test_without_commune_coordinates_the_devices_position_is_used(commune_a):
    """A commune without coordinates: the sun is computed at its devices' mean position."""
    device = chirpstack_device(
        commune_a,
        lighting_profile(commune_a.operator),
        "70B3D57ED0000002",
        latitude=Decimal("47.3"),
        longitude=Decimal("5.0"),
    )
    schedule = fixed_schedule(commune_a, device, trigger="sunset", time_of_day=None)
    calendar = commune_calendar(
        commune_a, school_zone="", device_positions=[(device.latitude, device.longitude)]
    )
    assert (calendar.latitude, calendar.longitude) == (47.3, 5.0)
    assert len(next_occurrences(schedule, calendar, after=datetime(2024, 6, 1, tzinfo=UTC))) == 5
    no_position = commune_calendar(commune_a, school_zone="")
    assert next_occurrences(schedule, no_position, after=datetime(2024, 6, 1, tzinfo=UTC)) == []


def test_public_holidays_are_skipped(dijon):
    """Skipping public holidays: no occurrence on 1 and 8 May 2024."""
    schedule = _schedule(dijon, public_holidays="skip")
    upcoming = next_occurrences(
        schedule, _calendar(dijon), after=datetime(2024, 4, 30, 20, tzinfo=UTC), count=3
    )
    assert _local(upcoming) == ["2024-05-02 18:00", "2024-05-03 18:00", "2024-05-04 18:00"]
    only = _schedule_only_holidays(dijon)
    assert _local(
        next_occurrences(only, _calendar(dijon), after=datetime(2024, 4, 30, tzinfo=UTC), count=2)
    ) == [
        "2024-05-01 18:00",
        "2024-05-08 18:00",
    ]


def _schedule_only_holidays(commune):
    schedule = Schedule.objects.get()
    schedule.pk = None
    schedule.public_holidays = "only"
    schedule.save()
    return schedule


def test_alsace_moselle_has_good_friday(commune_a):
    """Good Friday (29 March 2024) is a public holiday in Moselle, not in Côte-d'Or."""
    commune_a.insee_code = "57463"  # Metz
    assert commune_calendar(commune_a, school_zone="").public_holiday(date(2024, 3, 29))
    commune_a.insee_code = "21231"
    assert commune_calendar(commune_a, school_zone="").public_holiday(date(2024, 3, 29)) is None


def test_weekdays(dijon):
    """A Monday-to-Friday schedule skips the weekend."""
    schedule = _schedule(dijon, weekdays=[1, 2, 3, 4, 5])
    upcoming = next_occurrences(
        schedule, _calendar(dijon), after=datetime(2024, 6, 7, 17, tzinfo=UTC), count=2
    )
    assert _local(upcoming) == ["2024-06-10 18:00", "2024-06-11 18:00"]


def test_imported_school_holidays_are_skipped(dijon):
    """Zone A's winter holidays (17 February–3 March 2024, imported) are skipped; the teachers'
    row and the other zones do not count."""
    school_holidays_import(CALENDAR_CSV)
    schedule = _schedule(dijon, school_holidays="skip")
    calendar = _calendar(dijon, "Zone A")
    upcoming = next_occurrences(
        schedule, calendar, after=datetime(2024, 2, 15, 20, tzinfo=UTC), count=3
    )
    assert _local(upcoming) == ["2024-02-16 18:00", "2024-03-04 18:00", "2024-03-05 18:00"]
    assert calendar.school_holiday(date(2024, 3, 4)) is False
    assert _calendar(dijon, "Zone B").school_holiday(date(2024, 3, 4)) is True


def test_school_calendar_of_the_holidays_package_until_2027_2028(dijon):
    """Without an import, zone A's published calendar (shipped by ``holidays``) is used up to
    2027-2028; beyond, it is unknown and the day counts as a school day."""
    calendar = _calendar(dijon, "Zone A")
    assert calendar.school_holiday(date(2025, 12, 24)) is True
    assert calendar.school_holiday(date(2025, 12, 15)) is False
    assert calendar.school_holiday(date(2029, 12, 24)) is None
    schedule = _schedule(dijon, school_holidays="skip")
    upcoming = next_occurrences(
        schedule, calendar, after=datetime(2029, 12, 23, 12, tzinfo=UTC), count=1
    )
    assert _local(upcoming) == ["2029-12-23 18:00"]


def test_parse_the_official_file():
    """Académies merged, teachers skipped, [start, end) as Paris days; summer to 31 August."""
    rows = parse_school_calendar(CALENDAR_CSV.encode("utf-8"))
    assert [(r.zone, r.description, r.first_day, r.last_day, r.school_year) for r in rows] == [
        ("Zone A", "Vacances de Noël", date(2023, 12, 23), date(2024, 1, 7), "2023-2024"),
        ("Zone A", "Vacances d'Hiver", date(2024, 2, 17), date(2024, 3, 3), "2023-2024"),
        ("Zone A", "Vacances d'Été", date(2024, 7, 6), date(2024, 8, 31), "2023-2024"),
        ("Zone B", "Vacances d'Hiver", date(2024, 2, 24), date(2024, 3, 10), "2023-2024"),
    ]


def test_the_sites_column_labels_are_read_too():
    """The site's export (labels as headers, plain dates) reads the same."""
    content = (
        "Description;Population;Date de début;Date de fin;Académies;Zones;annee_scolaire\n"
        "Vacances de Noël;-;2023-12-23;2024-01-08;Dijon;Zone A;2023-2024\n"
    )
    (row,) = parse_school_calendar(content)
    assert (row.first_day, row.last_day) == (date(2023, 12, 23), date(2024, 1, 7))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("a;b\n1;2\n", "missing columns description, start_date, end_date, zones"),
        (
            "description;start_date;end_date;zones\nNoël;demain;2024-01-08;Zone A\n",
            "line 2: start 'demain' is not a date",
        ),
        (
            "description;start_date;end_date;zones\nNoël;2024-01-08;2023-12-23;Zone A\n",
            "line 2: the period ends before it starts",
        ),
    ],
)
def test_bad_files_are_refused_with_the_line(content, message):
    with pytest.raises(SchoolCalendarInvalid, match=message):
        parse_school_calendar(content)


def test_import_replaces_the_same_years_and_zones():
    """Importing again replaces that school year's periods of the zones in the file."""
    assert school_holidays_import(CALENDAR_CSV) == 4
    corrected = CALENDAR_CSV.replace(
        "2024-03-03T23:00:00+00:00;Dijon", "2024-03-04T23:00:00+00:00;Dijon"
    )
    school_holidays_import(corrected)
    assert SchoolHolidayPeriod.objects.count() == 4
    winter = SchoolHolidayPeriod.objects.get(zone="Zone A", description="Vacances d'Hiver")
    assert winter.last_day == date(2024, 3, 4)
