"""Receiving a request, whatever the channel: validate, store in one transaction, queue the
acknowledgment.

``request_submit`` is the only way a :class:`Request` is created — from the public form, the
counter entry of an agent, the API or a triaged e-mail. Nothing is lost on bad input: it raises
:class:`SubmissionRefused` with an error per field before writing anything, and the caller keeps
the draft.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clocher.core.models import VaultFile
from clocher.core.vault import blind_index
from clocher.demarches.formschema import (
    FieldSpec,
    published_form_schema,
    validate_submission,
)
from clocher.demarches.formschema.file_references import without_file_names
from clocher.demarches.models import (
    Channel,
    Draft,
    EventKind,
    Mandate,
    Procedure,
    Request,
    RequestFile,
    SilenceRule,
)
from clocher.demarches.services import journal, legal_delays, statuses, tracking

EMAIL_INDEX_CONTEXT = "demarches.Request.email"
# Channels where the citizen is online and must give an e-mail for the acknowledgment.
ONLINE_CHANNELS = {Channel.WEB, Channel.API}


class SubmissionRefused(Exception):
    """The submission was not stored; ``errors`` maps each field name to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(_("La demande contient des erreurs."))
        self.errors = errors


@dataclass(frozen=True)
class Submitted:
    request: Request
    token: str  # the secret of the tracking link: shown once and e-mailed, never stored

    @property
    def tracking_path(self) -> str:
        return tracking.tracking_path(self.request.procedure.commune, self.token)


def _summary(fields: list[FieldSpec], values: dict[str, Any]) -> str:
    for spec in fields:
        value = values.get(spec.name)
        if spec.personal or value in (None, "", []):
            continue
        if spec.type == "choice":
            return f"{spec.label} : {spec.choice_label(str(value))}"[:200]
        if spec.type == "text":
            return f"{spec.label} : {value}"[:200]
    return ""


def _file_ids(fields: list[FieldSpec], values: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for spec in fields:
        if spec.type == "file":
            found += [(spec.name, item["file"]) for item in values.get(spec.name) or []]
        elif spec.type == "repeat":
            for item in values.get(spec.name) or []:
                for sub in spec.fields:
                    if sub.type == "file":
                        found += [(spec.name, ref["file"]) for ref in item.get(sub.name) or []]
    return found


def request_submit(
    *,
    procedure: Procedure,
    data: Any,
    email: str = "",
    channel: Channel = Channel.WEB,
    actor: Any = None,
    mandate: Mandate | None = None,
    citizen_account: Any = None,
    draft: Draft | None = None,
    received_at: Any = None,
) -> Submitted:
    """Validate and store one request; queue its acknowledgment once the transaction commits.

    ``actor`` is the agent entering it for a citizen (counter, phone, letter, e-mail), ``mandate``
    the recorded mandate they act under, if any. ``received_at`` defaults to now (a letter is
    received when it arrived, which the agent may state).
    """
    commune = procedure.commune
    form = procedure.current_form
    if not procedure.is_published or form is None or not form.is_published:
        raise SubmissionRefused({"__all__": [_("Cette démarche n'est pas ouverte en ligne.")]})
    schema = published_form_schema(form)
    validated = validate_submission(schema, data)
    email = (email or "").strip() if isinstance(email, str) else ""
    if isinstance(email, str) and len(email) > 254:
        validated.add_error("email", _("Cette adresse e-mail est trop longue."))
    elif email:
        try:
            validate_email(email)
        except ValidationError:
            validated.add_error(
                "email", _("Cette adresse e-mail n'est pas valide (exemple : nom@exemple.fr).")
            )
    elif channel in ONLINE_CHANNELS:
        validated.add_error(
            "email", _("Indiquez votre adresse e-mail : l'accusé de réception y sera envoyé.")
        )
    if mandate is not None and (
        mandate.commune_id != commune.pk
        or mandate.revoked_at is not None
        or mandate.valid_until < timezone.localdate()
        or procedure.family not in (mandate.families or [])
    ):
        validated.add_error("mandate", _("Ce mandat n'est pas valable pour cette démarche."))
    all_values = validated.all_values
    file_refs = _file_ids(list(schema.fields), all_values)
    if file_refs:
        known = set(
            str(pk)
            for pk in VaultFile.objects.for_commune(commune)
            .filter(pk__in=[ref for _name, ref in file_refs])
            .values_list("pk", flat=True)
        )
        for name, ref in file_refs:
            if ref not in known:
                validated.add_error(name, _("Ce fichier n'a pas été reçu : joignez-le à nouveau."))
    if validated.errors:
        raise SubmissionRefused(validated.errors)

    first = statuses.initial_status(procedure)
    received_at = received_at or timezone.now()
    received_on = timezone.localdate(received_at)
    with transaction.atomic():
        token = tracking.new_token()
        request = Request(
            commune=commune,
            procedure=procedure,
            form_version=form,
            family=procedure.family,
            number=tracking.next_request_number(commune),
            tracking_token_hash=tracking.token_hash(token),
            status=first.code,
            status_kind=first.kind,
            channel=channel,
            received_at=received_at,
            summary=_summary(list(schema.fields), all_values),
            # Files by their vault reference only: their names stay sealed in the vault.
            values=without_file_names(schema.fields, validated.values),
            entered_by=actor if getattr(actor, "is_authenticated", False) else None,
            mandate=mandate,
            citizen_account=citizen_account,
            deadline_on=received_on + datetime.timedelta(days=procedure.processing_days),
        )
        if procedure.silence_rule != SilenceRule.NOT_APPLICABLE:
            request.implicit_decision_on = legal_delays.implicit_decision_date(
                received_on, procedure.silence_delay_months
            )
        request.tracking_token = token
        request.personal_values = json.dumps(validated.personal, ensure_ascii=False)
        request.email = email
        if email:
            request.email_index = blind_index(commune.pk, email, context=EMAIL_INDEX_CONTEXT)
        request.save()
        for name, ref in file_refs:
            RequestFile.objects.create(
                commune=commune,
                request=request,
                family=request.family,
                field_name=name,
                vault_file_id=ref,
                from_citizen=actor is None,
            )
        journal.log_event(
            request,
            EventKind.SUBMITTED,
            actor=actor,
            label=journal.actor_label(actor) if actor is not None else _("Vous"),
            visible=True,
            status_to=first.code,
            data={"channel": channel},
        )
        if draft is not None and draft.pk is not None:
            draft.delete()
        _queue_acknowledgment(request.pk)
    return Submitted(request=request, token=token)


def _queue_acknowledgment(request_id: int) -> None:
    """Queue the acknowledgment with the request.

    With the database task backend (the default) the task row is written in the submission's
    own transaction: the request and its queued acknowledgment exist together or not at all.
    With an outside queue (Redis), it is sent once the transaction has committed, so that the
    worker finds the request.
    """
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    from clocher.demarches.tasks import issue_acknowledgment

    if isinstance(task_backends[issue_acknowledgment.backend], DatabaseBackend):
        issue_acknowledgment.enqueue(request_id)
    else:
        transaction.on_commit(lambda: issue_acknowledgment.enqueue(request_id))
