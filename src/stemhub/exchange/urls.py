from django.urls import path

from stemhub.exchange import views

app_name = "exchange"

urlpatterns = [
    path("lines/", views.lines_import_page, name="lines_import"),
]
