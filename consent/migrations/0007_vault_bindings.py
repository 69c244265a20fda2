"""Identity in the vault: consent signatures move into ``ConsentSignature`` (encrypted, bound to the consent uid and
the donor's subject_ref); vault rows are bound to their donor by a composite foreign key; the consent guard trigger
loses the dropped columns; a guard keeps signature rows immutable except for re-encryption (``vault_rotate``).

Existing plaintext signatures (none in production) are encrypted on the way; existing receipt and scan files are
encrypted by ``manage.py vault_rotate``.
"""

import consent.vault_crypto
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_signatures_into_vault(apps, schema_editor):
    """Encrypt the plaintext columns of existing consents into signature rows (uses the current vault key)."""
    import base64

    from consent.vault_crypto import encrypt

    Consent = apps.get_model("consent", "Consent")
    Signature = apps.get_model("consent", "ConsentSignature")
    rows = Consent.objects.exclude(signer_name="", representative_name="", signature_png__isnull=True).values(
        "uid", "signer_name", "representative_name", "signature_png", "donor__subject_ref"
    )
    for row in rows.iterator():
        ref = f"{row['uid']}/{row['donor__subject_ref']}"
        png = base64.b64encode(bytes(row["signature_png"])).decode("ascii") if row["signature_png"] else None
        values = {"signer_name": row["signer_name"], "representative_name": row["representative_name"], "signature_png": png}
        Signature.objects.create(
            consent_id=row["uid"],
            donor_id=row["donor__subject_ref"],
            **{
                name: encrypt(value, field=f"consent.consentsignature.{name}", row=ref) if value else None
                for name, value in values.items()
            },
        )


GUARDS_SQL = r"""
CREATE OR REPLACE FUNCTION consent_consent_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM consent_refuse('A signed consent is never deleted; withdrawals are recorded as new states.');
    END IF;
    IF (NEW.uid, NEW.biobank_id, NEW.template_id, NEW.language, NEW.source, NEW.signed_on, NEW.recorded_at,
        NEW.recorded_by_id, NEW.representative_relation, NEW.countersigned_by_id, NEW.countersigned_at, NEW.scan,
        NEW.scan_sha256
    ) IS DISTINCT FROM (OLD.uid, OLD.biobank_id, OLD.template_id, OLD.language, OLD.source, OLD.signed_on,
        OLD.recorded_at, OLD.recorded_by_id, OLD.representative_relation, OLD.countersigned_by_id,
        OLD.countersigned_at, OLD.scan, OLD.scan_sha256
    ) THEN
        PERFORM consent_refuse('What was signed is immutable: only the QC decision and the receipt are added.');
    END IF;
    IF OLD.receipt_sha256 <> '' AND NEW.receipt_sha256 IS DISTINCT FROM OLD.receipt_sha256 THEN
        PERFORM consent_refuse('A consent receipt, once stored, is never replaced.');
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION consent_signature_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM consent_refuse('The signature of a consent is never deleted.');
    END IF;
    IF (NEW.consent_uid, NEW.donor_ref) IS DISTINCT FROM (OLD.consent_uid, OLD.donor_ref)
        OR (NEW.signer_name IS NULL) <> (OLD.signer_name IS NULL)
        OR (NEW.representative_name IS NULL) <> (OLD.representative_name IS NULL)
        OR (NEW.signature_png IS NULL) <> (OLD.signature_png IS NULL) THEN
        PERFORM consent_refuse('What was signed is immutable: a signature row only changes its encryption key.');
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER consent_signature_guard BEFORE UPDATE OR DELETE ON consent_consentsignature
    FOR EACH ROW EXECUTE FUNCTION consent_signature_guard();

ALTER TABLE consent_identityrecord ADD CONSTRAINT identityrecord_bound_to_its_donor
    FOREIGN KEY (donor_id, subject_ref) REFERENCES consent_donor (id, subject_ref);
"""

