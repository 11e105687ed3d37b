"""Open data of Cité IoT: a read-only subset of the OGC SensorThings API v1.1 (Part 1: Sensing).

Public (no key), under ``/api/v1/communes/{commune_slug}/sensorthings/v1.1/``, for the
datastreams an active commune has published (``clocher.iot.services.opendata``); devices flagged
personal (household meters) are never shown, even if they were flagged after publication.

Entities: ``Things`` (a device), ``Locations`` (its coordinates, GeoJSON point), ``Sensors`` (its
device profile), ``ObservedProperties`` (a quantity, id = its name), ``Datastreams`` (one
published quantity of one device, with its licence — Licence Ouverte / Etalab 2.0 by default) and
``Observations`` (its measurements, timed by the network server). Entity ids use the standard
parenthesised form: ``Things(3)``, ``Datastreams(12)``, ``ObservedProperties('co2')``.

Query options, on collections: ``$top`` (default 100, at most 1000: a larger value is capped),
``$skip``, ``$count=true`` (adds ``@iot.count``); ``@iot.nextLink`` gives the next page while
there is one. On observations also: ``$orderby=phenomenonTime asc|desc`` (default ``asc``;
``resultTime`` is the same instant here) and ``$filter`` on time only — comparisons
``phenomenonTime ge|gt|le|lt <ISO 8601 instant with zone>`` joined by ``and``, e.g.
``phenomenonTime ge 2026-01-01T00:00:00Z and phenomenonTime lt 2026-02-01T00:00:00Z``.
A malformed option answers 400 in the Clocher error format. Deviations from the standard:
no ``$expand``, ``$select``, no other ``$filter`` expressions, no ``FeaturesOfInterest`` nor
``HistoricalLocations``; Sensor and ObservedProperty are given inline in each Datastream.

CSV: ``Datastreams({id})/Observations.csv`` gives all of a datastream's observations (same
``$filter`` and ``$orderby``), columns ``phenomenonTime,result,unit``.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from clocher.core import rls
from clocher.core.api.errors import ApiError
from clocher.iot import selectors_opendata as selectors
from clocher.iot.models import Device, DeviceProfile, Measurement, PublishedDatastream
from clocher.tenancy.models import Commune
from clocher.tenancy.selectors import communes_active

router = Router(tags=["iot"])

ROOT = "/communes/{commune_slug}/sensorthings/v1.1"
ROOT_MARKER = "/sensorthings/v1.1"
DEFAULT_TOP = 100
MAX_TOP = 1000
MAX_SKIP = 10_000_000
MAX_OPTION_LENGTH = 500
OBSERVATION_TYPE = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
UCUM = "https://ucum.org/ucum"
# unit as stored → (name, UCUM code)
UNITS: dict[str, tuple[str, str]] = {
    "°C": ("degré Celsius", "Cel"),
    "%": ("pourcent", "%"),
    "ppm": ("partie par million", "[ppm]"),
    "m³": ("mètre cube", "m3"),
    "m3": ("mètre cube", "m3"),
    "L": ("litre", "L"),
    "l": ("litre", "L"),
    "Wh": ("wattheure", "W.h"),
    "kWh": ("kilowattheure", "kW.h"),
    "W": ("watt", "W"),
    "V": ("volt", "V"),
    "mm": ("millimètre", "mm"),
    "cm": ("centimètre", "cm"),
    "m": ("mètre", "m"),
    "lx": ("lux", "lx"),
    "hPa": ("hectopascal", "hPa"),
}
ENTITY_SETS = (
    "Things",
    "Locations",
    "Sensors",
    "ObservedProperties",
    "Datastreams",
    "Observations",
)
_COMPARISONS = {"ge": "time__gte", "gt": "time__gt", "le": "time__lte", "lt": "time__lt"}
_CLAUSE = re.compile(r"^phenomenonTime\s+(ge|gt|le|lt)\s+(\S+)$", re.IGNORECASE)
_ORDERBY = re.compile(r"^(?:phenomenonTime|resultTime)(?:\s+(asc|desc))?$", re.IGNORECASE)
# A "+" of a zone offset sent unencoded arrives as a space: "…T00:00:00 01:00".
_LOST_PLUS = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})\b")


# The documented patterns describe a subset of what is accepted (so that any value matching them
# is answered 200); anything else is checked by the handlers, which answer 400, not 422.
_INSTANT_PATTERN = (
    r"20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?Z"
)


def _top_field() -> Any:
    return Field(
        None,
        alias="$top",
        description=f"Nombre d'entités par page ({DEFAULT_TOP} par défaut, {MAX_TOP} au plus : "
        f"une valeur plus grande est ramenée à {MAX_TOP}).",
        json_schema_extra={"pattern": "^[0-9]{1,9}$"},
    )


def _skip_field() -> Any:
    return Field(
        None,
        alias="$skip",
        description="Nombre d'entités à sauter.",
        json_schema_extra={"pattern": "^[0-9]{1,9}$"},
    )


def _count_field() -> Any:
    return Field(
        None,
        alias="$count",
        description="`true` pour obtenir le total (`@iot.count`).",
        json_schema_extra={"enum": ["true", "false"]},
    )


def _orderby_field() -> Any:
    return Field(
        None,
        alias="$orderby",
        description="`phenomenonTime asc` (par défaut) ou `phenomenonTime desc`.",
        json_schema_extra={"pattern": "^phenomenonTime( (asc|desc))?$"},
    )


def _filter_field() -> Any:
    return Field(
        None,
        alias="$filter",
        description="Sur le temps seulement : `phenomenonTime ge|gt|le|lt <instant ISO 8601 avec "
        "fuseau>`, reliées par `and`, par exemple `phenomenonTime ge 2026-01-01T00:00:00Z and "
        "phenomenonTime lt 2026-02-01T00:00:00Z`.",
        json_schema_extra={
            "pattern": f"^phenomenonTime (ge|gt) {_INSTANT_PATTERN}"
            f"( and phenomenonTime (le|lt) {_INSTANT_PATTERN})?$"
        },
    )


class CollectionOptions(Schema):
    top: str = _top_field()
    skip: str = _skip_field()
    count: str = _count_field()


class ObservationOptions(CollectionOptions):
    orderby: str = _orderby_field()
    filter: str = _filter_field()


class TimeOptions(Schema):
    orderby: str = _orderby_field()
    filter: str = _filter_field()


# --- Options ---------------------------------------------------------------------------------


def _bad_option(option: str, message: str) -> ApiError:
    return ApiError(
        400,
        "invalid_query_option",
        _("Option de requête « %(option)s » invalide : %(message)s")
        % {"option": option, "message": message},
        details=[{"field": option, "message": message, "code": "invalid", "location": "query"}],
    )


def _integer(option: str, value: str | None, default: int, maximum: int) -> int:
    if value is None:
        return default
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise _bad_option(option, _("un nombre entier positif ou nul est attendu."))
    return min(int(text), maximum)


def _count(value: str | None) -> bool:
    if value is None:
        return False
    text = value.strip().lower()
    if text not in ("true", "false"):
        raise _bad_option("$count", _("`true` ou `false` est attendu."))
    return text == "true"


def _instant(text: str) -> datetime.datetime:
    text = text.strip("'\"")
    try:
        instant = datetime.datetime.fromisoformat(text)
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        raise _bad_option(
            "$filter",
            _(
                "« %(value)s » n'est pas un instant ISO 8601 avec son fuseau "
                "(par exemple 2026-01-01T00:00:00Z)."
            )
            % {"value": text},
        )
    return instant


def _time_filter(value: str | None) -> dict[str, datetime.datetime]:
    """``phenomenonTime ge X and phenomenonTime lt Y`` → ``{"time__gte": X, "time__lt": Y}``."""
    if value is None or not value.strip():
        return {}
    if len(value) > MAX_OPTION_LENGTH:
        raise _bad_option("$filter", _("l'expression est trop longue."))
    text = _LOST_PLUS.sub(r"\1+\2", value.strip())
    lookups: dict[str, datetime.datetime] = {}
    for clause in re.split(r"\s+and\s+", text, flags=re.IGNORECASE):
        match = _CLAUSE.match(clause.strip())
        if match is None:
            raise _bad_option(
                "$filter",
                _(
                    "seules les comparaisons « phenomenonTime ge|gt|le|lt <instant> » reliées "
                    "par « and » sont permises."
                ),
            )
        lookup = _COMPARISONS[match[1].lower()]
        if lookup in lookups:
            raise _bad_option("$filter", _("l'opérateur « %(op)s » est répété.") % {"op": match[1]})
        lookups[lookup] = _instant(match[2])
    return lookups


def _descending(value: str | None) -> bool:
    if value is None or not value.strip():
        return False
    match = _ORDERBY.match(value.strip())
    if match is None:
        raise _bad_option(
            "$orderby", _("seuls « phenomenonTime asc » et « phenomenonTime desc » sont permis.")
        )
    return (match[1] or "asc").lower() == "desc"


def _ordered_observations(
    observations: QuerySet[Measurement], orderby: str | None, filter_: str | None
) -> QuerySet[Measurement]:
    lookups = _time_filter(filter_)
    order = ("-time", "-pk") if _descending(orderby) else ("time", "pk")
    return observations.filter(**lookups).order_by(*order)


# --- Links and entities -----------------------------------------------------------------------


def _public_commune(request: HttpRequest, commune_slug: str) -> Commune:
    commune = communes_active().filter(slug=commune_slug[:100]).first()
    if commune is None:
        raise ApiError(404)
    rls.set_scope(commune.pk)
    request._rls_narrowed = True  # type: ignore[attr-defined]
    return commune


def _root(request: HttpRequest) -> str:
    path = request.path
    return request.build_absolute_uri(path[: path.index(ROOT_MARKER) + len(ROOT_MARKER)])


def _iso(instant: datetime.datetime) -> str:
    return instant.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _unit(symbol: str) -> dict[str, str]:
    name, _code = UNITS.get(symbol, (symbol, symbol))
    return {"name": name, "symbol": symbol, "definition": UCUM}


def _thing(root: str, device: Device) -> dict[str, Any]:
    link = f"{root}/Things({device.pk})"
    thing: dict[str, Any] = {
        "@iot.id": device.pk,
        "@iot.selfLink": link,
        "name": device.name,
        "description": " — ".join(
            part for part in (device.profile.model, device.site, device.building) if part
        ),
        "properties": {
            key: value
            for key, value in (
                ("site", device.site),
                ("building", device.building),
                ("asset", device.asset),
            )
            if value
        },
        "Datastreams@iot.navigationLink": f"{link}/Datastreams",
    }
    location = _location(root, device)
    thing["Locations"] = [location] if location else []
    return thing


def _location(root: str, device: Device) -> dict[str, Any] | None:
    if device.latitude is None or device.longitude is None:
        return None
    return {
        "@iot.id": device.pk,
        "@iot.selfLink": f"{root}/Locations({device.pk})",
        "name": device.site or device.name,
        "description": device.building or device.name,
        "encodingType": "application/geo+json",
        "location": {
            "type": "Point",
            "coordinates": [float(device.longitude), float(device.latitude)],
        },
    }


def _sensor(root: str, profile: DeviceProfile) -> dict[str, Any]:
    return {
        "@iot.id": profile.pk,
        "@iot.selfLink": f"{root}/Sensors({profile.pk})",
        "name": profile.model,
        "description": profile.model,
        "encodingType": "text/plain",
        "metadata": profile.slug,
    }


def _observed_property(root: str, quantity: str) -> dict[str, Any]:
    link = f"{root}/ObservedProperties('{quote(quantity, safe='')}')"
    return {
        "@iot.id": quantity,
        "@iot.selfLink": link,
        "name": quantity,
        "definition": link,
        "description": quantity,
    }


def _datastream(root: str, stream: PublishedDatastream) -> dict[str, Any]:
    link = f"{root}/Datastreams({stream.pk})"
    device = stream.device
    return {
        "@iot.id": stream.pk,
        "@iot.selfLink": link,
        "name": stream.name,
        "description": stream.description,
        "observationType": OBSERVATION_TYPE,
        "unitOfMeasurement": _unit(str((device.profile.quantities or {}).get(stream.quantity, ""))),
        "properties": {
            "license": stream.licence,
            "licenseUrl": stream.licence_url,
            "publishedAt": _iso(stream.published_at),
            "csv": f"{link}/Observations.csv",
        },
        "Thing@iot.navigationLink": f"{root}/Things({device.pk})",
        "Observations@iot.navigationLink": f"{link}/Observations",
        "Sensor": _sensor(root, device.profile),
        "ObservedProperty": _observed_property(root, stream.quantity),
    }


def _observation(root: str, measurement: Measurement) -> dict[str, Any]:
    instant = _iso(measurement.time)
    return {
        "@iot.id": measurement.pk,
        "@iot.selfLink": f"{root}/Observations({measurement.pk})",
        "phenomenonTime": instant,
        "resultTime": instant,
        "result": measurement.value,
        "Datastream@iot.navigationLink": (
            f"{root}/Datastreams({measurement.datastream_id})"  # type: ignore[attr-defined]
        ),
    }


def _next_link(request: HttpRequest, top: int, skip: int) -> str:
    parameters: list[tuple[str, str]] = [
        (key, str(value)) for key, value in request.GET.items() if key not in ("$top", "$skip")
    ]
    parameters += [("$top", str(top)), ("$skip", str(skip))]
    query = "&".join(
        f"{quote(key, safe='$')}={quote(value, safe='$:,')}" for key, value in parameters
    )
    return f"{request.build_absolute_uri(request.path)}?{query}"


def _collection(
    request: HttpRequest,
    items: QuerySet[Any] | list[Any],
    options: CollectionOptions,
    serialize: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    top = _integer("$top", options.top, DEFAULT_TOP, MAX_TOP)
    skip = _integer("$skip", options.skip, 0, MAX_SKIP)
    count = _count(options.count)
    rows = list(items[skip : skip + top + 1])
    body: dict[str, Any] = {}
    if count:
        body["@iot.count"] = items.count() if isinstance(items, QuerySet) else len(items)
    if top and len(rows) > top:
        body["@iot.nextLink"] = _next_link(request, top, skip + top)
    body["value"] = [serialize(row) for row in rows[:top]]
    return body


def _published_stream(commune: Commune, datastream_id: int) -> PublishedDatastream:
    stream = selectors.published_datastreams(commune).filter(pk=datastream_id).first()
    if stream is None:
        raise ApiError(404)
    return stream


def _published_device(commune: Commune, thing_id: int) -> Device:
    device = selectors.published_devices(commune).filter(pk=thing_id).first()
    if device is None:
        raise ApiError(404)
    return device


# --- Operations ----------------------------------------------------------------------------------

SUMMARY = "SensorThings v1.1 : "


@router.get(ROOT, response=dict[str, Any], auth=None, summary=SUMMARY + "racine du service")
def sensorthings_root(request: HttpRequest, commune_slug: Path[str]) -> dict[str, Any]:
    """La racine du service SensorThings de la commune : les ensembles d'entités offerts."""
    _public_commune(request, commune_slug)
    root = _root(request)
    return {
        "value": [{"name": name, "url": f"{root}/{name}"} for name in ENTITY_SETS],
        "serverSettings": {
            "conformance": ["http://www.opengis.net/spec/iot_sensing/1.1/req/request-data"]
        },
    }


