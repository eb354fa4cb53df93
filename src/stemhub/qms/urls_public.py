"""The public complaint form (`/complaints/`, no login). Included at the site root:
`path("", include("stemhub.qms.urls_public"))`."""

from django.urls import path

from stemhub.qms import complaint_views

app_name = "qms_public"

urlpatterns = [
    path("complaints/", complaint_views.complaint_public, name="complaint_form"),
    path("complaints/sent/", complaint_views.complaint_sent, name="complaint_sent"),
]
