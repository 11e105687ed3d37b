"""One error format for the whole API.

Every error, whatever raised it (a handler, ninja's validation, authentication, throttling, an
unknown route, a bug), answers::

    {"error": {"code": "not_found", "message": "Ressource introuvable.", "details": []}}

``code`` is a stable machine-readable word (see ``STATUS_CODES``), ``message`` a French sentence
for people, ``details`` a list (possibly empty) of ``{"field", "message", "code", "location"}``,
one per field in error. Handlers raise :class:`ApiError` (or ``Http404``, Django's
``PermissionDenied`` or ``ValidationError`` from a service): they are all turned into this shape.
A 500 says only that something went wrong and gives the request id found in the logs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from clocher.core import context

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("clocher.api")

# HTTP status → (code, default French message).
STATUS_CODES: dict[int, tuple[str, str | Promise]] = {
    400: ("bad_request", _("La requête est mal formée.")),
    401: (
        "unauthorized",
        _("Authentification requise : envoyez l'en-tête « Authorization: Bearer <clé d'API> »."),
    ),
    403: ("forbidden", _("Vous n'avez pas le droit de faire cette action.")),
    404: ("not_found", _("Ressource introuvable.")),
    405: ("method_not_allowed", _("Méthode HTTP non permise sur cette adresse.")),
    409: ("conflict", _("La requête est en conflit avec l'état de la ressource.")),
    413: ("payload_too_large", _("La requête est trop volumineuse.")),
    415: ("unsupported_media_type", _("Type de contenu non pris en charge.")),
    422: ("invalid", _("Certaines valeurs envoyées ne sont pas valides.")),
    429: ("too_many_requests", _("Trop de requêtes : réessayez dans quelques instants.")),
    500: (
        "internal_error",
        _("Erreur interne du serveur. Elle a été enregistrée ; réessayez plus tard."),
    ),
    503: ("unavailable", _("Service momentanément indisponible.")),
}


class ErrorDetail(Schema):
    field: str | None = None
    message: str
    code: str | None = None
    location: str | None = None


class ErrorBody(Schema):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorResponse(Schema):
    """The body of every error answer."""

    error: ErrorBody


class ApiError(HttpError):
    """Raise from a handler to answer an error: ``raise ApiError(409, "already_signed", "…")``."""

    def __init__(
        self,
        status_code: int,
        code: str | None = None,
        message: str | Promise | None = None,
        *,
        details: Iterable[dict[str, Any]] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        default_code, default_message = STATUS_CODES.get(status_code, ("error", _("Erreur.")))
        self.code = code or default_code
        self.details = list(details)
        self.headers = headers or {}
        super().__init__(status_code, str(message or default_message))


def error_payload(
    code: str, message: str | Promise, details: Iterable[dict[str, Any]] = ()
) -> dict[str, Any]:
    return {"error": {"code": code, "message": str(message), "details": list(details)}}


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    *,
    code: str | None = None,
    message: str | Promise | None = None,
    details: Iterable[dict[str, Any]] = (),
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    default_code, default_message = STATUS_CODES.get(status, ("error", _("Erreur.")))
    response = api.create_response(
        request,
        error_payload(code or default_code, message or default_message, details),
        status=status,
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="clocher"'
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# --- Validation messages in French ---------------------------------------------------------------

_PYDANTIC_MESSAGES: dict[str, str | Promise] = {
    "missing": _("Ce champ est obligatoire."),
    "int_parsing": _("Entrez un nombre entier."),
    "int_type": _("Entrez un nombre entier."),
    "int_from_float": _("Entrez un nombre entier."),
    "float_parsing": _("Entrez un nombre."),
    "float_type": _("Entrez un nombre."),
    "decimal_parsing": _("Entrez un nombre."),
    "bool_parsing": _("Entrez true ou false."),
    "bool_type": _("Entrez true ou false."),
    "greater_than": _("La valeur doit être strictement supérieure à %(gt)s."),
    "greater_than_equal": _("La valeur doit être supérieure ou égale à %(ge)s."),
    "less_than": _("La valeur doit être strictement inférieure à %(lt)s."),
    "less_than_equal": _("La valeur doit être inférieure ou égale à %(le)s."),
    "string_type": _("Entrez un texte."),
    "string_too_short": _("Entrez au moins %(min_length)s caractère(s)."),
    "string_too_long": _("Entrez au plus %(max_length)s caractères."),
    "string_pattern_mismatch": _("Le format de cette valeur n'est pas valide."),
    "too_short": _("Donnez au moins %(min_length)s élément(s)."),
    "too_long": _("Donnez au plus %(max_length)s éléments."),
    "enum": _("Choisissez une des valeurs permises : %(expected)s."),
    "literal_error": _("Choisissez une des valeurs permises : %(expected)s."),
    "json_invalid": _("Le corps de la requête n'est pas du JSON valide."),
    "model_type": _("Un objet JSON est attendu."),
    "model_attributes_type": _("Un objet JSON est attendu."),
    "dict_type": _("Un objet JSON est attendu."),
    "list_type": _("Une liste est attendue."),
    "date_parsing": _("Entrez une date au format AAAA-MM-JJ."),
    "date_from_datetime_parsing": _("Entrez une date au format AAAA-MM-JJ."),
    "datetime_parsing": _("Entrez une date et une heure au format ISO 8601."),
    "datetime_from_date_parsing": _("Entrez une date et une heure au format ISO 8601."),
    "time_parsing": _("Entrez une heure au format HH:MM."),
    "uuid_parsing": _("Entrez un identifiant UUID valide."),
    "uuid_type": _("Entrez un identifiant UUID valide."),
    "url_parsing": _("Entrez une adresse web valide."),
    "extra_forbidden": _("Ce champ n'est pas attendu."),
}


def _french_message(error: dict[str, Any]) -> str:
    template = _PYDANTIC_MESSAGES.get(str(error.get("type", "")))
    if template is None:
        message = str(error.get("msg", "")) or str(_("Valeur invalide."))
        return message.removeprefix("Value error, ")
    try:
        return str(template) % {key: value for key, value in (error.get("ctx") or {}).items()}
    except (KeyError, TypeError, ValueError):
        return str(error.get("msg", template))


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ninja's validation errors as ``details`` entries: one per field, in French."""
    details = []
    for error in errors:
        location = list(error.get("loc") or [])
        source = str(location.pop(0)) if location else None
        details.append(
            {
                "field": ".".join(str(part) for part in location) or None,
                "message": _french_message(error),
                "code": str(error.get("type", "invalid")),
                "location": source,
            }
        )
    return details


