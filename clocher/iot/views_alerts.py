"""Staff pages of the IoT alerts (``staff:iot``, under ``/mairie/<commune>/iot/alertes/``): the
alerts (open, acknowledged, closed) and an alert's history with its actions, the rules with the
default set, the on-duty list and the quiet hours.

Reading alerts and rules needs VIEW_DEVICES; acting on alerts, editing rules and the on-duty
list (which holds phone numbers, so it is not shown to readers) needs MANAGE_ALERTS. Reads go
through ``selectors_alerts``, writes through ``services.alerting``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clocher.iot import dashboards, selectors_alerts
from clocher.iot.forms_alerts import (
    AlertCloseForm,
    AlertCommentForm,
    AlertFilterForm,
    AlertRecipientForm,
    AlertRuleForm,
    AlertSettingsForm,
)
from clocher.iot.models import Alert, AlertRecipient, AlertRule
from clocher.iot.models.alerts import AlertStatus
from clocher.iot.services import alerting
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.models import Commune
from clocher.tenancy.permissions import Capability

ALERTS_PER_PAGE = 50


def _commune(request: HttpRequest) -> Commune:
    return request.commune  # type: ignore[attr-defined,no-any-return]


def _add_errors(form: BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


# --- Alerts ------------------------------------------------------------------------------------


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def alerts(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The commune's alerts, not closed by default, filtered by state, severity and device."""
    commune = _commune(request)
    filters = AlertFilterForm(request.GET or None, commune=commune)
    status, severity, device = "", "", None
    if filters.is_valid():
        status = filters.cleaned_data["status"] or ""
        severity = filters.cleaned_data["severity"] or ""
        device = filters.cleaned_data["device"]
    page = Paginator(
        selectors_alerts.alerts_of_commune(
            commune, status=status, severity=severity, device=device
        ),
        ALERTS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "iot/alerts/list.html",
        {
            "filters": filters,
            "page": page,
            "alerts": list(page.object_list),
            "filtered": bool(status or severity or device),
            "counts": selectors_alerts.open_alert_counts(commune),
            "query": _query_without_page(request),
        },
    )


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _alert_page(
    request: HttpRequest,
    alert: Alert,
    *,
    comment_form: AlertCommentForm | None = None,
    close_form: AlertCloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "iot/alerts/detail.html",
        {
            "alert": alert,
            "events": list(selectors_alerts.alert_history(alert)),
            "comment_form": comment_form or AlertCommentForm(),
            "close_form": close_form or AlertCloseForm(),
            "is_open": alert.status == AlertStatus.OPEN,
            "is_closed": alert.status == AlertStatus.CLOSED,
        },
        status=status,
    )


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def alert(request: HttpRequest, commune_slug: str, alert: Alert) -> HttpResponse:
    """An alert: what triggered it, its state, its history; the actions for those allowed."""
    return _alert_page(request, alert)


@require_capability(Capability.MANAGE_ALERTS)
@require_http_methods(["POST"])
def alert_acknowledge(request: HttpRequest, commune_slug: str, alert: Alert) -> HttpResponse:
    commune = _commune(request)
    try:
        alerting.alert_acknowledge(commune=commune, actor=request.user, alert=alert)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("L'alerte est prise en compte."))
    return redirect("staff:iot:alert", commune.slug, alert.pk)


