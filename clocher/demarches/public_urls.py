"""Public pages of démarches, under ``/communes/<commune>/demarches/`` (``public:demarches``).

Each part keeps its routes in its own ``urls_public_*.py``; this file only joins them.
"""

from clocher.demarches import (
    urls_public_documents,
    urls_public_forms,
    urls_public_rights,
    urls_public_tracking,
)

app_name = "demarches"
urlpatterns = [
    *urls_public_tracking.urlpatterns,
    *urls_public_documents.urlpatterns,
    *urls_public_rights.urlpatterns,
    *urls_public_forms.urlpatterns,  # last: its <slug:procedure_slug>/ catches the rest
]
