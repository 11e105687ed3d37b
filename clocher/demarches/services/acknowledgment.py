"""The acknowledgment of receipt (accusé de réception) of every request, whatever its channel.

Legal frame (Code des relations entre le public et l'administration, CRPA), read from the
consolidated texts (Légifrance and mirrors of its LEGI base: legal.tricoteuses.fr, doctrine.fr);
cited by number only, never copied:

- L112-3 — every request addressed to the administration gets an acknowledgment (R112-4 lists
  the cases where none is due; Clocher issues one anyway: it costs nothing and the citizen keeps
  a proof). L112-6 — without a regular acknowledgment, the appeal delays cannot be held against
  the citizen: this is why the appeal routes are always printed.
- R112-5 — mentions of the acknowledgment: date of receipt and the date on which, failing an
  express decision, the request is deemed accepted or refused; name, postal address, e-mail and
  phone of the service in charge; where relevant, the missing pieces (L114-5); whether silence
  means acceptance (then the L232-3 attestation can be asked for) or refusal (then the appeal
  routes and delays).
- L112-8 — the right to address the administration electronically; L112-11 — every electronic
  submission gets an electronic acknowledgment of receipt (AER) and, when that one is not
  immediate, an electronic acknowledgment of registration (AEE); L112-12 is cited together with
  L112-11 by the sectoral texts that require them.
- R112-11-1 — mentions of the AER: the same as R112-5 (date of receipt, service and its
  contact details; for a request, acceptance or refusal by silence and its date, *provided the
  request is complete*; attestation L232-3 or appeal routes).
- R112-11-2 — delays. The text we could read (LEGI id LEGIARTI000031430621; that copy does not
  print the article number, which we take from the 2016 codification of the AER rules) says:
  the AEE at once (or within one working day), and a non-immediate AER **at the latest seven
  days** after receipt, counted from the seizure of the competent administration. Sources
  disagree: the service-public.fr sheet on the "saisine par voie électronique" (F33312, last
  checked 2019, copied on many commune sites) and several collectivity guides say **ten working
  days**; the 2015 circular to ministries said seven days. We follow the text in force, the
  shorter delay, and do better than both: the acknowledgment is issued by the worker as soon as
  the submission commits (seconds), which makes it immediate, so no separate AEE is sent. An
  acknowledgment issued later than :data:`LATEST_DAYS` after receipt is flagged ``late`` in the
  journal entry.
- L114-5 — an incomplete request: the administration lists the missing pieces and sets a delay
  to provide them; the implicit-decision delay only runs from their receipt (``services.clock``).
- L231-1 — silence kept two months means acceptance; L231-4 and the decrees under it — where it
  means refusal; a mere report or message calls for no decision (``SilenceRule.NOT_APPLICABLE``).
  L232-2 — publicity of some requests that can be accepted implicitly; L232-4 — the reasons of an
  implicit refusal are given on request.
- Code de justice administrative R421-1 (two months to go to the administrative court), R421-2
  (implicit refusal), R421-5 (the delay only runs when the notification states it).

The mentions are computed from the procedure and the request, never from personal values (a
personal field is only checked for being empty, to list what is missing), and frozen on the
:class:`~clocher.demarches.models.Acknowledgment` when issued.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clocher.core.vault import read_file, store_file
from clocher.demarches.documents.layout import french_date, french_datetime
from clocher.demarches.documents.templates import appeal_routes_of
from clocher.demarches.formschema import FieldSpec, parse_schema, visible_fields
from clocher.demarches.formschema.conditions import evaluate
from clocher.demarches.models import (
    Acknowledgment,
    Channel,
    EventKind,
    Request,
    RequestFile,
    SilenceRule,
)
from clocher.demarches.services import journal, legal_delays, tracking

logger = logging.getLogger(__name__)

MENTIONS_VERSION = 1
# R112-11-2: a non-immediate electronic acknowledgment is sent at the latest seven days after
# receipt (some guides say ten working days: see the module docstring).
LATEST_DAYS = 7
# L114-5: the delay given to provide missing pieces, unless the procedure sets its own
# (``Procedure.options["missing_documents_days"]``).
MISSING_DOCUMENTS_DAYS = 30
ACKNOWLEDGMENT_FILENAME = "accuse-de-reception-{number}.pdf"


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {} or value is False


def missing_documents(request: Request) -> list[dict[str, str]]:
    """Required fields shown to this request that hold nothing: files not provided, items of a
    repeatable block left incomplete. Labels only — never a value."""
    schema = parse_schema(request.form_version.schema)
    values = {**(request.values or {}), **request.personal()}
    attached = set(
        RequestFile.objects.for_commune(request.commune)
        .filter(request=request)
        .exclude(field_name="")
        .values_list("field_name", flat=True)
    )
    missing: list[dict[str, str]] = []
    for spec in visible_fields(schema, values):
        if not spec.has_value:
            continue
        value = values.get(spec.name)
        if spec.type == "repeat":
            missing += _missing_in_items(spec, value, values)
        elif spec.required and _is_empty(value) and spec.name not in attached:
            missing.append({"field": spec.name, "label": spec.label, "kind": spec.type})
    return missing


def _missing_in_items(spec: FieldSpec, items: Any, values: dict[str, Any]) -> list[dict[str, str]]:
    if not isinstance(items, list) or not items:
        if spec.min_items > 0:
            return [{"field": spec.name, "label": spec.label, "kind": spec.type}]
        return []
    missing = []
    for position, item in enumerate(items, start=1):
        item = item if isinstance(item, dict) else {}
        scope = {**values, **item}
        for sub in spec.fields:
            if not sub.has_value or not sub.required or not evaluate(sub.condition, scope):
                continue
            if _is_empty(item.get(sub.name)):
                missing.append(
                    {
                        "field": f"{spec.name}.{position}.{sub.name}",
                        "label": _("%(block)s n° %(position)d : %(label)s")
                        % {"block": spec.label, "position": position, "label": sub.label},
                        "kind": sub.type,
                    }
                )
    return missing


def _silence(request: Request, *, is_complete: bool) -> dict[str, Any]:
    procedure = request.procedure
    rule = procedure.silence_rule
    months = procedure.silence_delay_months
    if rule == SilenceRule.NOT_APPLICABLE:
        return {
            "rule": rule,
            "delay_months": None,
            "decision_on": None,
            "text": _(
                "Cette demande n'appelle pas de décision administrative : le silence de la "
                "mairie ne vaut ni acceptation ni rejet. La mairie vous répondra ou vous tiendra "
                "informé(e) de la suite donnée."
            ),
        }
    decision_on = request.implicit_decision_on or legal_delays.implicit_decision_date(
        timezone.localdate(request.received_at), months
    )
    values = {"date": french_date(decision_on), "months": months}
    if rule == SilenceRule.ACCEPTANCE:
        text = (
            _(
                "Si la mairie ne vous a pas répondu le %(date)s (délai de %(months)d mois), votre "
                "demande sera réputée acceptée : c'est une décision implicite d'acceptation. Vous "
                "pourrez alors demander à la mairie une attestation de cette acceptation."
            )
            % values
        )
    else:
        text = (
            _(
                "Si la mairie ne vous a pas répondu le %(date)s (délai de %(months)d mois), votre "
                "demande sera réputée rejetée : c'est une décision implicite de rejet. Vous "
                "pourrez en demander les motifs et la contester selon les voies et délais de "
                "recours indiqués ci-dessous."
            )
            % values
        )
    if not is_complete:
        text += " " + _(
            "Cette date suppose un dossier complet : tant que les pièces manquantes indiquées "
            "ci-dessous ne sont pas reçues, le délai ne court pas ; il court à compter de leur "
            "réception."
        )
    return {
        "rule": rule,
        "delay_months": months,
        "decision_on": decision_on.isoformat(),
        "text": text,
    }


def acknowledgment_mentions(request: Request) -> dict[str, Any]:
    """Every mention the acknowledgment of ``request`` carries (R112-5, R112-11-1), as plain
    JSON-ready values; nothing personal."""
    procedure = request.procedure
    commune = request.commune
    missing = missing_documents(request)
    received_on = timezone.localdate(request.received_at)
    missing_due_on = None
    if missing:
        days = procedure.options.get("missing_documents_days", MISSING_DOCUMENTS_DAYS)
        days = days if isinstance(days, int) and 0 < days <= 365 else MISSING_DOCUMENTS_DAYS
        missing_due_on = received_on + datetime.timedelta(days=days)
    return {
        "version": MENTIONS_VERSION,
        "number": request.number,
        "procedure": procedure.title,
        "commune": commune.name,
        "channel": request.channel,
        "channel_label": str(Channel(request.channel).label),
        "received_at": request.received_at.isoformat(),
        "received_text": french_datetime(request.received_at),
        "service": {
            "name": procedure.service_name.strip()
            or _("Mairie de %(name)s") % {"name": commune.name},
            "address": (procedure.service_address or commune.address).strip(),
            "email": procedure.service_email or commune.email,
            "phone": procedure.service_phone or commune.phone,
        },
        "silence": _silence(request, is_complete=not missing),
        "appeal_routes": appeal_routes_of(procedure),
        "missing_documents": missing,
        "missing_documents_due_on": missing_due_on.isoformat() if missing_due_on else None,
        "acknowledgment_text": procedure.acknowledgment_text.strip(),
        "legal_basis": procedure.legal_basis.strip(),
        "retention_months": procedure.retention_months,
    }


def acknowledgment_issue(*, request: Request, send_email: bool = True) -> Acknowledgment:
    """Issue the acknowledgment of ``request`` once: freeze its mentions, draw and seal the PDF,
    journal it (visible to the citizen) and, when the request has an e-mail, send it with the
    tracking link and the PDF attached once the transaction commits. Calling it again returns
    the same acknowledgment (and only re-sends an e-mail that never left)."""
    from clocher.demarches.documents.acknowledgment import acknowledgment_pdf

    with transaction.atomic():
        locked = (
            Request.objects.for_commune(request.commune)
            .select_for_update(of=("self",))
            .select_related("procedure", "form_version", "commune")
            .get(pk=request.pk)
        )
        existing = Acknowledgment.objects.for_commune(locked.commune).filter(request=locked).first()
        if existing is not None:
            if send_email and existing.emailed_at is None and locked.email:
                _send_on_commit(existing.pk)
            return existing
        now = timezone.now()
        acknowledgment = Acknowledgment.objects.create(
            commune=locked.commune,
            request=locked,
            family=locked.family,
            issued_at=now,
            mentions=acknowledgment_mentions(locked),
        )
        acknowledgment.document = store_file(
            commune=locked.commune,
            data=acknowledgment_pdf(acknowledgment),
            name=ACKNOWLEDGMENT_FILENAME.format(number=locked.number),
            content_type="application/pdf",
            compartment=locked.family,
        )
        acknowledgment.save(update_fields=["document"])
        will_email = bool(send_email and locked.email)
        late = now - locked.received_at > datetime.timedelta(days=LATEST_DAYS)
        journal.log_event(
            locked,
            EventKind.ACKNOWLEDGED,
            label=_("Mairie (envoi automatique)"),
            visible=True,
            data={"emailed": will_email, "channel": locked.channel, "late": late},
        )
        if late:
            logger.warning("Acknowledgment of request %s issued late.", locked.pk)
        if will_email:
            _send_on_commit(acknowledgment.pk)
    return acknowledgment


def acknowledgment_issue_for(request_id: int) -> Acknowledgment | None:
    """Task body: issue the acknowledgment of a request just submitted (any channel). Nothing to
    do for a request that no longer exists or whose personal data was already wiped."""
    request = Request.objects.select_related("commune").filter(pk=request_id).first()
    if request is None or request.is_anonymised:
        return None
    return acknowledgment_issue(request=request)


def tracking_url(request: Request) -> str:
    """The absolute secret link of the request's status page (empty once wiped)."""
    token = request.tracking_token
    if not token:
        return ""
    return f"{settings.SITE_URL}{tracking.tracking_path(request.commune, token)}"


