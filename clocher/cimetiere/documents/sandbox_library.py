"""The only tags and filters a document template may use.

Django's default set minus every tag that reaches outside the values it is given: ``load``
(template libraries), ``url`` (the URL map), ``csrf_token``, ``debug`` (dumps the context and
``sys.modules``), ``querystring`` (the request) and ``include``/``extends`` (never registered
here: they live in ``loader_tags``, which the sandbox engine does not load).
"""

from __future__ import annotations

from django.template import Library, defaultfilters, defaulttags

ALLOWED_TAGS = (
    "autoescape",
    "comment",
    "cycle",
    "filter",
    "firstof",
    "for",
    "if",
    "ifchanged",
    "now",
    "regroup",
    "resetcycle",
    "spaceless",
    "templatetag",
    "verbatim",
    "widthratio",
    "with",
)

register = Library()
for _name in ALLOWED_TAGS:
    register.tags[_name] = defaulttags.register.tags[_name]
register.filters.update(defaultfilters.register.filters)
