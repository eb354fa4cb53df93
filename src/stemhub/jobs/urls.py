from django.urls import path

from stemhub.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.tasks, name="tasks"),
    path("<str:job_id>/", views.task, name="task"),
    path("<str:job_id>/panel/", views.task_panel, name="task_panel"),
    path("<str:job_id>/cancel/", views.task_cancel, name="task_cancel"),
]
