"""Registry pages: public line pages at /lines/, the staff area at /staff/lines/."""

from django.urls import path

from stemhub.catalogue.views import catalogue_page
from stemhub.registry import views

app_name = "registry"

urlpatterns = [
    # The catalogue search is the lines' index page; it keeps the old lookup's name.
    path("lines/", catalogue_page, name="line_lookup"),
    # Imported names may hold "/" (Cellosaurus: "090727 LQT3/BrS g1"), hence `path`.
    path("lines/<path:name>/", views.public_line, name="public_line"),
    path("staff/lines/", views.staff_line_list, name="staff_lines"),
    path("staff/lines/new/", views.staff_line_create, name="staff_line_create"),
    path("staff/lines/<str:name>/", views.staff_line, name="staff_line"),
    path("staff/lines/<str:name>/edit/", views.staff_line_edit, name="staff_line_edit"),
    path(
        "staff/lines/<str:name>/availability/",
        views.staff_line_availability,
        name="staff_line_availability",
    ),
    *(
        path(
            f"staff/lines/<str:name>/{action}/",
            views.staff_line_transition,
            {"action": action},
            name=f"staff_line_{action}",
        )
        for action in views.TRANSITIONS
    ),
]