@router.get(ROOT + "/Things", response=dict[str, Any], auth=None, summary=SUMMARY + "Things")
def thing_list(
    request: HttpRequest, commune_slug: Path[str], options: Query[CollectionOptions]
) -> dict[str, Any]:
    """Les objets de la commune dont au moins une grandeur est publiée, avec leur position."""
    commune = _public_commune(request, commune_slug)
    root = _root(request)
    return _collection(
        request, selectors.published_devices(commune), options, lambda d: _thing(root, d)
    )


@router.get(
    ROOT + "/Things({thing_id})", response=dict[str, Any], auth=None, summary=SUMMARY + "Thing"
)
def thing_detail(request: HttpRequest, commune_slug: Path[str], thing_id: Path[int]) -> Any:
    """Un objet publié de la commune."""
    commune = _public_commune(request, commune_slug)
    return _thing(_root(request), _published_device(commune, thing_id))


@router.get(
    ROOT + "/Things({thing_id})/Datastreams",
    response=dict[str, Any],
    auth=None,
    summary=SUMMARY + "Datastreams d'un Thing",
)
def thing_datastreams(
    request: HttpRequest,
    commune_slug: Path[str],
    thing_id: Path[int],
    options: Query[CollectionOptions],
) -> dict[str, Any]:
    """Les flux publiés d'un objet."""
    commune = _public_commune(request, commune_slug)
    device = _published_device(commune, thing_id)
    root = _root(request)
    streams = selectors.published_datastreams(commune).filter(device=device)
    return _collection(request, streams, options, lambda s: _datastream(root, s))


