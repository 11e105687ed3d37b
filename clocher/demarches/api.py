"""Démarches API, under ``/api/v1/communes/{commune_slug}/`` (``ModuleInfo.api_prefix``).

Public, without a key (rate-limited per address like every anonymous call):

- ``GET …/procedures``: the commune's published procedures and their form fields;
- ``POST …/procedures/{procedure_slug}/requests``: submit a request (``Channel.API``), through
  ``services.submission.request_submit`` like every other channel.

With a commune API key whose scopes are family grants (``requests_<family>:read`` /
``requests_<family>:write``, registered in ``apps.py``):

- ``GET …/requests`` and ``GET …/requests/{request_number}``: only the families the key may read;
  a request of another family answers 404, as if it did not exist. Reading a request is
  journaled on it, for the citizen to see (``services.api_access``);
- ``POST …/requests/{request_number}/status``: through ``services.instruction.request_set_status``.

The key's commune must be the path's commune, otherwise 404. Bodies are read here rather than by
ninja so that every malformed input (not JSON, not UTF-8, not an object, a lone surrogate, a
number too large, nesting too deep, unknown keys) answers 400 or 422 with a message per field,
never a server error.
"""

import datetime
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from clocher.core.api.auth import api_key_auth, key_commune
from clocher.core.api.errors import ApiError
from clocher.core.api.pagination import Pagination, paginate
from clocher.demarches import selectors
from clocher.demarches.formschema import (
    FieldSpec,
    FormSchema,
    SchemaError,
    published_form_schema,
)
from clocher.demarches.formschema.file_references import with_file_names
from clocher.demarches.models import Channel, Family, Procedure, Request
from clocher.demarches.services import api_access, statuses
from clocher.demarches.services.answer_values import schema_of
from clocher.demarches.services.submission import SubmissionRefused, request_submit
from clocher.tenancy.models import Commune
from clocher.tenancy.selectors import communes_active

router = Router(tags=["démarches"])

MAX_DATA_KEYS = 500
MAX_DEPTH = 12
MAX_SAFE_INTEGER = 2**53
MAX_MESSAGE_LENGTH = 10_000
SUBMISSION_KEYS = {"data", "email"}
STATUS_KEYS = {"status", "message"}


# --- Schemas -------------------------------------------------------------------------------------


class ChoiceOut(Schema):
    value: str
    label: str


class FieldOut(Schema):
    name: str
    label: str
    type: str = Field(
        description="text, textarea, number, date, email, phone, choice, multichoice, checkbox, "
        "address, file ou repeat (bloc répétable : ses champs sont dans `fields`)."
    )
    required: bool = Field(description="Obligatoire quand le champ est affiché (voir `condition`).")
    personal: bool = Field(description="Donnée personnelle : conservée chiffrée, puis effacée.")
    choices: list[ChoiceOut] | None = Field(None, description="Pour choice et multichoice.")
    fields: list["FieldOut"] | None = Field(None, description="Les champs d'un bloc répétable.")
    condition: dict[str, Any] | None = Field(
        None,
        description="Le champ n'est demandé que si cette condition est vraie "
        '(`{"field", "op", "value"}`, ou `{"all": […]}` / `{"any": […]}`).',
    )


FieldOut.model_rebuild()


class ProcedureOut(Schema):
    slug: str
    title: str
    family: str
    family_label: str
    description: str
    form_version: int
    web_url: str = Field(description="Le formulaire en ligne de cette démarche.")
    fields: list[FieldOut]


class SubmittedOut(Schema):
    number: str = Field(description="Le numéro de suivi de la demande.")
    tracking_url: str = Field(
        description="Le lien secret de suivi, à transmettre au seul usager (il y lit l'état de "
        "sa demande et y écrit à la mairie)."
    )
    status: str
    received_at: datetime.datetime


class RequestFilter(Schema):
    status: str | None = Field(None, max_length=40, description="Code du statut.")
    procedure: str | None = Field(None, max_length=80, description="Adresse de la démarche.")
    family: Family | None = Field(None, description="Ne garder que cette famille.")


