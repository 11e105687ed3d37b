"""Routes of the abandonment procedure (reprise pour état d'abandon, CGCT L2223-17)."""

from django.urls import path

from clocher.cimetiere.views import abandonment

urlpatterns = [
    path("reprises/", abandonment.procedure_list, name="abandonment-list"),
    path("reprises/liste.pdf", abandonment.procedure_list_pdf, name="abandonment-list-pdf"),
    path(
        "concessions/<int:concession>/reprise/",
        abandonment.procedure_open,
        name="abandonment-open",
    ),
    path(
        "reprises/<int:procedure>/",
        abandonment.procedure_detail,
        name="abandonment-procedure",
    ),
    path(
        "reprises/<int:procedure>/remise-en-etat/",
        abandonment.procedure_restored,
        name="abandonment-restored",
    ),
    path(
        "reprises/<int:procedure>/abandon/",
        abandonment.procedure_cancel,
        name="abandonment-cancel",
    ),
    path(
        "reprises/<int:procedure>/visite/",
        abandonment.procedure_reschedule,
        name="abandonment-reschedule",
    ),
    path(
        "reprises/<int:procedure>/constats/",
        abandonment.procedure_reports,
        name="abandonment-reports",
    ),
    path(
        "reprises/<int:procedure>/photos/<uuid:photo>",
        abandonment.procedure_photo,
        name="abandonment-photo",
    ),
    path(
        "reprises/<int:procedure>/avis.pdf", abandonment.notice_pdf, name="abandonment-notice-pdf"
    ),
    path(
        "reprises/<int:procedure>/proces-verbal-1.pdf",
        abandonment.first_report_pdf,
        name="abandonment-first-report-pdf",
    ),
    path(
        "reprises/<int:procedure>/proces-verbal-2.pdf",
        abandonment.second_report_pdf,
        name="abandonment-second-report-pdf",
    ),
    path(
        "reprises/<int:procedure>/notification.pdf",
        abandonment.notification_pdf,
        name="abandonment-notification-pdf",
    ),
    path(
        "reprises/<int:procedure>/arrete-de-reprise.pdf",
        abandonment.repossession_order_pdf,
        name="abandonment-order-pdf",
    ),
]
