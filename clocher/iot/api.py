"""Cité IoT API, mounted at ``/api/v1/`` (its paths carry their own prefix).

Ingestion, authenticated by an **integration token** (``clocher iot create-integration``) sent as
``Authorization: Bearer cit_…``; the data always lands in the token's commune:

- ``POST /iot/chirpstack?event=up|status|join|ack|txack|log|location``: a ChirpStack v4 HTTP
  integration event, body as ChirpStack sends it;
- ``POST /iot/tts``: a The Things Stack webhook message (uplink or other event);
- ``POST /iot/generic``: a SenML pack (RFC 8428, JSON) of one device, named by the records'
  base name ``urn:dev:eui:<DevEUI>:<quantity>`` or, for plain names, by ``?dev_eui=``.

They answer 202 ``{"status": "stored"|"duplicate"|"pending_device"|"decode_failed"|"ignored"}``
(``ignored``: an event Clocher does not keep yet), 400 for a body that cannot be read, 401 for a
missing, wrong or revoked token, 403 for the token of another kind of integration, 503 (with
``Retry-After``) when the database fails: the message was not stored, send it again.
Every answer is counted in the ingestion health (``services.health``); a body answered 400 or
403 is kept (first 64 KiB) as a ``RejectedMessage``, and so is a body answered 401 as long as
the caps per client network and per hour allow (``IOT_REFUSED_BODIES_PER_SOURCE_PER_HOUR``,
``IOT_REFUSED_BODIES_PER_HOUR``); beyond, it is only counted. An accepted token writes its
integration's ``last_used_at``, at most once a minute.

Reading: ``GET /communes/{commune_slug}/iot/devices/{dev_eui}/measurements`` with a commune API
key bearing the ``iot:read`` scope (the key's commune must be the path's, otherwise 404).
"""

import datetime
import logging
from collections.abc import Callable
from typing import Any, Literal

from django.db import DatabaseError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.security import HttpBearer

from clocher.core import rls
from clocher.core.api.auth import api_key_auth, key_commune, require_scope
from clocher.core.api.errors import ApiError, ErrorResponse
from clocher.core.api.pagination import Pagination, paginate
from clocher.core.context import client_ip
from clocher.iot import selectors
from clocher.iot.models import HealthOutcome, Integration, IntegrationKind
from clocher.iot.network import MessageRejected, NormalisedEvent, read_dev_eui
from clocher.iot.network.chirpstack import parse_chirpstack
from clocher.iot.network.senml import parse_senml
from clocher.iot.network.tts import parse_tts
from clocher.iot.services.health import (
    client_address_prefix,
    health_record,
    message_refused,
    message_rejected,
    token_public_prefix,
)
from clocher.iot.services.ingestion import (
    IngestResult,
    ingest,
    ingest_event,
    ingest_records,
    senml_quantity,
)
from clocher.iot.services.integrations import integration_for_token, integration_mark_used

logger = logging.getLogger("clocher.iot.api")

router = Router(tags=["iot"])

ChirpStackEvent = Literal["up", "status", "join", "ack", "txack", "log", "location"]
IngestStatus = Literal["stored", "duplicate", "pending_device", "decode_failed", "ignored"]


class IntegrationAuth(HttpBearer):
    """An integration token of a commune in the ``Authorization: Bearer`` header."""

    openapi_bearerFormat = "cit_<8 hex>_<secret>"
    openapi_description = (
        "Jeton d'intégration d'une commune, créé par "
        "`clocher iot create-integration --commune SLUG --kind chirpstack|tts|generic`."
    )

    def __call__(self, request: HttpRequest) -> Integration | None:
        integration = super().__call__(request)
        if integration is None:  # no "Authorization: Bearer …" header: ninja answers 401
            _unauthorized(request, "", "no bearer token")
        return integration  # type: ignore[no-any-return]

    def authenticate(self, request: HttpRequest, token: str) -> Integration:
        integration = integration_for_token(token.strip())
        if integration is None:
            _unauthorized(request, token, "invalid or revoked integration token")
            raise ApiError(
                401, "invalid_integration_token", _("Jeton d'intégration invalide ou révoqué.")
            )
        request.integration = integration  # type: ignore[attr-defined]
        request.commune = integration.commune  # type: ignore[attr-defined]
        rls.set_scope(integration.commune_id)
        request._rls_narrowed = True  # type: ignore[attr-defined]
        integration_mark_used(integration=integration)
        return integration