class RequestOut(Schema):
    number: str
    procedure: str = Field(description="Adresse (slug) de la démarche.")
    procedure_title: str
    family: str
    status: str
    status_label: str
    status_kind: str = Field(
        description="received, in_progress, waiting_citizen, accepted, refused ou closed."
    )
    channel: str
    received_at: datetime.datetime
    summary: str
    deadline_on: datetime.date | None
    implicit_decision_on: datetime.date | None
    decided_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    is_anonymised: bool


class RequestFileOut(Schema):
    field: str = Field(description="Le champ du formulaire, ou vide pour une pièce jointe.")
    name: str
    content_type: str
    size: int


class RequestDetailOut(RequestOut):
    form_version: int
    values: dict[str, Any] = Field(description="Les réponses non personnelles.")
    personal_values: dict[str, Any] = Field(
        description="Les réponses personnelles (vides après anonymisation)."
    )
    email: str
    files: list[RequestFileOut]


# --- Helpers -------------------------------------------------------------------------------------


def _lookup(value: str, limit: int) -> str:
    """A path or query value fit for a database lookup, or 404 (PostgreSQL refuses NUL)."""
    if "\x00" in value or len(value) > limit:
        raise ApiError(404)
    return value


def _active_commune(commune_slug: str) -> Commune:
    commune = communes_active().filter(slug=_lookup(commune_slug, 100)).first()
    if commune is None:
        raise ApiError(404)
    return commune


def _schema_of(procedure: Procedure) -> FormSchema | None:
    form = procedure.current_form
    if form is None:
        return None
    try:
        return published_form_schema(form)
    except SchemaError:
        return None


def _field_json(spec: FieldSpec) -> dict[str, Any]:
    out = spec.as_json()
    if spec.condition:
        out["condition"] = spec.condition
    if spec.fields:
        out["fields"] = [_field_json(sub) for sub in spec.fields if sub.has_value]
    return out


def _web_url(commune: Commune, procedure: Procedure) -> str:
    from django.urls import reverse

    path = reverse(
        "public:demarches:start",
        kwargs={"commune_slug": commune.slug, "procedure_slug": procedure.slug},
    )
    return f"{settings.SITE_URL}{path}"


def _detail(field: str | None, message: str, code: str = "invalid") -> dict[str, Any]:
    return {"field": field, "message": message, "code": code, "location": "body"}


def _invalid(details: list[dict[str, Any]]) -> ApiError:
    return ApiError(422, "invalid", details=details)


def _json_object(request: HttpRequest, allowed: set[str]) -> dict[str, Any]:
    """The body as a JSON object with only ``allowed`` keys, or an ApiError (400/422)."""
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(
            400, "bad_request", _("Le corps de la requête doit être du JSON encodé en UTF-8.")
        ) from error
    try:
        payload = json.loads(text) if text.strip() else None
    except (ValueError, RecursionError) as error:
        raise ApiError(
            400, "bad_request", _("Le corps de la requête n'est pas du JSON valide.")
        ) from error
    if not isinstance(payload, dict):
        raise _invalid([_detail(None, _("Le corps de la requête doit être un objet JSON."))])
    unknown = [key for key in payload if key not in allowed]
    if unknown:
        raise _invalid(
            [_detail(_printable(key)[:80], _("Ce champ n'est pas attendu.")) for key in unknown]
        )
    return payload