@router.get(ROOT + "/Locations", response=dict[str, Any], auth=None, summary=SUMMARY + "Locations")
def location_list(
    request: HttpRequest, commune_slug: Path[str], options: Query[CollectionOptions]
) -> dict[str, Any]:
    """Les positions des objets publiés qui en ont une (point GeoJSON, longitude d'abord)."""
    commune = _public_commune(request, commune_slug)
    root = _root(request)
    devices = selectors.published_devices(commune).filter(
        latitude__isnull=False, longitude__isnull=False
    )
    return _collection(request, devices, options, lambda d: _location(root, d) or {})


@router.get(
    ROOT + "/Locations({location_id})",
    response=dict[str, Any],
    auth=None,
    summary=SUMMARY + "Location",
)
def location_detail(request: HttpRequest, commune_slug: Path[str], location_id: Path[int]) -> Any:
    """La position d'un objet publié."""
    commune = _public_commune(request, commune_slug)
    location = _location(_root(request), _published_device(commune, location_id))
    if location is None:
        raise ApiError(404)
    return location


@router.get(ROOT + "/Sensors", response=dict[str, Any], auth=None, summary=SUMMARY + "Sensors")
def sensor_list(
    request: HttpRequest, commune_slug: Path[str], options: Query[CollectionOptions]
) -> dict[str, Any]:
    """Les modèles d'objets (profils) des objets publiés."""
    commune = _public_commune(request, commune_slug)
    root = _root(request)
    return _collection(
        request, selectors.published_profiles(commune), options, lambda p: _sensor(root, p)
    )


