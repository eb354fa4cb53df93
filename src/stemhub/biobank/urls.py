"""Biobank pages at /biobank/."""

from django.urls import path

from stemhub.biobank import vial_views, views

app_name = "biobank"

urlpatterns = [
    path("", views.storage, name="storage"),
    path("containers/new/", views.container_create, name="container_create"),
    path("containers/<int:pk>/", views.container, name="container"),
    path("containers/<int:pk>/holds/", views.container_hold, name="container_hold"),
    path("containers/<int:pk>/move/", views.container_move, name="container_move"),
    path("containers/<int:pk>/history/", views.container_history, name="container_history"),
    path("free-space/", views.free_space, name="free_space"),
    path("banks/", views.banks, name="banks"),
    path("banks/new/", views.bank_create, name="bank_create"),
    path("banks/<int:pk>/", views.bank, name="bank"),
    path("banks/<int:pk>/labels.pdf", views.bank_labels, name="bank_labels"),
    path("vials/<str:barcode>/", vial_views.vial, name="vial"),
    path("vials/<str:barcode>/check-out/", vial_views.vial_check_out, name="vial_check_out"),
    path("vials/<str:barcode>/return/", vial_views.vial_return, name="vial_return"),
    path("vials/<str:barcode>/thaw/", vial_views.vial_thaw, name="vial_thaw"),
    path("vials/<str:barcode>/dispose/", vial_views.vial_dispose, name="vial_dispose"),
    path("vials/<str:barcode>/status/", vial_views.vial_status, name="vial_status"),
    path("import/", views.inventory_import, name="import"),
    path("reports/", views.reports, name="reports"),
    path("reports/vials.csv", views.report_vials_csv, name="report_vials_csv"),
    path("reports/occupancy.csv", views.report_occupancy_csv, name="report_occupancy_csv"),
]