def _printable(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")


def _unsafe_values(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Strings that cannot be stored (lone surrogates), integers beyond what JSON numbers keep
    exactly, and nesting too deep — one error per answer, walked without recursion."""
    errors: dict[str, str] = {}
    stack: list[tuple[str, Any, int]] = [
        (_printable(str(key))[:80], value, 1) for key, value in data.items()
    ]
    for key in data:
        if isinstance(key, str) and _printable(key) != key:
            errors[_printable(key)[:80]] = _("Ce nom de champ contient des caractères invalides.")
    while stack:
        path, value, depth = stack.pop()
        top = path.split(".", 1)[0]
        if top in errors:
            continue
        if depth > MAX_DEPTH:
            errors[top] = _("Cette valeur est imbriquée trop profondément.")
        elif isinstance(value, str):
            if _printable(value) != value:
                errors[top] = _("Ce texte contient des caractères invalides.")
        elif isinstance(value, bool) or value is None or isinstance(value, float):
            continue
        elif isinstance(value, int):
            if abs(value) > MAX_SAFE_INTEGER:
                errors[top] = _("Ce nombre est trop grand.")
        elif isinstance(value, list):
            stack.extend((path, item, depth + 1) for item in value)
        elif isinstance(value, dict):
            for sub_key, item in value.items():
                if _printable(str(sub_key)) != sub_key:
                    errors[top] = _("Ce nom de champ contient des caractères invalides.")
                    break
                stack.append((path, item, depth + 1))
    return [_detail(f"data.{name}", message) for name, message in errors.items()]


def _file_fields(schema: FormSchema) -> tuple[set[str], dict[str, set[str]]]:
    top = {spec.name for spec in schema.fields if spec.type == "file"}
    nested = {
        spec.name: {sub.name for sub in spec.fields if sub.type == "file"}
        for spec in schema.fields
        if spec.type == "repeat" and any(sub.type == "file" for sub in spec.fields)
    }
    return top, nested


def _files_sent(schema: FormSchema, data: dict[str, Any], web_url: str) -> list[dict[str, Any]]:
    """Files are not accepted through the API: any value given to a file field is an error."""
    top, nested = _file_fields(schema)
    message = _(
        "Les fichiers ne peuvent pas être envoyés par l'API : déposez cette demande avec le "
        "formulaire en ligne (%(url)s)."
    ) % {"url": web_url}
    errors = [
        _detail(f"data.{name}", message, "file_not_accepted")
        for name in sorted(top)
        if data.get(name) not in (None, "", [])
    ]
    for name, subs in nested.items():
        items = data.get(name)
        if not isinstance(items, list):
            continue
        for position, item in enumerate(items, start=1):
            if isinstance(item, dict):
                errors.extend(
                    _detail(f"data.{name}.{position}.{sub}", message, "file_not_accepted")
                    for sub in sorted(subs)
                    if item.get(sub) not in (None, "", [])
                )
    return errors


def _refusal_details(
    errors: dict[str, list[str]], schema: FormSchema, web_url: str
) -> list[dict[str, Any]]:
    top, nested = _file_fields(schema)
    required_file = _(
        "Cette démarche demande un fichier, qui ne peut pas être envoyé par l'API : déposez-la "
        "avec le formulaire en ligne (%(url)s)."
    ) % {"url": web_url}
    details = []
    for key, messages in errors.items():
        parts = key.split(".")
        is_file = key in top or (
            len(parts) == 3 and parts[0] in nested and parts[2] in nested[parts[0]]
        )
        if key == "__all__":
            field = None
        elif key == "email":
            field = "email"
        else:
            field = f"data.{key}"
        for message in messages:
            if is_file:
                details.append(_detail(field, required_file, "file_required"))
            else:
                details.append(_detail(field, message))
    return details


def _status_label(request: Request) -> str:
    status = statuses.status_by_code(request.procedure, request.status)
    return status.label if status else request.status


def _request_out(request: Request) -> dict[str, Any]:
    return {
        "number": request.number,
        "procedure": request.procedure.slug,
        "procedure_title": request.procedure.title,
        "family": request.family,
        "status": request.status,
        "status_label": _status_label(request),
        "status_kind": request.status_kind,
        "channel": request.channel,
        "received_at": request.received_at,
        "summary": request.summary,
        "deadline_on": request.deadline_on,
        "implicit_decision_on": request.implicit_decision_on,
        "decided_at": request.decided_at,
        "closed_at": request.closed_at,
        "is_anonymised": request.is_anonymised,
    }


def _request_detail(request: Request) -> dict[str, Any]:
    from clocher.core.vault import read_file_name

    files = []
    names: dict[str, str] = {}
    for request_file in request.files.select_related("vault_file").order_by("added_at", "pk"):
        vault_file = request_file.vault_file
        names[str(vault_file.pk)] = read_file_name(vault_file)
        files.append(
            {
                "field": request_file.field_name,
                "name": names[str(vault_file.pk)],
                "content_type": vault_file.content_type,
                "size": vault_file.size,
            }
        )
    fields = schema_of(request.form_version.schema).fields
    return {
        **_request_out(request),
        "form_version": request.form_version.number,
        # Files named as before: the stored values keep only their vault references.
        "values": with_file_names(fields, request.values or {}, names),
        "personal_values": request.personal(),
        "email": request.email or "",
        "files": files,
    }


def _readable_request(request: HttpRequest, commune_slug: str, number: str) -> Request:
    """The request with that number, if the key may read its family (or write it); else 404."""
    key_commune(request, commune_slug)
    api_key = request.api_key  # type: ignore[attr-defined]
    families = api_access.api_key_families(api_key, api_access.READ) | api_access.api_key_families(
        api_key, api_access.WRITE
    )
    found = (
        Request.objects.for_commune(api_key.commune)
        .filter(family__in=families, number=_lookup(number, 40))
        .select_related("procedure", "form_version", "commune")
        .first()
    )
    if found is None:
        raise ApiError(404)
    return found


# --- Public operations ---------------------------------------------------------------------------


@router.get(
    "/procedures",
    response=list[ProcedureOut],
    auth=None,
    exclude_none=True,
    summary="Démarches en ligne d'une commune",
)
@paginate(Pagination)
def procedure_list(request: HttpRequest, commune_slug: Path[str]) -> list[dict[str, Any]]:
    """Les démarches publiées de la commune, par titre, avec les champs de leur formulaire :
    `name`, `label`, `type`, `required`, `personal`, `choices` (choix simples et multiples),
    `fields` (bloc répétable) et `condition` (le champ n'est demandé que si elle est vraie).
    Public, sans clé ; commune inconnue : 404."""
    commune = _active_commune(commune_slug)
    items = []
    for procedure in selectors.published_procedures(commune).order_by("title", "pk"):
        schema = _schema_of(procedure)
        if schema is None:
            continue
        assert procedure.current_form is not None
        items.append(
            {
                "slug": procedure.slug,
                "title": procedure.title,
                "family": procedure.family,
                "family_label": str(Family(procedure.family).label),
                "description": procedure.description,
                "form_version": procedure.current_form.number,
                "web_url": _web_url(commune, procedure),
                "fields": [_field_json(spec) for spec in schema.fields if spec.has_value],
            }
        )
    return items


SUBMISSION_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["data", "email"],
                "additionalProperties": False,
                "properties": {
                    "data": {
                        "type": "object",
                        "description": "Les réponses : nom du champ → valeur (voir les `fields` "
                        "de la démarche). Texte, nombre, date `AAAA-MM-JJ`, booléen pour une case "
                        "à cocher, valeur d'un choix, liste de valeurs pour un choix multiple, "
                        '`{"text": "…"}` pour une adresse, liste d\'objets pour un bloc '
                        "répétable.",
                        "additionalProperties": True,
                    },
                    "email": {
                        "type": "string",
                        "format": "email",
                        "maxLength": 254,
                        "description": "L'adresse de l'usager : l'accusé de réception et le lien "
                        "de suivi y sont envoyés.",
                    },
                },
            }
        }
    },
}


@router.post(
    "/procedures/{procedure_slug}/requests",
    response={201: SubmittedOut},
    auth=None,
    summary="Déposer une demande",
    openapi_extra={"requestBody": SUBMISSION_BODY},
)
def request_create(
    request: HttpRequest, commune_slug: Path[str], procedure_slug: Path[str]
) -> Status[dict[str, Any]]:
    """Dépose une demande au nom d'un usager, comme le formulaire en ligne : mêmes contrôles,
    même accusé de réception envoyé à `email`. Réponse 201 avec le numéro de suivi et le lien
    secret de suivi.

    Corps : `{"data": {nom du champ: valeur}, "email": "…"}`. Une erreur par champ (422) :
    `field` vaut `email`, `data.<nom>` ou `data.<bloc>.<n>.<nom>` ; un champ inconnu, une
    valeur d'un autre type, un choix qui n'est pas proposé sont refusés ; un corps qui n'est pas
    du JSON en UTF-8 répond 400.

    **Fichiers** : ils ne sont pas acceptés par l'API (une valeur donnée à un champ `file` est
    refusée, code `file_not_accepted`). Une démarche dont un champ fichier obligatoire est affiché
    répond 422 (code `file_required`) en donnant l'adresse du formulaire en ligne, où l'usager
    peut joindre ses pièces. Limité en débit par adresse (429)."""
    procedure = selectors.published_procedure_in_active_commune(
        _lookup(commune_slug, 100), _lookup(procedure_slug, 80)
    )
    if procedure is None:
        _active_commune(commune_slug)  # an unknown commune and an unknown procedure: both 404
        raise ApiError(404)
    commune = procedure.commune
    schema = _schema_of(procedure)
    if schema is None:
        raise ApiError(404)
    payload = _json_object(request, SUBMISSION_KEYS)
    data, email = payload.get("data"), payload.get("email")
    details = []
    if not isinstance(data, dict):
        details.append(
            _detail("data", _("Un objet JSON est attendu (nom du champ : valeur)."), "dict_type")
        )
    elif len(data) > MAX_DATA_KEYS:
        details.append(_detail("data", _("Trop de champs."), "too_long"))
    else:
        details += _unsafe_values(data)
        web_url = _web_url(commune, procedure)
        details += _files_sent(schema, data, web_url)
    if email is None:
        details.append(
            _detail(
                "email",
                _("Indiquez l'adresse e-mail de l'usager : l'accusé de réception y sera envoyé."),
                "missing",
            )
        )
    elif not isinstance(email, str):
        details.append(_detail("email", _("Entrez un texte."), "string_type"))
    elif _printable(email) != email:
        details.append(_detail("email", _("Cette adresse e-mail n'est pas valide.")))
    if details:
        raise _invalid(details)
    assert isinstance(data, dict) and isinstance(email, str)
    try:
        submitted = request_submit(procedure=procedure, data=data, email=email, channel=Channel.API)
    except SubmissionRefused as refusal:
        raise _invalid(
            _refusal_details(refusal.errors, schema, _web_url(commune, procedure))
        ) from refusal
    created = submitted.request
    return Status(
        201,
        {
            "number": created.number,
            "tracking_url": f"{settings.SITE_URL}{submitted.tracking_path}",
            "status": created.status,
            "received_at": created.received_at,
        },
    )


# --- Staff operations (commune API key, family scopes) ------------------------------------------


@router.get(
    "/requests",
    response=list[RequestOut],
    auth=api_key_auth,
    summary="Demandes reçues",
    openapi_extra={"x-required-scope": "requests_<famille>:read"},
)
@paginate(Pagination)
def request_list(
    request: HttpRequest, commune_slug: Path[str], filters: Query[RequestFilter]
) -> Any:
    """Les demandes de la commune dans les familles que la clé peut lire, des plus récentes aux
    plus anciennes ; filtres `status` (code), `procedure` (adresse) et `family`.

    Portées : `requests_<famille>:read` pour lire, `requests_<famille>:write` pour changer le
    statut, une par famille (civil_status, social, fiscal, planning, roads, school, funeral,
    facilities, general) : la portée vaut habilitation de la clé pour la famille. Une clé sans
    aucune portée de lecture des demandes répond 403 ; une demande d'une famille que la clé ne
    couvre pas répond 404, comme si elle n'existait pas."""
    key_commune(request, commune_slug)
    api_key = request.api_key  # type: ignore[attr-defined]
    families = api_access.api_key_families(api_key, api_access.READ)
    if not families:
        raise ApiError(
            403,
            "missing_scope",
            _(
                "Cette clé d'API n'a aucune portée de lecture des demandes "
                "(requests_<famille>:read)."
            ),
        )
    queryset = (
        api_access.requests_for_api_key(api_key)
        .select_related("procedure")
        .order_by("-received_at", "-pk")
    )
    for value in (filters.status, filters.procedure):
        if value and "\x00" in value:  # no status or address holds one (PostgreSQL refuses it)
            return _LazyRows(queryset.none())
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.procedure:
        queryset = queryset.filter(procedure__slug=filters.procedure)
    if filters.family:
        queryset = queryset.filter(family=filters.family)
    return _LazyRows(queryset)


class _LazyRows:
    """A queryset whose page is turned into dicts only once sliced by the paginator."""

    def __init__(self, queryset: Any) -> None:
        self.queryset = queryset

    def count(self) -> int:
        return int(self.queryset.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [_request_out(row) for row in self.queryset[index]]


@router.get(
    "/requests/{request_number}",
    response=RequestDetailOut,
    auth=api_key_auth,
    summary="Une demande, avec ses réponses",
    openapi_extra={"x-required-scope": "requests_<famille>:read"},
)
def request_detail(
    request: HttpRequest, commune_slug: Path[str], request_number: Path[str]
) -> dict[str, Any]:
    """Une demande par son numéro de suivi, avec toutes ses réponses, personnelles comprises :
    la portée de la clé vaut habilitation pour la famille. Chaque lecture est inscrite au journal
    de la demande, que l'usager consulte (au plus une fois par heure et par clé)."""
    found = _readable_request(request, commune_slug, request_number)
    api_key = request.api_key  # type: ignore[attr-defined]
    if found.family not in api_access.api_key_families(api_key, api_access.READ):
        raise ApiError(404)
    api_access.request_open_by_api_key(request=found, api_key=api_key)
    return _request_detail(found)


STATUS_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["status"],
                "additionalProperties": False,
                "properties": {
                    "status": {
                        "type": "string",
                        "maxLength": 40,
                        "description": "Le code du nouveau statut (par défaut : received, "
                        "in_progress, waiting_citizen, accepted, refused, closed).",
                    },
                    "message": {
                        "type": "string",
                        "maxLength": MAX_MESSAGE_LENGTH,
                        "description": "Un message pour l'usager, lisible sur sa page de suivi.",
                    },
                },
            }
        }
    },
}


