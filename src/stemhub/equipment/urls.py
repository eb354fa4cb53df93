from django.urls import path

from stemhub.equipment import views

app_name = "equipment"

urlpatterns = [
    path("", views.equipment_list, name="list"),
    path("<int:pk>/", views.equipment_detail, name="detail"),
    path("<int:pk>/temperature-logs/", views.temperature_log_upload, name="upload_log"),
    path("<int:pk>/calibrations/", views.calibration_record, name="calibration_record"),
]
