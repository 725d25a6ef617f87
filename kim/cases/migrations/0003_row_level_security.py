"""PostgreSQL row-level security for the case tables (kim/core/rls.py, decisions D-076).

Needs the system role (``KIM_DB_SYSTEM_ROLE``, default ``kim_system``): the migration stops
with the administrator's instructions when it is missing. Nothing happens on SQLite."""

from django.db import migrations

from kim.core import rls

# The tables this migration protects, frozen: a table added to rls.PROTECTED_TABLES later
# gets its policy from a new migration.
NAMES = (
    "cases_person",
    "cases_persontoken",
    "cases_householdlink",
    "cases_residenceperiod",
    "cases_benefitperiod",
    "cases_consent",
    "cases_consentdocument",
    "cases_case",
    "cases_case_deputies",
    "cases_case_triage_criteria",
    "cases_phasechange",
    "cases_assessmententry",
    "cases_goal",
    "cases_measure",
    "cases_referral",
    "cases_caseconference",
    "cases_caseconference_participants",
    "cases_disclosure",
    "cases_activity",
    "cases_casedocument",
    "cases_task",
)


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_consent_scope")]
    operations = [rls.migration(NAMES)]