@router.post(
    "/requests/{request_number}/status",
    response=RequestDetailOut,
    auth=api_key_auth,
    summary="Changer le statut d'une demande",
    openapi_extra={"requestBody": STATUS_BODY, "x-required-scope": "requests_<famille>:write"},
)
def request_status_change(
    request: HttpRequest, commune_slug: Path[str], request_number: Path[str]
) -> dict[str, Any]:
    """Passe la demande au statut `status` (un des statuts de sa démarche) et prévient l'usager
    par e-mail, avec `message` sur sa page de suivi. Un statut final (acceptée, refusée, classée)
    clôt le dossier. Il faut la portée `requests_<famille>:write` de la famille de la demande
    (403 si la clé peut seulement la lire, 404 si elle ne couvre pas sa famille)."""
    from clocher.demarches.services.instruction import InstructionRefused

    found = _readable_request(request, commune_slug, request_number)
    api_key = request.api_key  # type: ignore[attr-defined]
    if found.family not in api_access.api_key_families(api_key, api_access.WRITE):
        raise ApiError(
            403,
            "missing_scope",
            _("Cette clé d'API n'a pas la portée « %(scope)s ».")
            % {"scope": f"requests_{found.family}:write"},
        )
    payload = _json_object(request, STATUS_KEYS)
    status_code, message = payload.get("status"), payload.get("message", "")
    details = []
    if not isinstance(status_code, str) or not status_code.strip():
        details.append(_detail("status", _("Indiquez le code du nouveau statut."), "missing"))
    elif statuses.status_by_code(found.procedure, status_code) is None:
        allowed = ", ".join(status.code for status in statuses.statuses_of(found.procedure))
        details.append(
            _detail(
                "status",
                _("Ce statut n'existe pas pour cette démarche (statuts : %(allowed)s).")
                % {"allowed": allowed},
                "enum",
            )
        )
    if not isinstance(message, str) or _printable(message) != message:
        details.append(_detail("message", _("Entrez un texte."), "string_type"))
    elif len(message) > MAX_MESSAGE_LENGTH:
        details.append(
            _detail(
                "message",
                _("Ce texte est trop long (%(max)s caractères au plus).")
                % {"max": MAX_MESSAGE_LENGTH},
                "string_too_long",
            )
        )
    if details:
        raise _invalid(details)
    assert isinstance(status_code, str) and isinstance(message, str)
    try:
        api_access.request_status_by_api_key(
            request=found, api_key=api_key, status_code=status_code, message=message
        )
    except InstructionRefused as refusal:
        raise ApiError(
            409 if refusal.field is None else 422,
            "conflict" if refusal.field is None else "invalid",
            refusal.message,
            details=[_detail(refusal.field, refusal.message)] if refusal.field else [],
        ) from refusal
    found.refresh_from_db()
    return _request_detail(found)