@router.get(
    ROOT + "/Sensors({sensor_id})", response=dict[str, Any], auth=None, summary=SUMMARY + "Sensor"
)
def sensor_detail(request: HttpRequest, commune_slug: Path[str], sensor_id: Path[int]) -> Any:
    """Un modèle d'objet publié."""
    commune = _public_commune(request, commune_slug)
    profile = selectors.published_profiles(commune).filter(pk=sensor_id).first()
    if profile is None:
        raise ApiError(404)
    return _sensor(_root(request), profile)


def _quantities(commune: Commune) -> list[str]:
    return sorted(set(selectors.published_datastreams(commune).values_list("quantity", flat=True)))


@router.get(
    ROOT + "/ObservedProperties",
    response=dict[str, Any],
    auth=None,
    summary=SUMMARY + "ObservedProperties",
)
def observed_property_list(
    request: HttpRequest, commune_slug: Path[str], options: Query[CollectionOptions]
) -> dict[str, Any]:
    """Les grandeurs publiées (CO2, température…), identifiées par leur nom."""
    commune = _public_commune(request, commune_slug)
    root = _root(request)
    return _collection(
        request, _quantities(commune), options, lambda q: _observed_property(root, q)
    )


@router.get(
    ROOT + "/ObservedProperties('{quantity}')",
    response=dict[str, Any],
    auth=None,
    summary=SUMMARY + "ObservedProperty",
)
def observed_property_detail(
    request: HttpRequest, commune_slug: Path[str], quantity: Path[str]
) -> Any:
    """Une grandeur publiée."""
    commune = _public_commune(request, commune_slug)
    if quantity not in _quantities(commune):
        raise ApiError(404)
    return _observed_property(_root(request), quantity)


