"""Cord blood pages under /cord/."""

from django.urls import path

from stemhub.cordblood import views

app_name = "cordblood"

urlpatterns = [
    path("", views.network, name="network"),
    path("banks/<str:code>/", views.bank, name="bank"),
    path("banks/<str:code>/upload/", views.upload, name="upload"),
    path("preliminary-search/", views.preliminary, name="preliminary"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("patients/", views.patients, name="patients"),
    path("patients/new/", views.patient_new, name="patient_new"),
    path("patients/<int:patient_id>/", views.patient, name="patient"),
    path(
        "patients/<int:patient_id>/transplants/new/",
        views.transplant_new,
        name="transplant_new",
    ),
    path("units/<int:unit_id>/reserve/", views.unit_reserve, name="unit_reserve"),
    path("reservations/", views.reservations, name="reservations"),
    path(
        "reservations/<int:reservation_id>/<str:action>/",
        views.reservation_action,
        name="reservation_action",
    ),
    path("transplants/<int:transplant_id>/", views.transplant, name="transplant"),
    path("settings/", views.centre_settings, name="centre_settings"),
]
