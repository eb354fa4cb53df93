"""Cord blood pages under /cord/."""

from django.urls import path

from stemhub.cordblood import bank_views, coordinator_views, views

app_name = "cordblood"

urlpatterns = [
    path("", views.network, name="network"),
    path("banks/<str:code>/", views.bank, name="bank"),
    path("banks/<str:code>/upload/", bank_views.upload, name="upload"),
    path(
        "banks/<str:code>/upload/<int:upload_id>/", bank_views.upload_report, name="upload_report"
    ),
    path("preliminary-search/", views.preliminary, name="preliminary"),
    path("dashboard/", bank_views.dashboard, name="dashboard"),
    path("units/", bank_views.units, name="units"),
    path("units/<int:unit_id>/", bank_views.unit, name="unit"),
    path("units/<int:unit_id>/reserve/", coordinator_views.unit_reserve, name="unit_reserve"),
    path("patients/", coordinator_views.patients, name="patients"),
    path("patients/new/", coordinator_views.patient_new, name="patient_new"),
    path("patients/<int:patient_id>/", coordinator_views.patient, name="patient"),
    path("patients/<int:patient_id>/searches/", coordinator_views.search_new, name="search_new"),
    path(
        "patients/<int:patient_id>/transplants/new/",
        coordinator_views.transplant_new,
        name="transplant_new",
    ),
    path("patients/searches/<int:search_id>/", coordinator_views.search, name="search"),
    path("reservations/", views.reservations, name="reservations"),
    path(
        "reservations/<int:reservation_id>/<str:action>/",
        views.reservation_action,
        name="reservation_action",
    ),
    path(
        "patients/transplants/<int:transplant_id>/",
        coordinator_views.transplant,
        name="transplant",
    ),
    path("settings/", coordinator_views.centre_settings, name="centre_settings"),
]
