"""The JSON API, version 1: one ClocherAPI, one router per module.

The tenancy router gives ``/communes`` and ``/me``; each module that names an ``api_router`` in
its ``ModuleInfo`` (``clocher.core.modules``) is mounted under ``/api/v1/<url_prefix>/``.
"""

from __future__ import annotations

from clocher.core.api.base import ClocherAPI, mount_module_routers
from clocher.core.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from clocher.core.modules import registered_modules
from clocher.tenancy.api import router as tenancy_router

DESCRIPTION = f"""
API des services numériques mutualisés des communes (Clocher), version 1.

## Authentification
Les opérations publiques (liste et fiches des communes) s'appellent sans clé. Les autres
demandent une **clé d'API de commune**, envoyée dans l'en-tête
`Authorization: Bearer clk_…`. Une clé est créée par l'opérateur avec
`clocher api-key create --commune SLUG --name NOM [--scope PORTÉE …]` ; elle n'est affichée
qu'une fois, n'est conservée que sous forme d'empreinte et peut être révoquée
(`clocher api-key revoke`). Une clé ne donne accès qu'aux données de sa commune, et seulement
aux opérations de ses **portées** (indiquées dans la description de chaque opération).

## Format des erreurs
Toutes les erreurs (400, 401, 403, 404, 405, 422, 429, 500…) ont la même forme :

```json
{{"error": {{"code": "not_found", "message": "Ressource introuvable.",
            "details": [{{"field": "limit", "message": "…", "code": "…", "location": "query"}}]}}}}
```

`code` est stable et destiné aux programmes ; `message` est en français, pour les personnes ;
`details` (souvent vide) donne un message par champ invalide. Une erreur 500 ne révèle rien
du serveur et donne une référence à transmettre à l'opérateur.

## Pagination
Les listes acceptent `limit` (1 à {MAX_LIMIT}, {DEFAULT_LIMIT} par défaut) et `offset`, et
répondent `{{"items": […], "count": total, "limit": …, "offset": …}}`, dans un ordre stable.

## Limites de débit
Au-delà du débit permis (par clé, ou par adresse sans clé), l'API répond 429 avec l'en-tête
`Retry-After`.

## Documentation
Ce schéma OpenAPI est la documentation de référence. Il n'y a volontairement pas de page
interactive (Swagger UI) : elle chargerait des ressources depuis un CDN, ce que Clocher
s'interdit. Ouvrez ce fichier dans un outil local de votre choix.
"""

api = ClocherAPI(
    title="Clocher API",
    version="1",
    urls_namespace="api-v1",
    description=DESCRIPTION.strip(),
)

api.add_router("/", tenancy_router)
mount_module_routers(api, registered_modules())