@router.get(
    ROOT + "/Datastreams", response=dict[str, Any], auth=None, summary=SUMMARY + "Datastreams"
)
def datastream_list(
    request: HttpRequest, commune_slug: Path[str], options: Query[CollectionOptions]
) -> dict[str, Any]:
    """Les flux publiés par la commune, avec unité, licence, capteur et grandeur."""
    commune = _public_commune(request, commune_slug)
    root = _root(request)
    return _collection(
        request, selectors.published_datastreams(commune), options, lambda s: _datastream(root, s)
    )


@router.get(
    ROOT + "/Datastreams({datastream_id})",
    response=dict[str, Any],
    auth=None,
    summary=SUMMARY + "Datastream",
)
def datastream_detail(
    request: HttpRequest, commune_slug: Path[str], datastream_id: Path[int]
) -> Any:
    """Un flux publié."""
    commune = _public_commune(request, commune_slug)
    return _datastream(_root(request), _published_stream(commune, datastream_id))


@router.get(
    ROOT + "/Datastreams({datastream_id})/Observations",
    response=dict[str, Any],
    auth=None,
    summary=SUMMARY + "Observations d'un Datastream",
)
def datastream_observations(
    request: HttpRequest,
    commune_slug: Path[str],
    datastream_id: Path[int],
    options: Query[ObservationOptions],
) -> dict[str, Any]:
    """Les mesures d'un flux publié, datées par le serveur de réseau, page par page."""
    commune = _public_commune(request, commune_slug)
    stream = _published_stream(commune, datastream_id)
    observations = _ordered_observations(
        selectors.published_observations(commune, stream), options.orderby, options.filter
    )
    root = _root(request)
    return _collection(request, observations, options, lambda m: _observation(root, m))