def _endpoint_source(request: HttpRequest) -> str:
    """``chirpstack``, ``tts`` or ``generic``: the endpoint's kind, from its path."""
    last = request.path.rstrip("/").rsplit("/", 1)[-1]
    return last if last in IntegrationKind.values else "http"


def _unauthorized(request: HttpRequest, token: str, reason: str) -> None:
    """Count a message whose token was refused, for the operator (no commune is known), and
    keep it within the caps per client network and per hour (``message_refused``)."""
    message_refused(
        source=_endpoint_source(request),
        reason=reason,
        body=request.body,
        client_address=client_address_prefix(client_ip(request)),
        token_prefix=token_public_prefix(token),
    )


integration_auth = IntegrationAuth()


class IngestOut(Schema):
    status: IngestStatus
    reason: str = Field("", description="Pourquoi un événement n'est pas conservé.")


class ChirpStackQuery(Schema):
    event: ChirpStackEvent = Field(description="Type d'événement ChirpStack (`?event=`).")


class GenericQuery(Schema):
    dev_eui: str | None = Field(
        None,
        description="DevEUI de l'objet, quand les noms des mesures ne commencent pas par "
        "`urn:dev:eui:<DevEUI>:`.",
    )


INGEST_RESPONSES: dict[int, Any] = {202: IngestOut, 400: ErrorResponse, 503: ErrorResponse}


def _body(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": schema}},
        }
    }


def _integration(request: HttpRequest, kind: str) -> Integration:
    integration: Integration = request.integration  # type: ignore[attr-defined]
    if integration.kind != kind:
        message_rejected(
            integration=integration,
            source=kind,
            reason=f"token of a {integration.kind} integration sent to the {kind} endpoint",
            body=request.body,
            outcome=HealthOutcome.UNAUTHORIZED,
        )
        raise ApiError(
            403,
            "wrong_integration_kind",
            _("Ce jeton est celui d'une intégration « %(kind)s », pas « %(expected)s ».")
            % {"kind": integration.kind, "expected": kind},
        )
    return integration


def _rejected(request: HttpRequest, integration: Integration, error: MessageRejected) -> ApiError:
    """Keep and count the unreadable message; the 400 to answer."""
    message_rejected(
        integration=integration,
        source=integration.kind,
        reason=str(error),
        body=request.body,
        outcome=HealthOutcome.REJECTED,
    )
    return ApiError(
        400,
        "message_rejected",
        _("Le message ne peut pas être lu : %(reason)s.") % {"reason": error.reason},
        details=[{"field": error.field, "message": error.reason, "code": "invalid"}]
        if error.field
        else [],
    )


def _stored(integration: Integration, store: Callable[[], IngestResult]) -> Status:
    """Run the ingestion, count its outcome, answer 202; a database failure is counted
    ``failed`` and answered 503 so that the sender tries again (nothing was stored)."""
    try:
        result = store()
    except DatabaseError as error:
        logger.warning("iot-ingest: database error on %s: %s", integration.token_prefix, error)
        health_record(integration=integration, outcome=HealthOutcome.FAILED)
        raise ApiError(
            503,
            "database_unavailable",
            _("La base de données est momentanément indisponible : renvoyez le message."),
            headers={"Retry-After": "5"},
        ) from error
    health_record(integration=integration, outcome=result.status)
    return Status(202, {"status": result.status, "reason": result.reason})


def _ingest_parsed(integration: Integration, parsed: Any) -> Status:
    if isinstance(parsed, NormalisedEvent):
        return _stored(integration, lambda: ingest_event(integration=integration, event=parsed))
    return _stored(integration, lambda: ingest(integration=integration, message=parsed))


@router.post(
    "/iot/chirpstack",
    response=INGEST_RESPONSES,
    auth=integration_auth,
    throttle=[],
    summary="Événement de l'intégration HTTP de ChirpStack v4",
    openapi_extra=_body({"type": "object"}, "Le corps JSON envoyé par ChirpStack, tel quel."),
)
def ingest_chirpstack(request: HttpRequest, query: Query[ChirpStackQuery]) -> Status:
    """Reçoit un événement ChirpStack v4 tel que l'intégration HTTP l'envoie (`?event=up` etc.).
    Un même message reçu deux fois n'est enregistré qu'une fois (`duplicate`)."""
    integration = _integration(request, IntegrationKind.CHIRPSTACK)
    try:
        parsed = parse_chirpstack(query.event, request.body)
    except MessageRejected as error:
        raise _rejected(request, integration, error) from error
    return _ingest_parsed(integration, parsed)


