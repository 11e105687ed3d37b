"""Routes of the decision reports, included by ``clocher.iot.staff_urls`` under ``rapports/``
(names in the ``staff:iot`` namespace). No object parameter: the commune is the only scope."""

from django.urls import path

from clocher.iot import views_reports

urlpatterns = [
    path("", views_reports.index, name="reports"),
    path("qualite-air/", views_reports.air_quality_page, name="report_air_quality"),
    path("qualite-air/pdf/", views_reports.air_quality_pdf, name="report_air_quality_pdf"),
    path("energie-eau/", views_reports.energy_page, name="report_energy"),
    path("energie-eau/pdf/", views_reports.energy_pdf, name="report_energy_pdf"),
    path("fuites/", views_reports.leaks_page, name="report_leaks"),
    path("fuites/pdf/", views_reports.leaks_pdf, name="report_leaks_pdf"),
    path("conteneurs/", views_reports.containers_page, name="report_containers"),
    path("conteneurs/pdf/", views_reports.containers_pdf, name="report_containers_pdf"),
    path("riviere/", views_reports.river_page, name="report_river"),
    path("riviere/pdf/", views_reports.river_pdf, name="report_river_pdf"),
]
