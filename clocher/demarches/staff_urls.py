"""Back-office pages of démarches, under ``/mairie/<commune>/demarches/`` (``staff:demarches``).

Each part keeps its routes in its own ``urls_*.py``; this file only joins them.
"""

from clocher.demarches import (
    urls_admin,
    urls_builder,
    urls_catalogue,
    urls_counter,
    urls_documents,
    urls_exports,
    urls_instruction,
    urls_mailboxes,
    urls_mandates,
    urls_statistics,
)

app_name = "demarches"
urlpatterns = [
    *urls_instruction.urlpatterns,
    *urls_catalogue.urlpatterns,
    *urls_builder.urlpatterns,
    *urls_counter.urlpatterns,
    *urls_documents.urlpatterns,
    *urls_mailboxes.urlpatterns,
    *urls_mandates.urlpatterns,
    *urls_exports.urlpatterns,
    *urls_statistics.urlpatterns,
    *urls_admin.urlpatterns,
]
