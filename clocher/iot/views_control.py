"""Staff pages of remote control (``staff:iot``): a device's commands and journal, the
confirmation of a manual command, a device's network address, the commune's command journal,
schedules, and the quiet hours and school zone.

VIEW_DEVICES reads; CONTROL_DEVICES (commune administrator and technician) sends commands and
writes schedules; MANAGE_SETTINGS sets the quiet hours. Writes go through
``services.commands`` and ``services.schedules``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clocher.iot import dashboards, selectors_control
from clocher.iot.command_profiles import find_command, profile_commands
from clocher.iot.forms_control import (
    CommandConfirmForm,
    CommandParametersForm,
    ControlSettingsForm,
    NetworkAddressForm,
    ScheduleForm,
)
from clocher.iot.models import Command, Device, Schedule
from clocher.iot.models.control import CommandState
from clocher.iot.services.commands import (
    CommandRefused,
    command_prepare,
    command_request,
    control_settings_for,
    control_settings_save,
    device_network_set,
    is_quiet_time,
)
from clocher.iot.services.schedules import (
    next_occurrences,
    schedule_calendar,
    schedule_devices,
    schedule_save,
    schedule_set_active,
)
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.models import Commune
from clocher.tenancy.permissions import Capability

COMMANDS_PER_PAGE = 50
NEXT_OCCURRENCES = 5


def _commune(request: HttpRequest) -> Commune:
    return request.commune  # type: ignore[attr-defined,no-any-return]


def _can_control(request: HttpRequest) -> bool:
    return bool(getattr(request, "abilities", {}).get(Capability.CONTROL_DEVICES.value))


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def device_control(request: HttpRequest, commune_slug: str, device: Device) -> HttpResponse:
    """A device's commands (a form each for those who may send), its network address, the
    schedules that target it and its command journal."""
    commune = _commune(request)
    definitions, problems = profile_commands(device.profile)
    control = control_settings_for(commune)
    return render(
        request,
        "iot/control/device.html",
        {
            "device": device,
            "commands": [
                {"definition": definition, "form": CommandParametersForm(definition=definition)}
                for definition in definitions
            ],
            "problems": problems,
            "can_control": _can_control(request),
            "control": control,
            "quiet_now": is_quiet_time(control, timezone.now()),
            "journal": selectors_control.commands_of_device(commune, device),
            "schedules": selectors_control.schedules_of_device(commune, device),
        },
    )


@require_capability(Capability.CONTROL_DEVICES)
@require_http_methods(["GET", "HEAD", "POST"])
def command_confirm(
    request: HttpRequest, commune_slug: str, device: Device, command_name: str
) -> HttpResponse:
    """The confirmation step: the device, the command and its effect spelled out; nothing is
    sent before the person ticks the confirmation and submits."""
    commune = _commune(request)
    definition = find_command(device.profile, command_name)
    if definition is None:
        raise Http404
    if request.method == "POST":
        form = CommandConfirmForm(request.POST, definition=definition)
    else:
        form = CommandConfirmForm(
            initial={p.name: request.GET.get(p.name) for p in definition.parameters},
            definition=definition,
        )
    preview: Any = None
    preview_error = ""
    values: dict[str, Any] = {}
    source = request.POST if request.method == "POST" else request.GET
    raw = {p.name: source.get(p.name) for p in definition.parameters}
    parameters_form = CommandParametersForm(
        raw if all(value not in (None, "") for value in raw.values()) else None,
        definition=definition,
    )
    if not definition.parameters or parameters_form.is_valid():
        values = parameters_form.parameter_values() if definition.parameters else {}
        try:
            preview = command_prepare(
                commune=commune, device=device, command_name=command_name, parameters=values
            )
        except CommandRefused as refusal:
            preview_error = refusal.message
    if request.method == "POST" and form.is_valid():
        try:
            command = command_request(
                commune=commune,
                actor=request.user,
                device=device,
                command_name=command_name,
                parameters=form.parameter_values(),
                confirmed=form.cleaned_data["confirmation"],
                override_quiet_hours=bool(form.cleaned_data.get("override_quiet_hours")),
                override_reason=form.cleaned_data.get("override_reason") or "",
            )
        except CommandRefused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            messages.success(
                request,
                _("Commande « %(label)s » enregistrée pour %(device)s : envoi en cours.")
                % {"label": command.command_label, "device": device.name},
            )
            return redirect("staff:iot:control", commune.slug, device.pk)
    return render(
        request,
        "iot/control/confirm.html",
        {
            "device": device,
            "definition": definition,
            "form": form,
            "preview": preview,
            "preview_values": _labelled_values(definition, preview.values if preview else {}),
            "preview_error": preview_error,
            "control": control_settings_for(commune),
        },
        status=200,
    )


def _labelled_values(definition: Any, values: dict[str, Any]) -> list[tuple[str, str]]:
    """The parameters as the person reads them: « Niveau », « 40 % »."""
    labelled = []
    for parameter in definition.parameters:
        if parameter.name in values:
            value = str(values[parameter.name]).replace(".", ",")
            labelled.append((parameter.label, f"{value} {parameter.unit}".strip()))
    return labelled


@require_capability(Capability.CONTROL_DEVICES)
@require_http_methods(["GET", "HEAD", "POST"])
def device_network(request: HttpRequest, commune_slug: str, device: Device) -> HttpResponse:
    """Enter where downlinks to a device go, when it has not sent anything yet."""
    commune = _commune(request)
    form = NetworkAddressForm(
        request.POST if request.method == "POST" else None,
        initial={
            "network_server": device.network_server or "chirpstack",
            "network_application_id": device.network_application_id,
            "network_device_id": device.network_device_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        device_network_set(
            commune=commune,
            device=device,
            network_server=form.cleaned_data["network_server"],
            application_id=form.cleaned_data["network_application_id"],
            device_id=form.cleaned_data["network_device_id"],
        )
        messages.success(
            request, _("L'adresse de l'objet sur le serveur de réseau est enregistrée.")
        )
        return redirect("staff:iot:control", commune.slug, device.pk)
    return render(request, "iot/control/network.html", {"device": device, "form": form})


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def commands_journal(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Every command of the commune, newest first, with who asked and where it stands."""
    commune = _commune(request)
    state = request.GET.get("etat", "")
    commands = selectors_control.commands_of_commune(commune)
    if state in CommandState.values:
        commands = commands.filter(state=state)
    page = Paginator(commands, COMMANDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "iot/control/journal.html",
        {"page": page, "states": CommandState.choices, "state": state},
    )


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def command_detail(request: HttpRequest, commune_slug: str, command: Command) -> HttpResponse:
    """One command: the request and every step of its delivery."""
    commune = _commune(request)
    return render(
        request,
        "iot/control/command.html",
        {"command": command, "events": selectors_control.command_events(commune, command)},
    )