def _send_on_commit(acknowledgment_id: int) -> None:
    # Robust: a mail server that is down is logged, never turned into an error for the caller;
    # the e-mail stays unsent (``emailed_at`` empty) and the next call sends it.
    transaction.on_commit(lambda: acknowledgment_email_send(acknowledgment_id), robust=True)


def acknowledgment_email_send(acknowledgment_id: int) -> bool:
    """E-mail the acknowledgment to the citizen (plain text, PDF attached). The send is claimed
    first (``emailed_at``), so two workers never send it twice; a failed send releases the claim
    and raises. Returns whether a message left."""
    acknowledgment = (
        Acknowledgment.objects.select_related("request", "request__commune", "document")
        .filter(pk=acknowledgment_id, emailed_at__isnull=True)
        .first()
    )
    if acknowledgment is None:
        return False
    request = acknowledgment.request
    recipient = request.email
    if not recipient or request.is_anonymised:
        return False
    claimed = Acknowledgment.objects.filter(pk=acknowledgment.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    mentions = acknowledgment.mentions
    message = EmailMessage(
        subject=_("Accusé de réception de votre demande n° %(number)s — commune de %(commune)s")
        % {"number": mentions["number"], "commune": mentions["commune"]},
        body=acknowledgment_email_body(mentions, tracking_url(request)),
        to=[recipient],
        reply_to=[mentions["service"]["email"]] if mentions["service"]["email"] else None,
    )
    if acknowledgment.document is not None:
        message.attach(
            ACKNOWLEDGMENT_FILENAME.format(number=mentions["number"]),
            read_file(acknowledgment.document),
            "application/pdf",
        )
    try:
        message.send()
    except Exception:
        Acknowledgment.objects.filter(pk=acknowledgment.pk).update(emailed_at=None)
        raise
    return True


def acknowledgment_email_body(mentions: dict[str, Any], link: str) -> str:
    """The French plain-text e-mail: number, the full tracking link, then every mention."""
    from clocher.demarches.documents.acknowledgment import acknowledgment_sections

    lines = [
        _("Bonjour,"),
        "",
        _("La commune de %(commune)s a bien reçu votre demande « %(procedure)s ».")
        % {"commune": mentions["commune"], "procedure": mentions["procedure"]},
        "",
        _("Numéro de suivi : %(number)s") % {"number": mentions["number"]},
    ]
    if link:
        lines += [
            _("Suivre votre demande, échanger avec la mairie et consulter vos données :"),
            link,
            _("Ce lien est personnel : ne le transmettez pas."),
        ]
    lines.append("")
    for section in acknowledgment_sections(mentions):
        lines += [section.heading.upper(), *section.paragraphs, ""]
    lines += [
        _("L'accusé de réception est joint à ce message au format PDF."),
        "",
        _(
            "Ce message est envoyé automatiquement. Pour toute question, contactez le service "
            "indiqué ci-dessus."
        ),
    ]
    return "\n".join(lines) + "\n"
