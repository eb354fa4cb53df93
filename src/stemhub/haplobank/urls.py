from django.urls import path

from stemhub.haplobank import views

app_name = "haplobank"

urlpatterns = [
    path("", views.plan, name="plan"),
    path("plan.csv", views.plan_csv, name="plan_csv"),
    path("patients/<int:patient_id>/", views.patient, name="patient"),
]
