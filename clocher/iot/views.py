"""Staff pages of Cité IoT (``staff:iot``): overview of the commune's devices, a device's chart,
a building's charts, claiming a pending device, importing devices from CSV.

Every view runs behind ``CommuneScopeMiddleware`` (signed in with the second factor, a role in
the commune, URL objects resolved in the commune) and ``require_capability``: VIEW_DEVICES to
read, MANAGE_DEVICES to register devices. Reads go through ``dashboards``, writes through
``services.devices``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clocher.iot import dashboards, sitemap
from clocher.iot.forms import ClaimForm, DevicesImportForm, OverviewFilterForm
from clocher.iot.models import Device
from clocher.iot.quantities import quantity_label
from clocher.iot.services.devices import device_add, devices_import_csv
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.models import Commune
from clocher.tenancy.permissions import Capability

DEVICES_PER_PAGE = 50


def _commune(request: HttpRequest) -> Commune:
    return request.commune  # type: ignore[attr-defined,no-any-return]


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def overview(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """All the commune's devices with last values, battery, last seen and status; pending
    devices to claim."""
    commune = _commune(request)
    places = dashboards.places_of_commune(commune)
    filters = OverviewFilterForm(request.GET or None, commune=commune, sites=places.sites)
    site, profile_id = "", None
    if filters.is_valid():
        site = filters.cleaned_data["site"] or ""
        profile = filters.cleaned_data["profile"]
        profile_id = profile.pk if profile is not None else None
    devices = dashboards.devices_of_commune(commune, site=site, profile_id=profile_id)
    page = Paginator(devices, DEVICES_PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    return render(
        request,
        "iot/overview.html",
        {
            "filters": filters,
            "page": page,
            "rows": dashboards.overview_rows(commune, list(page.object_list), now=now),
            "pending": list(dashboards.pending_devices(commune)[:100]),
            "buildings": places.buildings,
            "filtered": bool(site or profile_id),
            "sites_map": sitemap.commune_sites_map(devices, now=now),
        },
    )


def _period_links(current: dashboards.ChartPeriod) -> list[dict[str, object]]:
    return [
        {"key": period.key, "label": period.label, "current": period.key == current.key}
        for period in dashboards.PERIODS.values()
    ]


def _quantity_links(
    choices: list[dashboards.QuantityChoice],
    current: dashboards.QuantityChoice | None,
    *,
    offer_all: bool = False,
) -> list[dict[str, object]]:
    """Links of the quantity nav; with ``offer_all``, first a link to every quantity (no
    ``quantity`` parameter), current when none is chosen."""
    every: dict[str, object] = {
        "key": None,
        "label": _("Toutes les grandeurs"),
        "last": None,
        "current": current is None,
    }
    links = [every] if offer_all else []
    for choice in choices:
        links.append(
            {
                "key": choice.quantity,
                "label": quantity_label(choice.quantity),
                "last": choice.last,
                "current": choice == current,
            }
        )
    return links


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def device(request: HttpRequest, commune_slug: str, device: Device) -> HttpResponse:
    """A device: the chart of one of its quantities (``?quantity=``, the first by default) over a
    day, week, month or year, the links to its other quantities, and its recent uplinks."""
    commune = _commune(request)
    period = dashboards.period_of(request.GET.get("periode"))
    now = timezone.now()
    status = dashboards.device_status(device, now=now)
    choices = dashboards.quantities_of_devices([device], dashboards.last_values(commune, [device]))
    requested = request.GET.get("quantity", "")
    current = dashboards.quantity_of(requested, choices)
    unknown_quantity = requested if requested and current is None else ""
    if current is None and choices:
        current = choices[0]
    charts = (
        [dashboards.chart_of_device(commune, device, current.quantity, period, now=now)]
        if current is not None
        else []
    )
    return render(
        request,
        "iot/device.html",
        {
            "device": device,
            "status": status,
            "status_label": dashboards.STATUS_LABELS[status],
            "period": period,
            "periods": _period_links(period),
            "quantities": _quantity_links(choices, current),
            "unknown_quantity": unknown_quantity,
            "charts": charts,
            "uplinks": dashboards.recent_uplinks(commune, device),
        },
    )


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def building(request: HttpRequest, commune_slug: str, building: str) -> HttpResponse:
    """The devices of one building together, with the same charts: every quantity of each
    device, or one quantity (``?quantity=``) to compare the devices on it."""
    commune = _commune(request)
    devices = dashboards.devices_of_building(commune, building)
    period = dashboards.period_of(request.GET.get("periode"))
    now = timezone.now()
    rows = dashboards.overview_rows(commune, devices, now=now)
    choices = dashboards.quantities_of_devices(devices, {row.device.pk: row.values for row in rows})
    requested = request.GET.get("quantity", "")
    current = dashboards.quantity_of(requested, choices)
    return render(
        request,
        "iot/building.html",
        {
            "building": building,
            "rows": rows,
            "period": period,
            "periods": _period_links(period),
            "quantities": _quantity_links(choices, current, offer_all=True),
            "unknown_quantity": requested if requested and current is None else "",
            "charts": dashboards.charts_of_devices(
                commune,
                devices,
                period,
                now=now,
                quantity=current.quantity if current is not None else None,
            ),
        },
    )


@require_capability(Capability.MANAGE_DEVICES)
@require_http_methods(["GET", "HEAD", "POST"])
def claim(request: HttpRequest, commune_slug: str, dev_eui: str) -> HttpResponse:
    """Register a pending device of the commune (its stored uplinks are decoded then)."""
    commune = _commune(request)
    pending = dashboards.pending_device(commune, dev_eui)
    if pending is None:
        raise Http404
    form = ClaimForm(
        request.POST if request.method == "POST" else None,
        commune=commune,
        initial={"name": pending.network_device_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            registered = device_add(
                commune=commune,
                dev_eui=pending.dev_eui,
                profile=form.cleaned_data["profile"],
                name=form.cleaned_data["name"],
                site=form.cleaned_data["site"],
                building=form.cleaned_data["building"],
                expected_interval_minutes=form.cleaned_data["expected_interval_minutes"],
                actor=request.user,
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_errors)
        else:
            messages.success(
                request, _("L'objet %(name)s est enregistré.") % {"name": registered.name}
            )
            return redirect("staff:iot:device", commune.slug, registered.pk)
    return render(request, "iot/claim.html", {"pending": pending, "form": form})


@require_capability(Capability.MANAGE_DEVICES)
@require_http_methods(["GET", "HEAD", "POST"])
def devices_import(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Import devices from a CSV file: every faulty line listed, nothing written unless clean."""
    commune = _commune(request)
    form = (
        DevicesImportForm(request.POST, request.FILES)
        if request.method == "POST"
        else DevicesImportForm()
    )
    line_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            created = devices_import_csv(
                commune=commune, file=form.cleaned_data["file"], actor=request.user
            )
        except ValidationError as error:
            line_errors = list(error.messages)
        else:
            messages.success(
                request,
                _("%(count)d objet(s) importé(s).") % {"count": len(created)},
            )
            return redirect("staff:iot:overview", commune.slug)
    return render(request, "iot/import.html", {"form": form, "line_errors": line_errors})