@router.post(
    "/iot/tts",
    response=INGEST_RESPONSES,
    auth=integration_auth,
    throttle=[],
    summary="Message d'un webhook de The Things Stack v3",
    openapi_extra=_body({"type": "object"}, "Le corps JSON envoyé par The Things Stack."),
)
def ingest_tts(request: HttpRequest) -> Status:
    """Reçoit un message de The Things Stack v3 (webhook) : montée de données ou autre
    événement, reconnu d'après son contenu."""
    integration = _integration(request, IntegrationKind.TTS)
    try:
        parsed = parse_tts(None, request.body)
    except MessageRejected as error:
        raise _rejected(request, integration, error) from error
    return _ingest_parsed(integration, parsed)


@router.post(
    "/iot/generic",
    response=INGEST_RESPONSES,
    auth=integration_auth,
    throttle=[],
    summary="Mesures SenML (JSON) d'un objet hors LoRaWAN",
    openapi_extra=_body(
        {"type": "array", "items": {"type": "object"}}, "Un paquet SenML (RFC 8428) en JSON."
    ),
)
def ingest_generic(request: HttpRequest, query: Query[GenericQuery]) -> Status:
    """Reçoit un paquet SenML (RFC 8428) d'un seul objet. L'objet est désigné par le nom de
    base `urn:dev:eui:<DevEUI>:` des mesures (`bn`), sinon par `?dev_eui=`."""
    integration = _integration(request, IntegrationKind.GENERIC)
    try:
        records = parse_senml(request.body)
        dev_euis = {senml_quantity(record.name)[0] for record in records}
        if query.dev_eui is not None:
            dev_euis.discard(None)
            dev_euis.add(read_dev_eui(query.dev_eui, "dev_eui"))
        if None in dev_euis or len(dev_euis) != 1:
            raise MessageRejected(
                "name one device: a base name urn:dev:eui:<DevEUI>: or ?dev_eui=", "bn"
            )
        dev_eui = read_dev_eui(dev_euis.pop(), "bn")
    except MessageRejected as error:
        raise _rejected(request, integration, error) from error
    if not records:
        empty = MessageRejected("the pack holds no record", "records")
        raise _rejected(request, integration, empty)
    return _stored(
        integration,
        lambda: ingest_records(integration=integration, dev_eui=dev_eui, records=records),
    )


# --- Reading measurements ----------------------------------------------------------------------


class MeasurementOut(Schema):
    quantity: str
    time: datetime.datetime
    value: float
    unit: str


class MeasurementFilter(Schema):
    quantity: str | None = Field(None, max_length=60, description="Ne garder que cette grandeur.")
    from_: datetime.datetime | None = Field(
        None, alias="from", description="Début (inclus), ISO 8601 avec fuseau."
    )
    to: datetime.datetime | None = Field(None, description="Fin (exclue), ISO 8601 avec fuseau.")


@router.get(
    "/communes/{commune_slug}/iot/devices/{dev_eui}/measurements",
    response=list[MeasurementOut],
    auth=api_key_auth,
    summary="Mesures d'un objet connecté",
)
@require_scope("iot:read")
@paginate(Pagination)
def measurement_list(
    request: HttpRequest,
    commune_slug: Path[str],
    dev_eui: Path[str],
    filters: Query[MeasurementFilter],
) -> Any:
    """Les mesures enregistrées d'un objet de la commune, par date croissante, datées par le
    serveur de réseau (et non par leur arrivée dans Clocher)."""
    commune = key_commune(request, commune_slug)
    device = selectors.device_of_commune(commune, dev_eui)
    if device is None:
        raise ApiError(404)
    return selectors.measurements_of_device(
        device, quantity=filters.quantity, start=filters.from_, end=filters.to
    )


from clocher.iot.api_sensorthings import router as sensorthings_router  # noqa: E402

router.add_router("", sensorthings_router)