@require_capability(Capability.MANAGE_ALERTS)
@require_http_methods(["POST"])
def alert_comment(request: HttpRequest, commune_slug: str, alert: Alert) -> HttpResponse:
    commune = _commune(request)
    form = AlertCommentForm(request.POST)
    if form.is_valid():
        try:
            alerting.alert_comment(
                commune=commune, actor=request.user, alert=alert, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Le commentaire est ajouté à l'historique."))
            return redirect("staff:iot:alert", commune.slug, alert.pk)
    return _alert_page(request, alert, comment_form=form, status=400)


@require_capability(Capability.MANAGE_ALERTS)
@require_http_methods(["POST"])
def alert_close(request: HttpRequest, commune_slug: str, alert: Alert) -> HttpResponse:
    commune = _commune(request)
    form = AlertCloseForm(request.POST)
    if form.is_valid():
        try:
            alerting.alert_close(
                commune=commune, actor=request.user, alert=alert, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("L'alerte est close."))
            return redirect("staff:iot:alert", commune.slug, alert.pk)
    return _alert_page(request, alert, close_form=form, status=400)


# --- Rules -------------------------------------------------------------------------------------


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def alert_rules(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The commune's rules, active first, with their open alerts; the default set."""
    commune = _commune(request)
    rules = list(selectors_alerts.rules_of_commune(commune))
    applied = {rule.preset for rule in rules if rule.preset}
    presets = [preset for preset in alerting.default_rule_presets() if preset.key not in applied]
    return render(request, "iot/alerts/rules.html", {"rules": rules, "presets": presets})


@require_capability(Capability.MANAGE_ALERTS)
@require_http_methods(["POST"])
def alert_rules_defaults(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Apply the default rule set (what is already there is not duplicated)."""
    commune = _commune(request)
    created = alerting.default_rules_apply(commune=commune, actor=request.user)
    if created:
        messages.success(
            request, _("%(count)d règle(s) par défaut ajoutée(s).") % {"count": len(created)}
        )
    else:
        messages.success(request, _("Les règles par défaut sont déjà en place."))
    return redirect("staff:iot:alert-rules", commune.slug)


def _rule_form(request: HttpRequest, commune: Commune, rule: AlertRule | None) -> AlertRuleForm:
    return AlertRuleForm(
        request.POST if request.method == "POST" else None,
        instance=rule,
        commune=commune,
        sites=dashboards.sites_of_commune(commune),
        quantities=selectors_alerts.quantities_of_commune(commune),
    )


def _rule_edit(request: HttpRequest, commune: Commune, rule: AlertRule | None) -> HttpResponse:
    form = _rule_form(request, commune, rule)
    if request.method == "POST" and form.is_valid():
        values: dict[str, Any] = {
            name: form.cleaned_data.get(name) for name in alerting.RULE_FIELDS
        }
        try:
            saved = alerting.alert_rule_save(
                commune=commune, actor=request.user, values=values, rule=rule
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("La règle « %(label)s » est enregistrée.") % {"label": saved.label}
            )
            return redirect("staff:iot:alert-rules", commune.slug)
    return render(
        request,
        "iot/alerts/rule_form.html",
        {"form": form, "rule": rule},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_capability(Capability.MANAGE_ALERTS)
@require_http_methods(["GET", "HEAD", "POST"])
def alert_rule_new(request: HttpRequest, commune_slug: str) -> HttpResponse:
    return _rule_edit(request, _commune(request), None)


@require_capability(Capability.MANAGE_ALERTS)
@require_http_methods(["GET", "HEAD", "POST"])
def alert_rule(request: HttpRequest, commune_slug: str, alert_rule: AlertRule) -> HttpResponse:
    return _rule_edit(request, _commune(request), alert_rule)


@require_capability(Capability.MANAGE_ALERTS)
@require_http_methods(["POST"])
def alert_rule_activation(
    request: HttpRequest, commune_slug: str, alert_rule: AlertRule
) -> HttpResponse:
    """Deactivate (closing its open alerts) or reactivate a rule."""
    commune = _commune(request)
    is_active = request.POST.get("active") == "1"
    alerting.alert_rule_set_active(
        commune=commune, actor=request.user, rule=alert_rule, is_active=is_active
    )
    if is_active:
        messages.success(
            request, _("La règle « %(label)s » est active.") % {"label": alert_rule.label}
        )
    else:
        messages.success(
            request,
            _("La règle « %(label)s » est désactivée ; ses alertes ouvertes sont closes.")
            % {"label": alert_rule.label},
        )
    return redirect("staff:iot:alert-rules", commune.slug)


# --- On-duty list and quiet hours ----------------------------------------------------------------


@require_capability(Capability.MANAGE_ALERTS)
@require_http_methods(["GET", "HEAD", "POST"])
def alert_duty(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The people on duty and the quiet hours (the form posted here is the quiet hours')."""
    commune = _commune(request)
    current = alerting.settings_of(commune)
    form = AlertSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={
            "quiet_hours_start": current.quiet_hours_start,
            "quiet_hours_end": current.quiet_hours_end,
            "cool_down_minutes": current.cool_down_minutes,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            alerting.alert_settings_update(commune=commune, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Les heures de silence sont enregistrées."))
            return redirect("staff:iot:alert-duty", commune.slug)
    recipients = list(selectors_alerts.recipients_of_commune(commune))
    return render(
        request,
        "iot/alerts/duty.html",
        {"form": form, "recipients": recipients},
        status=400 if form.is_bound and form.errors else 200,
    )


def _recipient_edit(
    request: HttpRequest, commune: Commune, recipient: AlertRecipient | None
) -> HttpResponse:
    on_duty = set(selectors_alerts.recipients_of_commune(commune).values_list("user_id", flat=True))
    form = AlertRecipientForm(
        request.POST if request.method == "POST" else None,
        members=selectors_alerts.members_of_commune(commune),
        recipient=recipient,
        on_duty_user_ids=on_duty,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = alerting.alert_recipient_save(
                commune=commune,
                user=data["user"],
                by_email=data["by_email"],
                by_sms=data["by_sms"],
                phone=data["phone"],
                minimum_severity=data["minimum_severity"],
                recipient=recipient,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s est d'astreinte pour les alertes.") % {"name": saved.user}
            )
            return redirect("staff:iot:alert-duty", commune.slug)
    return render(
        request,
        "iot/alerts/recipient_form.html",
        {"form": form, "recipient": recipient},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_capability(Capability.MANAGE_ALERTS)
@require_http_methods(["GET", "HEAD", "POST"])
def alert_recipient_new(request: HttpRequest, commune_slug: str) -> HttpResponse:
    return _recipient_edit(request, _commune(request), None)


@require_capability(Capability.MANAGE_ALERTS)
@require_http_methods(["GET", "HEAD", "POST"])
def alert_recipient(
    request: HttpRequest, commune_slug: str, alert_recipient: AlertRecipient
) -> HttpResponse:
    return _recipient_edit(request, _commune(request), alert_recipient)


@require_capability(Capability.MANAGE_ALERTS)
@require_http_methods(["POST"])
def alert_recipient_remove(
    request: HttpRequest, commune_slug: str, alert_recipient: AlertRecipient
) -> HttpResponse:
    commune = _commune(request)
    alerting.alert_recipient_remove(commune=commune, recipient=alert_recipient)
    messages.success(
        request,
        _("%(name)s n'est plus d'astreinte pour les alertes.") % {"name": alert_recipient.user},
    )
    return redirect("staff:iot:alert-duty", commune.slug)
