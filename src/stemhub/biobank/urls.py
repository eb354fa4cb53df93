"""Biobank pages at /biobank/."""

from django.urls import path

from stemhub.biobank import views

app_name = "biobank"

urlpatterns = [
    path("", views.storage, name="storage"),
    path("containers/<int:pk>/", views.container, name="container"),
    path("containers/<int:pk>/move/", views.container_move, name="container_move"),
    path("containers/<int:pk>/history/", views.container_history, name="container_history"),
    path("free-space/", views.free_space, name="free_space"),
    path("banks/", views.banks, name="banks"),
    path("banks/new/", views.bank_create, name="bank_create"),
    path("banks/<int:pk>/", views.bank, name="bank"),
    path("banks/<int:pk>/labels.pdf", views.bank_labels, name="bank_labels"),
    path("vials/<str:barcode>/", views.vial, name="vial"),
    path("import/", views.inventory_import, name="import"),
    path("reports/", views.reports, name="reports"),
    path("reports/vials.csv", views.report_vials_csv, name="report_vials_csv"),
    path("reports/occupancy.csv", views.report_occupancy_csv, name="report_occupancy_csv"),
]
