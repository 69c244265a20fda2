"""Capture and catalogue for issue 8: informing person and place, the representative's legal basis, FHIR codings of
policies and templates, and no module pre-ticked "accepted".

- ``module_never_pre_accepted`` is added NOT VALID: module versions signed before the rule stay as they were signed
  (the database refuses to change them anyway); every new or changed row must satisfy it. Unsigned modules with a
  pre-ticked "accept" (or anything pre-selected on a mandatory module) are set to "nothing pre-selected" first.
- The demo catalogue gets its MII codings, with the four wrong policy numbers corrected (see consent/demo_consent.py).
- The new columns of what was signed are immutable like the rest (own triggers, so the 0002 guards stay as they are);
  a coding or policy URI may be filled in once on a signed row that had none, never changed afterwards.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


FIX_UNSIGNED_DEFAULTS_SQL = r"""
UPDATE consent_module SET default_state = 'none'
WHERE (default_state = 'accepted' OR (mandatory AND default_state <> 'none')) AND NOT consent_module_is_signed(id);
"""

CONSTRAINT_SQL = r"""
ALTER TABLE consent_module ADD CONSTRAINT module_never_pre_accepted
    CHECK (NOT (default_state = 'accepted') AND (NOT mandatory OR default_state = 'none')) NOT VALID;
"""

MII = "2.16.840.1.113883.3.1937.777.24.5.3"
# demo policy code -> the right MII policy number (the demo catalogue once said 10, 12, 24 and 26 for four of them)
DEMO_MII_NUMBERS = {
    "mdat-collect": "6",
    "mdat-store": "7",
    "mdat-use": "8",
    "mdat-link-third": "9",
    "kkdat-collect": "15",
    "kkdat-use": "17",
    "biomat-collect": "19",
    "biomat-store": "20",
    "biomat-use": "22",
    "biomat-transfer": "55",
    "recontact": "29",
}


def demo_codings(apps, schema_editor):
    """Codings for demo catalogues seeded before this migration (their description names an MII policy)."""
    Policy = apps.get_model("consent", "Policy")
    Template = apps.get_model("consent", "Template")
    for policy in Policy.objects.filter(
        code__in=DEMO_MII_NUMBERS, description__startswith=f"MII policy urn:oid:{MII}.", coding_code=""
    ):
        policy.coding_system, policy.coding_code = f"urn:oid:{MII}", f"{MII}.{DEMO_MII_NUMBERS[policy.code]}"
        policy.save(update_fields=["coding_system", "coding_code"])
    Template.objects.filter(code="mii-broad-consent", version_label="v1.6", policy_uri="").update(
        policy_uri="urn:oid:2.16.840.1.113883.3.1937.777.24.2.1790"
    )


GUARDS_SQL = r"""
CREATE OR REPLACE FUNCTION consent_policy_coding_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.coding_code <> '' AND (NEW.coding_system, NEW.coding_code) IS DISTINCT FROM
            (OLD.coding_system, OLD.coding_code) AND consent_policy_is_signed(OLD.id) THEN
        PERFORM consent_refuse(format('Consent policy %s v%s is part of a signed template; its coding is immutable.',
                                      OLD.code, OLD.version));
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION consent_template_uri_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.signed_at IS NOT NULL AND OLD.policy_uri <> '' AND NEW.policy_uri IS DISTINCT FROM OLD.policy_uri THEN
        PERFORM consent_refuse(format('Consent template %s %s was signed; its policy URI is immutable.',
                                      OLD.code, OLD.version_label));
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION consent_consent_capture_guard() RETURNS trigger AS $$
BEGIN
    IF (NEW.representative_legal_basis, NEW.informed_by_id, NEW.informed_place) IS DISTINCT FROM
            (OLD.representative_legal_basis, OLD.informed_by_id, OLD.informed_place) THEN
        PERFORM consent_refuse('What was signed is immutable: who informed the donor, where, and the legal basis '
                               'of a representative are part of it.');
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER consent_policy_coding_guard BEFORE UPDATE ON consent_policy
    FOR EACH ROW EXECUTE FUNCTION consent_policy_coding_guard();
CREATE TRIGGER consent_template_uri_guard BEFORE UPDATE ON consent_template
    FOR EACH ROW EXECUTE FUNCTION consent_template_uri_guard();
CREATE TRIGGER consent_consent_capture_guard BEFORE UPDATE ON consent_consent
    FOR EACH ROW EXECUTE FUNCTION consent_consent_capture_guard();
"""

GUARDS_REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS consent_consent_capture_guard ON consent_consent;
DROP TRIGGER IF EXISTS consent_template_uri_guard ON consent_template;
DROP TRIGGER IF EXISTS consent_policy_coding_guard ON consent_policy;
DROP FUNCTION IF EXISTS consent_consent_capture_guard();
DROP FUNCTION IF EXISTS consent_template_uri_guard();
DROP FUNCTION IF EXISTS consent_policy_coding_guard();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('consent', '0004_consent_acts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [
        migrations.AddField(
            model_name='consent',
            name='informed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='consent',
            name='informed_place',
            field=models.CharField(blank=True, max_length=200, verbose_name='place of the information'),
        ),
        migrations.AddField(
            model_name='consent',
            name='representative_legal_basis',
            field=models.CharField(blank=True, choices=[('parent', 'Parent with parental responsibility'), ('legal_guardian', 'Legal guardian'), ('court_appointed', 'Court-appointed representative (custodian)'), ('healthcare_proxy', 'Healthcare proxy (power of attorney)')], max_length=20, verbose_name='legal basis of the representation'),
        ),
        migrations.AddField(
            model_name='policy',
            name='coding_code',
            field=models.CharField(blank=True, help_text='e.g. 2.16.840.1.113883.3.1937.777.24.5.3.8', max_length=200, verbose_name='code'),
        ),
        migrations.AddField(
            model_name='policy',
            name='coding_system',
            field=models.CharField(blank=True, help_text='A URI, e.g. urn:oid:2.16.840.1.113883.3.1937.777.24.5.3 (MII consent policies)', max_length=200, verbose_name='code system'),
        ),
        migrations.AddField(
            model_name='template',
            name='policy_uri',
            field=models.CharField(blank=True, help_text="The form version's identifier, e.g. urn:oid:2.16.840.1.113883.3.1937.777.24.2.1790", max_length=200, verbose_name='policy URI'),
        ),
        migrations.AlterField(
            model_name='module',
            name='default_state',
            field=models.CharField(choices=[('none', 'Nothing pre-selected'), ('accepted', 'Accept pre-selected (not allowed)'), ('declined', 'Decline pre-selected')], default='none', max_length=10, verbose_name='default'),
        ),
        migrations.AlterField(
            model_name='policy',
            name='duo_disease',
            field=models.CharField(blank=True, help_text='ICD-10 (e.g. E11.9) or Orphanet (e.g. ORPHA:558); required with DUO DS', max_length=40, verbose_name='disease (for DUO DS)'),
        ),
        migrations.RunSQL(FIX_UNSIGNED_DEFAULTS_SQL, migrations.RunSQL.noop),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name='module',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('default_state', 'accepted'), _negated=True), models.Q(('mandatory', False), ('default_state', 'none'), _connector='OR')), name='module_never_pre_accepted'),
                ),
            ],
            database_operations=[migrations.RunSQL(CONSTRAINT_SQL, "ALTER TABLE consent_module DROP CONSTRAINT module_never_pre_accepted;")],
        ),
        migrations.RunPython(demo_codings, migrations.RunPython.noop),
        migrations.RunSQL(GUARDS_SQL, GUARDS_REVERSE_SQL),
    ]