@router.get(
    ROOT + "/Datastreams({datastream_id})/Observations.csv",
    auth=None,
    summary=SUMMARY + "Observations d'un Datastream en CSV",
    openapi_extra={
        "responses": {
            200: {
                "description": "Les mesures, une par ligne : `phenomenonTime,result,unit`.",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def datastream_observations_csv(
    request: HttpRequest,
    commune_slug: Path[str],
    datastream_id: Path[int],
    options: Query[TimeOptions],
) -> HttpResponse:
    """Toutes les mesures d'un flux publié en CSV (UTF-8, virgules), sous la licence du flux
    (en-tête `Link` rel="license")."""
    commune = _public_commune(request, commune_slug)
    stream = _published_stream(commune, datastream_id)
    observations = _ordered_observations(
        selectors.published_observations(commune, stream), options.orderby, options.filter
    )
    unit = str((stream.device.profile.quantities or {}).get(stream.quantity, ""))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["phenomenonTime", "result", "unit"])
    for time, value in observations.values_list("time", "value").iterator(chunk_size=2000):
        writer.writerow([_iso(time), repr(value), unit])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{commune.slug}-datastream-{stream.pk}.csv"'
    )
    if stream.licence_url:
        response["Link"] = f'<{stream.licence_url}>; rel="license"'
    return response


@router.get(
    ROOT + "/Observations",
    response=dict[str, Any],
    auth=None,
    summary=SUMMARY + "Observations",
)
def observation_list(
    request: HttpRequest, commune_slug: Path[str], options: Query[ObservationOptions]
) -> dict[str, Any]:
    """Les mesures de tous les flux publiés de la commune, page par page."""
    commune = _public_commune(request, commune_slug)
    observations = _ordered_observations(
        selectors.published_observations(commune), options.orderby, options.filter
    )
    root = _root(request)
    return _collection(request, observations, options, lambda m: _observation(root, m))


@router.get(
    ROOT + "/Observations({observation_id})",
    response=dict[str, Any],
    auth=None,
    summary=SUMMARY + "Observation",
)
def observation_detail(
    request: HttpRequest, commune_slug: Path[str], observation_id: Path[int]
) -> Any:
    """Une mesure d'un flux publié."""
    commune = _public_commune(request, commune_slug)
    observation = selectors.published_observations(commune).filter(pk=observation_id).first()
    if observation is None:
        raise ApiError(404)
    return _observation(_root(request), observation)
