from django.urls import path

from stemhub.catalogue import views

urlpatterns = [
    path("", views.home, name="home"),
    path("catalogue.csv", views.download_csv, name="catalogue_csv"),
    path("catalogue.json", views.download_json, name="catalogue_json"),
    path("staff/catalogue/rebuild/", views.rebuild, name="catalogue_rebuild"),
]
