"""Distribution pages at /distribution/."""

from django.urls import path

from stemhub.distribution import views

app_name = "distribution"

urlpatterns = [
    path("lines/<str:name>/request/", views.request_new, name="request_new"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<slug:queue>/", views.request_queue, name="request_queue"),
    path("requests/<int:pk>/pick-list/", views.pick_list, name="pick_list"),
    path("requests/<int:pk>/pack/", views.pack, name="pack"),
    path(
        "requests/<int:pk>/certificates/<int:certificate_id>.pdf",
        views.certificate,
        name="certificate",
    ),
    path("requests/<int:pk>/<slug:action>/", views.request_action, name="request_action"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/by-<slug:by>.csv", views.statistics_csv, name="statistics_csv"),
]
