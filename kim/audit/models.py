"""The append-only, hash-chained audit trail."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kim.core.models import CodeField

GENESIS_HASH = "0" * 64


class EventType(models.TextChoices):
    LOGIN = "auth.login", _("Login")
    LOGIN_FAILED = "auth.login_failed", _("Failed login")
    LOGOUT = "auth.logout", _("Logout")
    MFA_ADDED = "auth.mfa_added", _("MFA method added")
    MFA_REMOVED = "auth.mfa_removed", _("MFA method removed")
    MFA_RECOVERY_RESET = "auth.mfa_recovery_reset", _("MFA recovery codes regenerated")
    PASSWORD_CHANGED = "auth.password_changed", _("Password changed")
    USER_CREATED = "accounts.user_created", _("User created")
    USER_UPDATED = "accounts.user_updated", _("User changed")
    API_TOKEN_ISSUED = "accounts.api_token_issued", _("API token issued")
    API_TOKEN_REVOKED = "accounts.api_token_revoked", _("API token revoked")
    ROLE_GRANTED = "accounts.role_granted", _("Role granted")
    ROLE_REVOKED = "accounts.role_revoked", _("Role revoked")
    ROLE_CONFIRMED = "accounts.role_confirmed", _("Role grant confirmed")
    ROLE_REJECTED = "accounts.role_rejected", _("Role grant rejected")
    ORGANISATION_CREATED = "organisations.created", _("Organisation created")
    ORGANISATION_UPDATED = "organisations.updated", _("Organisation updated")
    UNIT_CREATED = "organisations.unit_created", _("Organisational unit created")
    RESPONSIBILITY_SET = "organisations.responsibility_set", _("Responsibility period recorded")
    RESPONSIBILITY_ENDED = "organisations.responsibility_ended", _("Responsibility period ended")
    POPULATION_RECORDED = "organisations.population_recorded", _("Population figure recorded")
    POPULATION_IMPORTED = "organisations.population_imported", _("Population figures imported")
    POSITION_CREATED = "programmes.position_created", _("Position created")
    POSITION_UPDATED = "programmes.position_updated", _("Position changed")
    POSITION_STATUS_CHANGED = "programmes.position_status", _("Position status changed")
    POSITION_INCUMBENT_ASSIGNED = "programmes.incumbent_assigned", _("Post holder assigned")
    POSITION_INCUMBENT_ENDED = "programmes.incumbent_ended", _("Post holder ended")
    POSITION_FUNDING_SET = "programmes.funding_set", _("Funding period recorded")
    STAFF_CREATED = "programmes.staff_created", _("Staff member recorded")
    STAFF_QUALIFICATION_RECORDED = "programmes.qualification", _("Qualification recorded")
    GRANT_RECORDED = "programmes.grant_recorded", _("Grant recorded")
    FUNDING_RATE_RECORDED = "programmes.rate_recorded", _("Funding rate recorded")
    REFERENCE_DATA_LOADED = "programmes.reference_loaded", _("Reference data loaded")
    SCENARIO_SAVED = "programmes.scenario_saved", _("Allocation scenario saved")
    SCENARIO_ADOPTED = "programmes.scenario_adopted", _("Allocation scenario adopted")
    EXPORT_DOWNLOADED = "core.export", _("Export downloaded")
    TALK_RECORDED = "partners.talk_recorded", _("Talk recorded")
    TALK_OUTCOME_RECORDED = "partners.talk_outcome", _("Talk outcome recorded")
    TALK_MINUTES_ATTACHED = "partners.minutes_attached", _("Minutes attached")
    TALK_MINUTES_READ = "partners.minutes_read", _("Minutes downloaded")
    FOLLOW_UP_ADDED = "partners.follow_up_added", _("Follow-up task added")
    FOLLOW_UP_DONE = "partners.follow_up_done", _("Follow-up task done")
    TRAEGER_SERVICE_ADDED = "partners.service_added", _("Service of a welfare agency recorded")
    TRAEGER_CONTACT_ADDED = "partners.contact_added", _("Contact of a welfare agency recorded")
    STAFFING_DECIDED = "partners.staffing_decided", _("Staffing decision recorded")
    AGREEMENT_CREATED = "partners.agreement_created", _("Pass-through agreement recorded")
    AGREEMENT_PAYMENT_ADDED = "partners.payment_added", _("Call for funds or payment scheduled")
    AGREEMENT_PAYMENT_DONE = "partners.payment_done", _("Call for funds or payment done")
    REPORTING_DUTY_ADDED = "partners.duty_added", _("Reporting duty recorded")
    REPORT_RECEIVED = "partners.report_received", _("Report received")
    REPORT_REVIEWED = "partners.report_reviewed", _("Report reviewed")
    CALL_CREATED = "partners.call_created", _("Call for expressions of interest created")
    CALL_CRITERION_ADDED = "partners.criterion_added", _("Assessment criterion added")
    CALL_PUBLISHED = "partners.call_published", _("Call for expressions of interest published")
    SUBMISSION_RECEIVED = "partners.submission_received", _("Expression of interest received")
    SUBMISSION_DOCUMENT_ATTACHED = "partners.submission_document", _("Submission document attached")
    SUBMISSION_DOCUMENT_READ = (
        "partners.submission_document_read",
        _("Submission document downloaded"),
    )
    SUBMISSION_WITHDRAWN = "partners.submission_withdrawn", _("Expression of interest withdrawn")
    SUBMISSION_SCORED = "partners.submission_scored", _("Expression of interest scored")
    CALL_DECIDED = "partners.call_decided", _("Call for expressions of interest decided")
    # --- council (issue 5) ---
    COUNCIL_BODY_CREATED = "council.body_created", _("Council body created")
    COUNCIL_ORGANIZATION_CREATED = "council.organization_created", _("Council organization created")
    MEETING_CREATED = "council.meeting_created", _("Meeting created")
    AGENDA_ITEM_ADDED = "council.agenda_item_added", _("Agenda item added")
    PAPER_CREATED = "council.paper_created", _("Council paper created")
    MOTION_RECEIVED = "council.motion_received", _("Motion received")
    MOTION_QUESTION_ADDED = "council.question_added", _("Question added to a motion")
    MOTION_QUESTION_TAGGED = "council.question_tagged", _("Answer blocks of a question changed")
    MOTION_STATUS_CHANGED = "council.motion_status_changed", _("Motion status changed")
    PAPER_RELEASED = "council.paper_released", _("Council paper released")
    CONSULTATION_ADDED = "council.consultation_added", _("Consultation added")
    COUNCIL_FILE_ATTACHED = "council.file_attached", _("File attached to a council paper")
    REPORT_CREATED = "council.report_created", _("Report on a motion drafted")
    REPORT_EDITED = "council.report_edited", _("Report draft changed")
    REPORT_RELEASED = "council.report_released", _("Report released")
    # --- cases (issue 6) ---
    PERSON_CREATED = "cases.person_created", _("Client recorded")
    PERSON_UPDATED = "cases.person_updated", _("Client data changed")
    PERSON_SEARCHED = "cases.person_searched", _("Clients searched by name")
    HOUSEHOLD_LINKED = "cases.household_linked", _("Household link recorded")
    RESIDENCE_RECORDED = "cases.residence_recorded", _("Residence period recorded")
    BENEFIT_RECORDED = "cases.benefit_recorded", _("Benefit period recorded")
    CASE_OPENED = "cases.case_opened", _("Case opened")
    CASE_READ = "cases.case_read", _("Case file read")
    CASE_UPDATED = "cases.case_updated", _("Case changed")
    CASE_ASSIGNED = "cases.case_assigned", _("Case manager or deputies changed")
    CASE_PHASE_CHANGED = "cases.phase_changed", _("Case phase changed")
    CASE_TRIAGED = "cases.case_triaged", _("Waiting-list triage recorded")
    CASE_ASSESSED = "cases.case_assessed", _("Assessment recorded")
    PLAN_CHANGED = "cases.plan_changed", _("Integration plan changed")
    PLAN_AGREED = "cases.plan_agreed", _("Integration plan agreed")
    GOAL_STATUS_CHANGED = "cases.goal_status", _("Goal status changed")
    REVIEW_RECORDED = "cases.review_recorded", _("Review recorded")
    CASE_CLOSED = "cases.case_closed", _("Case closed")
    CONSENT_RECORDED = "cases.consent_recorded", _("Consent recorded")
    CONSENT_REVOKED = "cases.consent_revoked", _("Consent revoked")
    CONSENT_FORM_PRINTED = "cases.consent_form_printed", _("Consent form printed")
    DISCLOSURE = "cases.disclosure", _("Personal data disclosed")
    DISCLOSURE_REFUSED = "cases.disclosure_refused", _("Disclosure refused (no consent)")
    REFERRAL_STATUS_CHANGED = "cases.referral_status", _("Referral status changed")
    CONFERENCE_RECORDED = "cases.conference_recorded", _("Case conference recorded")
    ACTIVITY_RECORDED = "cases.activity_recorded", _("Contact, appointment or note recorded")
    CASE_DOCUMENT_ATTACHED = "cases.document_attached", _("Case document attached")
    CASE_DOCUMENT_READ = "cases.document_read", _("Case document downloaded")
    TASK_CREATED = "cases.task_created", _("Task created")
    TASK_DONE = "cases.task_done", _("Task done")
    BARRIER_RECORDED = "cases.barrier_recorded", _("Structural barrier recorded")
    CASE_EXPORTED = "cases.case_exported", _("Data of a person exported (Art. 15 GDPR)")
    PERSON_ERASED = "cases.person_erased", _("Person erased on request")
    LEGAL_HOLD_SET = "cases.legal_hold", _("Legal hold changed")
    RETENTION_DELETED = "cases.retention_deleted", _("Deleted by retention rule")
    RETENTION_ANONYMISED = "cases.retention_anonymised", _("Anonymised by retention rule")
    RETENTION_RUN = "cases.retention_run", _("Retention run")
    # --- screening (issue 7) ---
    SCREENING_LIST_UPLOADED = "screening.list_uploaded", _("Screening list uploaded")
    SCREENING_LIST_SCREENED = "screening.list_screened", _("Screening list screened")
    SCREENING_LIST_READ = "screening.list_read", _("Screening results viewed")
    SCREENING_LIST_EXPORTED = "screening.list_exported", _("Screening results exported")
    SCREENING_LIST_DELETED = "screening.list_deleted", _("Screening list deleted")
    SCREENING_LETTER_CREATED = "screening.letter_created", _("Invitation letter created")
    SCREENING_CASE_RUN = "screening.case_run", _("Client screened by the case manager")
    SCREENING_CLI_RUN = "screening.cli_run", _("Screening run on the command line")
    AUDIT_EXPORTED = "audit.exported", _("Audit trail exported")
    AUDIT_VERIFIED = "audit.verified", _("Audit chain verified")
    # --- operations (issue 14) ---
    KEYS_ROTATED = "core.keys_rotated", _("Field values re-encrypted with the newest key")
    # --- directory sign-in, sessions, row-level security (issue 15) ---
    SSO_MAPPING_ADDED = "accounts.sso_mapping_added", _("Group mapping added")
    SSO_MAPPING_CONFIRMED = "accounts.sso_mapping_confirmed", _("Group mapping confirmed")
    SSO_MAPPING_REMOVED = "accounts.sso_mapping_removed", _("Group mapping removed")
    SSO_ROLE_GRANTED = "accounts.sso_role_granted", _("Role granted by a group mapping")
    SSO_ROLE_ENDED = "accounts.sso_role_ended", _("Role ended by a group mapping")
    DIRECTORY_USER_CREATED = "accounts.directory_user", _("Account created at first sign-in")
    SESSIONS_ENDED = "auth.sessions_ended", _("Logged out on all devices")
    SESSION_TIMED_OUT = "auth.session_timed_out", _("Logged out after inactivity")
    RLS_BYPASSED = "core.rls_bypassed", _("System work without row-level security")
    STEERING_BODY_CREATED = "steering.body_created", _("Steering body created")
    STEERING_BODY_UPDATED = "steering.body_updated", _("Steering body changed")
    STEERING_MEMBER_ADDED = "steering.member_added", _("Member of a steering body added")
    STEERING_MEMBER_UPDATED = "steering.member_updated", _("Member of a steering body changed")
    STEERING_MEETING_PLANNED = "steering.meeting_planned", _("Steering meeting planned")
    STEERING_MEETING_UPDATED = "steering.meeting_updated", _("Steering meeting changed")
    STEERING_AGENDA_CHANGED = "steering.agenda_changed", _("Agenda of a steering meeting changed")
    STEERING_ATTENDANCE = "steering.attendance", _("Attendance recorded")
    STEERING_MINUTES_SAVED = "steering.minutes_saved", _("Minutes of a steering meeting saved")
    STEERING_MINUTES_ATTACHED = "steering.minutes_attached", _("Minutes document attached")
    STEERING_MINUTES_READ = "steering.minutes_read", _("Minutes document downloaded")
    STEERING_DECISION_RECORDED = "steering.decision_recorded", _("Decision recorded")
    STEERING_DECISION_UPDATED = "steering.decision_updated", _("Decision changed")
    TOPIC_PROPOSED = "steering.topic_proposed", _("Topic proposed from barriers")
    TOPIC_CREATED = "steering.topic_created", _("Topic opened")
    TOPIC_CONFIRMED = "steering.topic_confirmed", _("Topic confirmed")
    TOPIC_REJECTED = "steering.topic_rejected", _("Topic proposal rejected")
    TOPIC_MERGED = "steering.topic_merged", _("Topics merged")
    TOPIC_UPDATED = "steering.topic_updated", _("Topic changed")
    TOPIC_ASSIGNED = "steering.topic_assigned", _("Topic assigned to a working group")
    TOPIC_LEVEL_CHANGED = "steering.topic_level", _("Topic moved to another level")
    TOPIC_CLOSED = "steering.topic_closed", _("Topic closed")
    TOPIC_THRESHOLD_RECORDED = "steering.threshold_recorded", _("Topic threshold recorded")
    PAYROLL_IMPORTED = "programmes.payroll_imported", _("Payroll export imported")
    COST_RECORDED = "programmes.cost_recorded", _("Actual cost of a post recorded")
    PAYROLL_READ = "programmes.payroll_read", _("Actual personnel cost viewed")
    GRANT_PAYMENT_RECORDED = "programmes.grant_payment", _("Payment of the Land recorded")
    DUE_RULE_RECORDED = "programmes.due_rule_recorded", _("Rule for vacancies recorded")
    PROOF_CREATED = "proofs.created", _("Proof of use started")
    PROOF_UPDATED = "proofs.updated", _("Proof of use changed")
    PROOF_SUBMITTED = "proofs.submitted", _("Proof of use submitted")
    PROOF_REVIEWED = "proofs.reviewed", _("Proof of use reviewed")
    PROOF_RELEASED = "proofs.released", _("Proof of use released")
    PROOF_EXPORTED = "proofs.exported", _("Proof of use downloaded")
    SACHBERICHT_EDITED = "proofs.sachbericht_edited", _("Sachbericht changed")
    SACHBERICHT_RELEASED = "proofs.sachbericht_released", _("Sachbericht released")
    SERVICE_CREATED = "network.service_created", _("Service entry created")
    SERVICE_UPDATED = "network.service_updated", _("Service entry changed")
    SERVICE_CONFIRMED = "network.service_confirmed", _("Service entry confirmed")
    SERVICE_DELETED = "network.service_deleted", _("Service entry deleted")
    SERVICE_TEXT_SAVED = "network.service_text", _("Service text in another language saved")
    DIRECTORY_IMPORTED = "network.imported", _("Service directory imported")
    TOPIC_RECORDED = "network.topic_recorded", _("Topic of the catalogue recorded")
    INTERPRETER_RECORDED = "network.interpreter_recorded", _("Interpreter recorded")
    INTERPRETER_UPDATED = "network.interpreter_updated", _("Interpreter changed")
    INTERPRETER_BOOKED = "cases.interpreter_booked", _("Interpreter booked")
    INTERPRETER_BOOKING_CHANGED = "cases.interpreter_booking", _("Interpreter booking changed")
    INTERPRETER_CANCELLED = "cases.interpreter_cancelled", _("Interpreter booking cancelled")
    FORM_TEXT_SAVED = "cases.form_text_saved", _("Consent form text saved")
    LETTER_TEXT_SAVED = "screening.letter_text_saved", _("Invitation letter text saved")


class AuditEvent(models.Model):
    """One event. Never updated or deleted; ``hash`` chains it to the previous event."""

    code = CodeField()
    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    # Kept beside the FK so the trail stays readable and verifiable if an account is renamed.
    actor_username = models.CharField(_("actor"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    event_type = models.CharField(
        _("event"), max_length=64, choices=EventType.choices, db_index=True
    )
    subject_type = models.CharField(_("subject type"), max_length=64, blank=True)
    subject_code = models.CharField(_("subject"), max_length=64, blank=True, db_index=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.event_type} {self.actor_username}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit events are append-only and cannot be deleted.")

    def payload(self) -> dict[str, Any]:
        """The fields the hash covers, in a canonical form."""
        return {
            "code": self.code,
            "created_at": self.created_at.isoformat(),
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "organisation_id": self.organisation_id,
            "event_type": self.event_type,
            "subject_type": self.subject_type,
            "subject_code": self.subject_code,
            "extra": self.extra,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        canonical = json.dumps(self.payload(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ChainHead(models.Model):
    """A single row locked by every append, so the chain stays linear under concurrent writers."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "audit chain head"

    def __str__(self) -> str:
        return f"{self.count} events, head {self.last_hash[:12]}"
