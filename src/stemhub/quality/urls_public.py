"""Public certificate verification (`/verify/...`, no login) and the staff STR search page
(`/str/`). Included at the site root: `path("", include("stemhub.quality.urls_public"))`."""

from django.urls import path

from stemhub.quality import views_public

app_name = "quality_public"

urlpatterns = [
    path("verify/", views_public.verify_lookup, name="verify_lookup"),
    path("verify/<str:number>/", views_public.verify, name="verify"),
    path("verify/<str:number>/pdf", views_public.certificate_pdf, name="certificate_pdf"),
    path("str/", views_public.str_search, name="str_search"),
]
