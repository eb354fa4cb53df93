"""Which models are regulated records, and how each row finds its institution.

The value is the path from the row to its institution (Django lookup syntax, ending at a
foreign key to `accounts.Institution`), or None when the table has none. The audit rows store
that institution so that a QA manager sees only their institution's trail.

A model whose app or table does not exist yet is skipped when the triggers are installed, so
entries for tables still to come (quality, distribution) may be listed ahead of them.
Append-only event tables (curation events, line versions, custody events) are history already
and are not listed in `AUDITED`: they are in `IMMUTABLE`, whose rows the database refuses to
change or delete.

`EXCLUDED_COLUMNS` names columns the trail must never copy (a password hash) or that change on
every login (`last_login`): they are left out of the values, and an update that changes only
them writes no row.
"""

AUDITED: dict[str, str | None] = {
    # accounts: who belongs where, and who may do what
    "accounts.Institution": None,
    "accounts.User": "institution",
    "accounts.RoleGrant": "user__institution",
    # registry: the line record and its child tables
    "registry.CellLine": "institution",
    "registry.Donor": "institution",
    "registry.DonorDisease": "donor__institution",
    "registry.Synonym": "line__institution",
    "registry.Provider": "line__institution",
    "registry.Karyotype": "line__institution",
    "registry.MarkerResult": "line__institution",
    "registry.PluriTest": "line__institution",
    "registry.Differentiation": "line__institution",
    "registry.OmicsDataset": "line__institution",
    "registry.GeneticModification": "line__institution",
    "registry.ClinicalStudy": "line__institution",
    "registry.Publication": "line__institution",
    "registry.CrossReference": "line__institution",
    "registry.DerivedProduct": "line__institution",
    # biobank
    "biobank.Container": "institution",
    "biobank.CellBank": "institution",
    "biobank.Vial": "bank__institution",
    # equipment
    "equipment.Equipment": "institution",
    "equipment.Calibration": "equipment__institution",
    "equipment.Maintenance": "equipment__institution",
    "equipment.TemperatureLog": "equipment__institution",
    "equipment.Excursion": "equipment__institution",
    # quality (raw files and certificates are write-once bytes checked by their sha256)
    "quality.QcTest": None,
    "quality.QcResult": "bank__institution",
    "quality.Nonconformity": "bank__institution",
    "quality.Release": "bank__institution",
    "quality.Signature": None,
    # quality management system
    "qms.ControlledDocument": "institution",
    "qms.DocumentVersion": "document__institution",
    "qms.TaskProcedure": "institution",
    "qms.JobRole": "institution",
    "qms.JobRoleRequirement": "job_role__institution",
    "qms.JobRoleMembership": "job_role__institution",
    "qms.TrainingRecord": "user__institution",
    "qms.CompetenceAssessment": "user__institution",
    "qms.Authorisation": "user__institution",
    "qms.Capa": "institution",
    "qms.CapaAction": "capa__institution",
    "qms.Complaint": "institution",
    "qms.Audit": "institution",
    "qms.AuditChecklistItem": "audit__institution",
    "qms.AuditFinding": "audit__institution",
    "qms.ManagementReview": "institution",
    "qms.ControlMaterial": "institution",
    "qms.ProficiencyScheme": "institution",
    "qms.ProficiencyRound": "scheme__institution",
    # distribution (RequestEvent is itself append-only history)
    "distribution.LicenceVersion": None,
    "distribution.DistributionRequest": "provider",
    "distribution.LicenceSignature": "request__provider",
    "distribution.Allocation": "request__provider",
    "distribution.Shipment": "request__provider",
    "distribution.Receipt": "request__provider",
    "distribution.ThawReport": "request__provider",
    "distribution.ResultReport": "request__provider",
    # cord blood (UnitEvent is append-only history): a unit and an upload belong to the bank;
    # a patient, their searches, reservations, transplants and outcomes to the centre
    "cordblood.Unit": "bank",
    "cordblood.UnitUpload": "bank",
    "cordblood.Patient": "centre",
    "cordblood.SavedSearch": "patient__centre",
    "cordblood.Reservation": "patient__centre",
    "cordblood.Transplant": "patient__centre",
    "cordblood.Transplant_units": "transplant__patient__centre",
    "cordblood.CentreSettings": "centre",
    # populations and their haplotype frequency sets belong to the whole network
    "populations.Population": None,
    # background tasks: who started, cancelled or re-ran what, and how each ended
    "jobs.Job": "institution",
    # django-axes: failed logins, signatures and token uses, lockouts and their lifting (the
    # rows name a username and an address, not an institution: platform admins read them)
    "axes.AccessAttempt": None,
    "axes.AccessFailureLog": None,
}

# Append-only history: rows written once by the service that did the work and never changed.
# The database refuses an UPDATE or DELETE of them (triggers, as on `audit_event`); the admin
# shows them read-only. The licence signature is listed here as well as in AUDITED; a quality
# signature is not (an invalidated release marks it superseded), its changes are audited.
IMMUTABLE: tuple[str, ...] = (
    "registry.CurationEvent",
    "registry.LineVersion",
    "registry.AvailabilityChange",
    "registry.IssuedName",
    "biobank.CustodyEvent",
    "biobank.ContainerEvent",
    "quality.QcEvent",
    "quality.RawFile",
    "qms.DocumentFile",
    "qms.Acknowledgement",
    "qms.CapaEvent",
    "qms.PeriodicReview",
    "qms.ManagementReview",
    "qms.ControlRun",
    "distribution.LicenceVersion",
    "distribution.LicenceSignature",
    "distribution.RequestEvent",
    "cordblood.UnitEvent",
    "populations.HaplotypeSet",
)

EXCLUDED_COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts.User": ("password", "last_login"),
    # a task's files (up to the upload limit) and its progress counters, written as it runs;
    # the report is kept with the record it reports on (a cord upload's UnitUpload)
    "jobs.Job": ("input_bytes", "output_bytes", "stage", "done", "total", "report"),
}

# A record's trail also shows the rows that belong to it (a line's markers and synonyms, a
# request's shipment): record label → (child label, the child's foreign key column to it).
RELATED: dict[str, tuple[tuple[str, str], ...]] = {
    "registry.cellline": tuple(
        (f"registry.{child}", "line_id")
        for child in (
            "synonym",
            "provider",
            "karyotype",
            "markerresult",
            "pluritest",
            "differentiation",
            "omicsdataset",
            "geneticmodification",
            "clinicalstudy",
            "publication",
            "crossreference",
            "derivedproduct",
        )
    ),
    "registry.donor": (("registry.donordisease", "donor_id"),),
    "accounts.user": (("accounts.rolegrant", "user_id"),),
    "distribution.distributionrequest": tuple(
        (f"distribution.{child}", "request_id")
        for child in (
            "licencesignature",
            "allocation",
            "shipment",
            "receipt",
            "thawreport",
            "resultreport",
        )
    ),
    "equipment.equipment": tuple(
        (f"equipment.{child}", "equipment_id")
        for child in ("calibration", "maintenance", "temperaturelog", "excursion")
    ),
}
