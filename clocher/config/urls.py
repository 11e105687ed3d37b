"""URL map.

- ``/``                        platform home (list of communes)
- ``/communes/<slug>/…``       a commune's public pages (namespace ``public``)
- ``/mairie/<slug>/…``         a commune's back-office (namespace ``staff``), commune-scoped by
                               ``tenancy.middleware.CommuneScopeMiddleware``
- ``/console/…``               the operator console
- ``/compte/…``                staff sign-in, second factor; citizen magic links
- ``/api/v1/…``                JSON API (OpenAPI at ``/api/v1/openapi.json``)
- ``/healthz``                 health of the database and the worker

Modules are mounted from their ``ModuleInfo`` (``core.modules``); nothing to add here.
"""

from __future__ import annotations

from django.urls import include, path

from clocher.config.api import api
from clocher.core.health import healthz
from clocher.core.modules import registered_modules

staff_patterns = [path("", include("clocher.backoffice.urls"))]
public_patterns = [
    path("", include("clocher.portal.public_urls")),
    path("compte/", include("clocher.accounts.public_urls")),
]
for module in registered_modules():
    if module.staff_urls:
        staff_patterns.append(path(f"{module.url_prefix}/", include(module.staff_urls)))
    if module.public_urls:
        public_patterns.append(path(f"{module.url_prefix}/", include(module.public_urls)))

urlpatterns = [
    path("", include("clocher.portal.urls")),
    path("compte/", include("clocher.accounts.urls")),
    path("console/", include("clocher.console.urls")),
    path("mairie/<slug:commune_slug>/", include((staff_patterns, "staff"))),
    path("communes/<slug:commune_slug>/", include((public_patterns, "public"))),
    path("api/v1/", api.urls),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler400 = "clocher.portal.views.bad_request"
handler403 = "clocher.portal.views.permission_denied"
handler404 = "clocher.portal.views.page_not_found"
handler500 = "clocher.portal.views.server_error"
