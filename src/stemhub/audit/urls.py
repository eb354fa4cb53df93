from django.urls import path

from stemhub.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_index, name="index"),
    path("export.csv", views.audit_export, name="export"),
    path("<str:model>/<str:pk>/", views.audit_record, name="record"),
]
