"""The form format of démarches: parse, check, show conditionally, validate.

A form is JSON (stored on ``TemplateVersion.schema`` and ``FormVersion.schema``)::

    {"fields": [
        {"type": "page", "name": "about", "label": "Votre demande"},
        {"type": "choice", "name": "kind", "label": "Type", "required": true,
         "choices": [{"value": "road", "label": "Voirie"}, ...]},
        {"type": "section", "name": "lighting", "label": "Éclairage",
         "condition": {"field": "kind", "op": "equals", "value": "lighting"}},
        {"type": "text", "name": "pole", "label": "Numéro du lampadaire", "personal": false},
        {"type": "repeat", "name": "children", "label": "Enfants", "fields": [...]},
        ...
    ]}

- :mod:`.schema` turns that JSON into :class:`~.schema.FormSchema` (or a list of errors that
  say which field is wrong — the builder and the catalogue refuse a broken form);
- :mod:`.conditions` evaluates conditions (nested ``all``/``any``) and lists every path through
  the form for the preview;
- :mod:`.validation` checks a submission (web form, counter entry or API) and splits personal
  from non-personal values.
"""

from clocher.demarches.formschema.conditions import (
    FormPath,
    enumerate_paths,
    evaluate,
    visible_fields,
)
from clocher.demarches.formschema.schema import (
    FIELD_TYPES,
    INPUT_TYPES,
    Choice,
    FieldSpec,
    FormSchema,
    SchemaError,
    parse_schema,
    published_form_schema,
)
from clocher.demarches.formschema.validation import Validated, validate_submission

__all__ = [
    "FIELD_TYPES",
    "INPUT_TYPES",
    "Choice",
    "FieldSpec",
    "FormPath",
    "FormSchema",
    "SchemaError",
    "Validated",
    "enumerate_paths",
    "evaluate",
    "parse_schema",
    "published_form_schema",
    "validate_submission",
    "visible_fields",
]
