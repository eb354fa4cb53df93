"""The quality management system's records, one module per part of ISO 20387's clause 8 and
6.2: controlled documents, personnel competence, CAPA (and, as they join, audits, internal QC
and proficiency testing). Each module is one idea; this package only gathers them for Django."""

from stemhub.qms.models.audits import (
    Audit,
    AuditChecklistItem,
    AuditFinding,
    AuditKind,
    AuditStatus,
    ChecklistAnswer,
    FindingGrade,
    ManagementReview,
)
from stemhub.qms.models.capa import (
    ActionKind,
    Capa,
    CapaAction,
    CapaEvent,
    CapaEventKind,
    CapaSource,
    CapaStatus,
    EffectivenessResult,
    FishboneCategory,
)
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
from stemhub.qms.models.complaints import (
    ComplainantKind,
    Complaint,
    ComplaintChannel,
    ComplaintStatus,
)
from stemhub.qms.models.documents import (
    Acknowledgement,
    ControlledDocument,
    DocumentFile,
    DocumentKind,
    DocumentVersion,
    PeriodicReview,
    VersionStatus,
)

__all__ = [
    "Acknowledgement",
    "ActionKind",
    "Audit",
    "AuditChecklistItem",
    "AuditFinding",
    "AuditKind",
    "AuditStatus",
    "Authorisation",
    "Capa",
    "CapaAction",
    "CapaEvent",
    "CapaEventKind",
    "CapaSource",
    "CapaStatus",
    "ChecklistAnswer",
    "CompetenceAssessment",
    "ComplainantKind",
    "Complaint",
    "ComplaintChannel",
    "ComplaintStatus",
    "ControlledDocument",
    "DocumentFile",
    "DocumentKind",
    "DocumentVersion",
    "EffectivenessResult",
    "FindingGrade",
    "FishboneCategory",
    "JobRole",
    "JobRoleMembership",
    "JobRoleRequirement",
    "ManagementReview",
    "PeriodicReview",
    "Task",
    "TaskProcedure",
    "TrainingRecord",
    "VersionStatus",
]
