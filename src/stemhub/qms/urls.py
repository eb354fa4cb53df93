from django.urls import path

from stemhub.qms import documents_views, views

app_name = "qms"

urlpatterns = [
    path("", views.qms_home, name="home"),
]

V = "documents/<int:pk>/versions/<int:number>"
urlpatterns += [
    path("documents/", documents_views.documents_list, name="documents_list"),
    path("documents/new/", documents_views.documents_create, name="documents_create"),
    path("documents/to-read/", documents_views.documents_to_read, name="documents_to_read"),
    path("documents/<int:pk>/", documents_views.documents_detail, name="documents_detail"),
    path(
        "documents/<int:pk>/versions/",
        documents_views.documents_version_new,
        name="documents_version_new",
    ),
    path(
        "documents/<int:pk>/withdraw/",
        documents_views.documents_withdraw,
        name="documents_withdraw",
    ),
    path(f"{V}/edit/", documents_views.documents_version_edit, name="documents_version_edit"),
    path(f"{V}/submit/", documents_views.documents_version_submit, name="documents_version_submit"),
    path(f"{V}/return/", documents_views.documents_version_return, name="documents_version_return"),
    path(f"{V}/review/", documents_views.documents_version_review, name="documents_version_review"),
    path(
        f"{V}/approve/",
        documents_views.documents_version_approve,
        name="documents_version_approve",
    ),
    path(
        f"{V}/periodic-review/",
        documents_views.documents_periodic_review,
        name="documents_periodic_review",
    ),
    path(f"{V}/acknowledge/", documents_views.documents_acknowledge, name="documents_acknowledge"),
    path(f"{V}/file/", documents_views.documents_file, name="documents_file"),
]
