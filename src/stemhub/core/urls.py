from django.urls import path

from stemhub.core import views

urlpatterns = [
    path("work/", views.work, name="work"),
    path("healthz", views.healthz, name="healthz"),
]