def _schedule_form(request: HttpRequest, commune: Commune, **kwargs: Any) -> ScheduleForm:
    return ScheduleForm(
        request.POST if request.method == "POST" else None,
        commune=commune,
        sites=dashboards.sites_of_commune(commune),
        buildings=dashboards.buildings_of_commune(commune),
        **kwargs,
    )


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def schedules(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The commune's schedules, each with its next occurrence."""
    commune = _commune(request)
    control = control_settings_for(commune)
    now = timezone.now()
    rows = []
    for schedule in selectors_control.schedules_of_commune(commune):
        upcoming: list[Any] = []
        if schedule.is_active:
            calendar = schedule_calendar(schedule, school_zone=control.school_zone)
            upcoming = next_occurrences(schedule, calendar, after=now, count=1)
        rows.append({"schedule": schedule, "next": upcoming[0] if upcoming else None})
    return render(
        request,
        "iot/control/schedules.html",
        {"rows": rows, "can_control": _can_control(request), "control": control},
    )


@require_capability(Capability.CONTROL_DEVICES)
@require_http_methods(["GET", "HEAD", "POST"])
def schedule_create(request: HttpRequest, commune_slug: str) -> HttpResponse:
    commune = _commune(request)
    form = _schedule_form(request, commune, initial={"weekdays": [1, 2, 3, 4, 5, 6, 7]})
    if request.method == "POST" and form.is_valid():
        return _save_schedule(request, commune, form, None)
    return render(request, "iot/control/schedule_form.html", {"form": form, "schedule": None})


def _save_schedule(
    request: HttpRequest, commune: Commune, form: ScheduleForm, schedule: Schedule | None
) -> HttpResponse:
    try:
        saved = schedule_save(
            commune=commune, actor=request.user, schedule=schedule, values=form.schedule_values()
        )
    except ValidationError as error:
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
        return render(
            request, "iot/control/schedule_form.html", {"form": form, "schedule": schedule}
        )
    messages.success(
        request, _("La programmation « %(name)s » est enregistrée.") % {"name": saved.name}
    )
    return redirect("staff:iot:schedule", commune.slug, saved.pk)


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def schedule_detail(request: HttpRequest, commune_slug: str, schedule: Schedule) -> HttpResponse:
    """A schedule: what it does, to which devices, its next five occurrences (sun times
    computed) and its recent runs."""
    commune = _commune(request)
    control = control_settings_for(commune)
    calendar = schedule_calendar(schedule, school_zone=control.school_zone)
    now = timezone.now()
    upcoming = (
        next_occurrences(schedule, calendar, after=now, count=NEXT_OCCURRENCES)
        if schedule.is_active
        else []
    )
    school_unknown = schedule.school_holidays != "any" and any(
        calendar.school_holiday(moment.date()) is None for moment in upcoming
    )
    return render(
        request,
        "iot/control/schedule.html",
        {
            "schedule": schedule,
            "devices": list(schedule_devices(schedule)[:200]),
            "upcoming": upcoming,
            "calendar": calendar,
            "control": control,
            "school_unknown": school_unknown,
            "runs": selectors_control.runs_of_schedule(commune, schedule),
            "can_control": _can_control(request),
            "weekday_names": _weekday_names(schedule),
        },
    )


def _weekday_names(schedule: Schedule) -> str:
    from clocher.iot.forms_control import WEEKDAYS

    names = dict(WEEKDAYS)
    return ", ".join(str(names[day]) for day in sorted(schedule.weekdays or []) if day in names)


@require_capability(Capability.CONTROL_DEVICES)
@require_http_methods(["GET", "HEAD", "POST"])
def schedule_edit(request: HttpRequest, commune_slug: str, schedule: Schedule) -> HttpResponse:
    commune = _commune(request)
    form = _schedule_form(request, commune, initial=ScheduleForm.initial_of(schedule))
    if request.method == "POST" and form.is_valid():
        return _save_schedule(request, commune, form, schedule)
    return render(request, "iot/control/schedule_form.html", {"form": form, "schedule": schedule})


@require_capability(Capability.CONTROL_DEVICES)
@require_http_methods(["POST"])
def schedule_toggle(request: HttpRequest, commune_slug: str, schedule: Schedule) -> HttpResponse:
    """Deactivate an active schedule, or reactivate it (from now on)."""
    commune = _commune(request)
    active = not schedule.is_active
    schedule_set_active(commune=commune, actor=request.user, schedule=schedule, active=active)
    messages.success(
        request,
        _("La programmation est réactivée.") if active else _("La programmation est désactivée."),
    )
    return redirect("staff:iot:schedule", commune.slug, schedule.pk)


@require_capability(Capability.MANAGE_SETTINGS)
@require_http_methods(["GET", "HEAD", "POST"])
def control_settings(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Quiet hours (no bells) and the school zone; the school calendar known for that zone."""
    commune = _commune(request)
    control = control_settings_for(commune)
    form = ControlSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={
            "quiet_hours_start": control.quiet_hours_start,
            "quiet_hours_end": control.quiet_hours_end,
            "school_zone": control.school_zone,
        },
    )
    if request.method == "POST" and form.is_valid():
        control_settings_save(
            commune=commune,
            actor=request.user,
            quiet_hours_start=form.cleaned_data["quiet_hours_start"],
            quiet_hours_end=form.cleaned_data["quiet_hours_end"],
            school_zone=form.cleaned_data["school_zone"],
        )
        messages.success(request, _("Les réglages des commandes sont enregistrés."))
        return redirect("staff:iot:control_settings", commune.slug)
    return render(
        request,
        "iot/control/settings.html",
        {
            "form": form,
            "control": control,
            "periods": selectors_control.school_periods(control.school_zone),
        },
    )
