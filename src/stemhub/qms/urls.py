from django.urls import path

from stemhub.qms import views

app_name = "qms"

urlpatterns = [
    path("", views.qms_home, name="home"),
]
