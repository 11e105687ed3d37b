"""Routes of the spreadsheet import: upload, preview and confirmation, progress of a big file."""

from django.urls import path

from clocher.cimetiere.views import imports

urlpatterns = [
    path("import/", imports.upload, name="import"),
    path("import/apercu/", imports.preview, name="import-preview"),
    path("import/suivi/", imports.status, name="import-status"),
]
