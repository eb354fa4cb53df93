"""Cord blood pages under /cord/."""

from django.urls import path

from stemhub.cordblood import views

app_name = "cordblood"

urlpatterns = [
    path("", views.network, name="network"),
    path("patients/new/", views.patient_new, name="patient_new"),
    path("patients/<int:patient_id>/", views.patient, name="patient"),
    path("units/<int:unit_id>/reserve/", views.unit_reserve, name="unit_reserve"),
]
