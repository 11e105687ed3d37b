"""The plumbing of Clocher's JSON API (``/api/v1/``), shared by every module.

- ``base.ClocherAPI``: the NinjaAPI subclass (one error format, JSON 404/405, rate limits,
  OpenAPI documentation of errors). The instance lives in ``clocher.config.api``.
- ``auth``: ``api_key_auth`` (``Authorization: Bearer <key>``), ``require_scope``,
  ``get_for_request`` (an object of the caller's commune, or 404).
- ``scopes``: the registry of scopes modules declare in their ``AppConfig.ready()``.
- ``errors``: ``ApiError`` and the error schema; ``pagination``: ``Pagination`` + ``paginate``.
- ``services`` / ``selectors``: API keys (create, revoke, list).

A module exposes its API as a ninja ``Router`` named in its ``ModuleInfo.api_router``; it is
mounted under ``/api/v1/<url_prefix>/`` automatically. See ``clocher/tenancy/api.py`` for an
example.
"""