GUARDS_REVERSE_SQL = r"""
ALTER TABLE consent_identityrecord DROP CONSTRAINT IF EXISTS identityrecord_bound_to_its_donor;
DROP TRIGGER IF EXISTS consent_signature_guard ON consent_consentsignature;
DROP FUNCTION IF EXISTS consent_signature_guard();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('consent', '0006_history_guards'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ConsentSignature',
            fields=[
                ('consent', models.OneToOneField(db_column='consent_uid', on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='signature', serialize=False, to='consent.consent', to_field='uid')),
                ('signer_name', consent.vault_crypto.EncryptedTextField(blank=True, null=True, row_ref='vault_ref', verbose_name='typed name')),
                ('representative_name', consent.vault_crypto.EncryptedTextField(blank=True, null=True, row_ref='vault_ref', verbose_name='legal representative')),
                ('signature_png', consent.vault_crypto.EncryptedTextField(blank=True, null=True, row_ref='vault_ref', verbose_name='drawn signature')),
            ],
        ),
        migrations.AddField(
            model_name='consentsignature',
            name='donor',
            field=models.ForeignKey(db_column='donor_ref', on_delete=django.db.models.deletion.PROTECT, related_name='+', to='consent.donor', to_field='subject_ref'),
        ),
        migrations.RunPython(move_signatures_into_vault, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='consent',
            name='consent_representative_has_relation',
        ),
        migrations.RemoveConstraint(
            model_name='consent',
            name='consent_electronic_is_signed_and_countersigned',
        ),
        migrations.RemoveField(
            model_name='consent',
            name='representative_name',
        ),
        migrations.RemoveField(
            model_name='consent',
            name='signature_png',
        ),
        migrations.RemoveField(
            model_name='consent',
            name='signer_name',
        ),
        migrations.AlterField(
            model_name='duplicatereview',
            name='address',
            field=consent.vault_crypto.EncryptedTextField(blank=True, null=True, row_ref='vault_ref', verbose_name='address'),
        ),
        migrations.AlterField(
            model_name='duplicatereview',
            name='date_of_birth',
            field=consent.vault_crypto.EncryptedTextField(blank=True, null=True, row_ref='vault_ref', verbose_name='date of birth'),
        ),
        migrations.AlterField(
            model_name='duplicatereview',
            name='email',
            field=consent.vault_crypto.EncryptedTextField(blank=True, blind_index='email_index', normaliser='email', null=True, row_ref='vault_ref', verbose_name='e-mail'),
        ),
        migrations.AlterField(
            model_name='duplicatereview',
            name='family_name',
            field=consent.vault_crypto.EncryptedTextField(blank=True, normaliser='name', null=True, row_ref='vault_ref', verbose_name='family name'),
        ),
        migrations.AlterField(
            model_name='duplicatereview',
            name='given_names',
            field=consent.vault_crypto.EncryptedTextField(blank=True, normaliser='name', null=True, row_ref='vault_ref', verbose_name='given names'),
        ),
        migrations.AlterField(
            model_name='duplicatereview',
            name='hospital_id',
            field=consent.vault_crypto.EncryptedTextField(blank=True, blind_index='hospital_id_index', normaliser='identifier', null=True, row_ref='vault_ref', verbose_name='hospital ID'),
        ),
        migrations.AlterField(
            model_name='duplicatereview',
            name='national_id',
            field=consent.vault_crypto.EncryptedTextField(blank=True, blind_index='national_id_index', normaliser='identifier', null=True, row_ref='vault_ref', verbose_name='national ID'),
        ),
        migrations.AlterField(
            model_name='duplicatereview',
            name='phone',
            field=consent.vault_crypto.EncryptedTextField(blank=True, null=True, row_ref='vault_ref', verbose_name='phone'),
        ),
        migrations.AlterField(
            model_name='identityrecord',
            name='address',
            field=consent.vault_crypto.EncryptedTextField(blank=True, null=True, row_ref='vault_ref', verbose_name='address'),
        ),
        migrations.AlterField(
            model_name='identityrecord',
            name='date_of_birth',
            field=consent.vault_crypto.EncryptedTextField(blank=True, null=True, row_ref='vault_ref', verbose_name='date of birth'),
        ),
        migrations.AlterField(
            model_name='identityrecord',
            name='email',
            field=consent.vault_crypto.EncryptedTextField(blank=True, blind_index='email_index', normaliser='email', null=True, row_ref='vault_ref', verbose_name='e-mail'),
        ),
        migrations.AlterField(
            model_name='identityrecord',
            name='family_name',
            field=consent.vault_crypto.EncryptedTextField(blank=True, normaliser='name', null=True, row_ref='vault_ref', verbose_name='family name'),
        ),
        migrations.AlterField(
            model_name='identityrecord',
            name='given_names',
            field=consent.vault_crypto.EncryptedTextField(blank=True, normaliser='name', null=True, row_ref='vault_ref', verbose_name='given names'),
        ),
        migrations.AlterField(
            model_name='identityrecord',
            name='hospital_id',
            field=consent.vault_crypto.EncryptedTextField(blank=True, blind_index='hospital_id_index', normaliser='identifier', null=True, row_ref='vault_ref', verbose_name='hospital ID'),
        ),
        migrations.AlterField(
            model_name='identityrecord',
            name='national_id',
            field=consent.vault_crypto.EncryptedTextField(blank=True, blind_index='national_id_index', normaliser='identifier', null=True, row_ref='vault_ref', verbose_name='national ID'),
        ),
        migrations.AlterField(
            model_name='identityrecord',
            name='phone',
            field=consent.vault_crypto.EncryptedTextField(blank=True, null=True, row_ref='vault_ref', verbose_name='phone'),
        ),
        migrations.AddConstraint(
            model_name='consent',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('source', 'electronic'), _negated=True), ('countersigned_by__isnull', False), _connector='OR'), name='consent_electronic_is_countersigned'),
        ),
        migrations.AddConstraint(
            model_name='donor',
            constraint=models.UniqueConstraint(fields=('id', 'subject_ref'), name='donor_id_subject_ref_unique'),
        ),
        migrations.RunSQL(GUARDS_SQL, GUARDS_REVERSE_SQL),
    ]