def django_validation_details(error: DjangoValidationError) -> list[dict[str, Any]]:
    if hasattr(error, "error_dict"):
        return [
            {"field": None if field == "__all__" else field, "message": message, "code": None}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"field": None, "message": message, "code": None} for message in error.messages]


# --- Exception handlers ------------------------------------------------------------------------


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default handlers by ones that answer the Clocher error format."""

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(
            api,
            request,
            exc.status_code,
            code=exc.code,
            message=exc.message,
            details=exc.details,
            headers=exc.headers,
        )

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja's own HttpErrors carry English messages: answer the French one for the status.
        return error_response(api, request, exc.status_code)

    def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(api, request, 401)

    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        return error_response(api, request, 429)

    def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return error_response(api, request, 422, details=validation_details(exc.errors))

    def on_django_validation_error(
        request: HttpRequest, exc: DjangoValidationError
    ) -> HttpResponse:
        return error_response(api, request, 422, details=django_validation_details(exc))

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404)

    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(api, request, 403)

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(api, request, 413)

    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        logging.getLogger("django.security").warning("Suspicious API request: %s", exc)
        return error_response(api, request, 400)

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error("Unhandled error in API %s %s", request.method, request.path, exc_info=exc)
        acting = context.current()
        message = STATUS_CODES[500][1]
        if acting is not None:
            message = _("%(message)s Référence : %(request_id)s.") % {
                "message": message,
                "request_id": acting.request_id,
            }
        return error_response(api, request, 500, message=message)

    handlers: dict[type[Exception], Callable[[HttpRequest, Any], HttpResponse]] = {
        Exception: on_unexpected,
        HttpError: on_http_error,
        ApiError: on_api_error,
        AuthenticationError: on_authentication_error,
        Throttled: on_throttled,
        NinjaValidationError: on_validation_error,
        DjangoValidationError: on_django_validation_error,
        Http404: on_not_found,
        PermissionDenied: on_permission_denied,
        RequestDataTooBig: on_too_big,
        SuspiciousOperation: on_suspicious,
    }
    for exception_class, handler in handlers.items():
        api.add_exception_handler(exception_class, handler)
