"""Quality pages at /quality/."""

from django.urls import path

from stemhub.quality import excursion_views, views

app_name = "quality"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("banks/<int:pk>/", views.bank, name="bank"),
    path("banks/<int:pk>/results/", views.result_add, name="result_add"),
    path("banks/<int:pk>/nonconformities/", views.nonconformity_open, name="nonconformity_open"),
    path("banks/<int:pk>/release/", views.release, name="release"),
    path("results/<int:pk>/correct/", views.result_correct, name="result_correct"),
    path("results/<int:pk>/raw/", views.raw_file, name="raw_file"),
    path("nonconformities/", views.nonconformities, name="nonconformities"),
    path("nonconformities/<int:pk>/close/", views.nonconformity_close, name="nonconformity_close"),
    path("nonconformities/<int:pk>/capa/", views.nonconformity_capa, name="nonconformity_capa"),
    path("excursions/", excursion_views.excursions, name="excursions"),
    path("excursions/<int:pk>/", excursion_views.excursion, name="excursion"),
    path("excursions/<int:pk>/decide/", excursion_views.excursion_decide, name="excursion_decide"),
    path("excursions/<int:pk>/capa/", excursion_views.excursion_capa, name="excursion_capa"),
]
