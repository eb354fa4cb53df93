from django.urls import path

from stemhub.qms import competence_views, views

app_name = "qms"

urlpatterns = [
    path("", views.qms_home, name="home"),
]

urlpatterns += [
    path("competence/", competence_views.competence_matrix, name="competence_matrix"),
    path(
        "competence/matrix.csv",
        competence_views.competence_matrix_csv,
        name="competence_matrix_csv",
    ),
    path("competence/mine/", competence_views.competence_mine, name="competence_mine"),
    path(
        "competence/people/<str:username>/",
        competence_views.competence_person,
        name="competence_person",
    ),
    path(
        "competence/people/<str:username>/training/",
        competence_views.competence_training_add,
        name="competence_training_add",
    ),
    path(
        "competence/people/<str:username>/assessments/",
        competence_views.competence_assessment_add,
        name="competence_assessment_add",
    ),
    path(
        "competence/people/<str:username>/authorisations/",
        competence_views.competence_authorisation_grant,
        name="competence_authorisation_grant",
    ),
    path(
        "competence/authorisations/<int:pk>/revoke/",
        competence_views.competence_authorisation_revoke,
        name="competence_authorisation_revoke",
    ),
    path(
        "competence/training/<int:pk>/evidence/",
        competence_views.competence_evidence,
        name="competence_evidence",
    ),
    path(
        "competence/job-roles/", competence_views.competence_job_roles, name="competence_job_roles"
    ),
    path(
        "competence/job-roles/<int:pk>/",
        competence_views.competence_job_role,
        name="competence_job_role",
    ),
    path(
        "competence/job-roles/<int:pk>/requirements/",
        competence_views.competence_requirement_add,
        name="competence_requirement_add",
    ),
    path(
        "competence/requirements/<int:pk>/remove/",
        competence_views.competence_requirement_remove,
        name="competence_requirement_remove",
    ),
    path(
        "competence/job-roles/<int:pk>/members/",
        competence_views.competence_member_add,
        name="competence_member_add",
    ),
    path(
        "competence/members/<int:pk>/remove/",
        competence_views.competence_member_remove,
        name="competence_member_remove",
    ),
    path("competence/tasks/", competence_views.competence_tasks, name="competence_tasks"),
    path("competence/tasks/set/", competence_views.competence_task_set, name="competence_task_set"),
    path(
        "competence/tasks/clear/",
        competence_views.competence_task_clear,
        name="competence_task_clear",
    ),
]
