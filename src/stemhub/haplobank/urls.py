from django.urls import path  # noqa: F401

app_name = "haplobank"

urlpatterns: list = []  # type: ignore[type-arg]
