from django.urls import path  # noqa: F401

app_name = "populations"

urlpatterns: list = []  # type: ignore[type-arg]
