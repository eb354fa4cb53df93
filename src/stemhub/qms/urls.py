from django.urls import path

from stemhub.qms import (
    audits_views,
    capa_views,
    competence_views,
    complaint_views,
    documents_views,
    iqc_views,
    views,
)

app_name = "qms"

urlpatterns = [
    path("", views.qms_home, name="home"),
    # CAPA
    path("capa/", capa_views.capa_list, name="capa_list"),
    path("capa/new/", capa_views.capa_new, name="capa_new"),
    path("capa/<int:pk>/", capa_views.capa_detail, name="capa_detail"),
    path("capa/<int:pk>/investigation/", capa_views.capa_investigation, name="capa_investigation"),
    path("capa/<int:pk>/actions/", capa_views.capa_action_add, name="capa_action_add"),
    path(
        "capa/<int:pk>/effectiveness-plan/",
        capa_views.capa_effectiveness_plan,
        name="capa_effectiveness_plan",
    ),
    path("capa/<int:pk>/effectiveness/", capa_views.capa_effectiveness, name="capa_effectiveness"),
    path("capa/<int:pk>/close/", capa_views.capa_close, name="capa_close"),
    path("capa/<int:pk>/reassign/", capa_views.capa_reassign, name="capa_reassign"),
    path("capa/actions/<int:pk>/done/", capa_views.capa_action_done, name="capa_action_done"),
    path(
        "capa/actions/<int:pk>/evidence/",
        capa_views.capa_action_evidence,
        name="capa_action_evidence",
    ),
    # Complaints
    path("complaints/", complaint_views.complaint_list, name="complaint_list"),
    path("complaints/new/", complaint_views.complaint_new, name="complaint_new"),
    path("complaints/<int:pk>/", complaint_views.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/review/", complaint_views.complaint_review, name="complaint_review"),
    path("complaints/<int:pk>/capa/", complaint_views.complaint_capa, name="complaint_capa"),
    path("complaints/<int:pk>/close/", complaint_views.complaint_close, name="complaint_close"),
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

# Audits and management reviews
urlpatterns += [
    path("audits/", audits_views.audit_programme, name="audits_programme"),
    path("audits/new/", audits_views.audit_new, name="audits_new"),
    path("audits/<int:pk>/", audits_views.audit_detail, name="audits_detail"),
    path("audits/<int:pk>/start/", audits_views.audit_start, name="audits_start"),
    path(
        "audits/<int:pk>/checklist/<int:item_pk>/",
        audits_views.audit_answer,
        name="audits_answer",
    ),
    path(
        "audits/<int:pk>/checklist/add/",
        audits_views.audit_question_add,
        name="audits_question_add",
    ),
    path(
        "audits/<int:pk>/findings/",
        audits_views.audit_finding_record,
        name="audits_finding_record",
    ),
    path(
        "audits/<int:pk>/findings/<int:finding_pk>/grade/",
        audits_views.audit_finding_grade,
        name="audits_finding_grade",
    ),
    path(
        "audits/<int:pk>/findings/<int:finding_pk>/capa/",
        audits_views.audit_finding_capa,
        name="audits_finding_capa",
    ),
    path("audits/<int:pk>/report/", audits_views.audit_report_submit, name="audits_report"),
    path("audits/<int:pk>/approve/", audits_views.audit_report_approve, name="audits_approve"),
    path("audits/<int:pk>/close/", audits_views.audit_close, name="audits_close"),
    path("reviews/", audits_views.review_list, name="audits_reviews"),
    path("reviews/new/", audits_views.review_new, name="audits_review_new"),
    path("reviews/<int:pk>/", audits_views.review_detail, name="audits_review_detail"),
]

# Competence
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

# Internal QC and proficiency testing
urlpatterns += [
    path("iqc/", iqc_views.iqc_overview, name="iqc_overview"),
    path("iqc/materials/", iqc_views.iqc_material_define, name="iqc_material_define"),
    path("iqc/materials/<int:pk>/", iqc_views.iqc_material, name="iqc_material"),
    path("iqc/materials/<int:pk>/runs/", iqc_views.iqc_run_record, name="iqc_run_record"),
    path("proficiency/", iqc_views.pt_list, name="pt_list"),
    path("proficiency/schemes/", iqc_views.pt_scheme_create, name="pt_scheme_create"),
    path("proficiency/rounds/", iqc_views.pt_round_register, name="pt_round_register"),
    path("proficiency/rounds/<int:pk>/result/", iqc_views.pt_result_enter, name="pt_result_enter"),
    path("proficiency/rounds/<int:pk>/review/", iqc_views.pt_round_review, name="pt_round_review"),
]
