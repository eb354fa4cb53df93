"""The quality management system's records, one module per part of ISO 20387's clause 8 and
6.2: controlled documents, personnel competence, CAPA (and, as they join, audits, internal QC
and proficiency testing). Each module is one idea; this package only gathers them for Django."""

from stemhub.qms.models.capa import Capa, CapaSource, CapaStatus
from stemhub.qms.models.competence import (
    Authorisation,
    CompetenceAssessment,
    JobRole,
    JobRoleMembership,
    JobRoleRequirement,
    Task,
    TaskProcedure,
    TrainingRecord,
)
from stemhub.qms.models.documents import (
    Acknowledgement,
    ControlledDocument,
    DocumentFile,
    DocumentKind,
    DocumentVersion,
    VersionStatus,
)
from stemhub.qms.models.iqc import (
    Assay,
    ControlMaterial,
    ControlRun,
    Grade,
    ProficiencyRound,
    ProficiencyScheme,
)

__all__ = [
    "Acknowledgement",
    "Assay",
    "Authorisation",
    "Capa",
    "CapaSource",
    "CapaStatus",
    "CompetenceAssessment",
    "ControlMaterial",
    "ControlRun",
    "ControlledDocument",
    "DocumentFile",
    "DocumentKind",
    "DocumentVersion",
    "Grade",
    "JobRole",
    "JobRoleMembership",
    "JobRoleRequirement",
    "ProficiencyRound",
    "ProficiencyScheme",
    "Task",
    "TaskProcedure",
    "TrainingRecord",
    "VersionStatus",
]
