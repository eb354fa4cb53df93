from django.urls import path

from stemhub.core import views

urlpatterns = [
    path("work/", views.work, name="work"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.prometheus_metrics, name="metrics"),
]
