"""Back-office routes of démarches: the form builder and the procedure settings.

``field_name`` is a plain parameter (a field's technical name, ``<block>.<field>`` inside a
repeatable block), looked up in the procedure's own form by the view.
"""

from django.urls import path

from clocher.demarches.views import builder, settings

FORM = "procedures/<int:online_procedure>/formulaire/"
FIELD = FORM + "champs/<str:field_name>/"

urlpatterns = [
    path(FORM, builder.form_builder, name="form-builder"),
    path(FORM + "ajouter/", builder.field_add, name="form-field-add"),
    path(FIELD, builder.field_edit, name="form-field-edit"),
    path(FIELD + "deplacer/", builder.field_move, name="form-field-move"),
    path(FIELD + "supprimer/", builder.field_delete, name="form-field-delete"),
    path(FIELD + "condition/", builder.field_condition, name="form-field-condition"),
    path(FIELD + "bloc/", builder.repeat_block, name="form-repeat"),
    path(FORM + "apercu/", builder.form_preview, name="form-preview"),
    path(FORM + "json/", builder.form_json, name="form-json"),
    path(FORM + "json/telecharger/", builder.form_json_download, name="form-json-download"),
    path(FORM + "publier/", builder.form_publish, name="form-publish"),
    path(FORM + "abandonner/", builder.draft_discard, name="form-discard"),
    path(
        "procedures/<int:online_procedure>/reglages/",
        settings.procedure_settings,
        name="procedure-settings",
    ),
    path(
        "procedures/<int:online_procedure>/reglages/statuts/",
        settings.procedure_statuses,
        name="procedure-statuses",
    ),
]
