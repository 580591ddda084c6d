"""The service interface's needs: an archive creator of its own (systemID, registered by an organisation
before its archive exists), the organisations' additions to the standard's code lists, and a document
object that waits for its file (ny-dokumentobjekt first, the file after)."""

import uuid

import django.db.models.deletion
from django.db import migrations, models

import core.storage


def creators_of_organisations(apps, schema_editor):
    Arkivskaper = apps.get_model("saksarkiv", "Arkivskaper")
    for creator in Arkivskaper.objects.select_related("arkiv").only("pk", "arkiv__organisation_id"):
        creator.organisation_id = creator.arkiv.organisation_id
        creator.system_id = uuid.uuid4()
        creator.save(update_fields=["organisation", "system_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("saksarkiv", "0004_noark5_archive"),
        ("virksomheter", "0006_real_scope_names"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="arkivskaper", name="unique_arkivskaper_id"),
        migrations.AddField(
            model_name="arkivskaper",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="arkivskapere",
                to="virksomheter.organisation",
                verbose_name="organisation",
            ),
        ),
        migrations.AddField(model_name="arkivskaper", name="system_id", field=models.UUIDField(null=True)),
        migrations.RunPython(creators_of_organisations, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="arkivskaper",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="arkivskapere",
                to="virksomheter.organisation",
                verbose_name="organisation",
            ),
        ),
        migrations.AlterField(
            model_name="arkivskaper",
            name="system_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="arkivskaper",
            name="arkiv",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="arkivskapere",
                to="saksarkiv.arkiv",
            ),
        ),
        migrations.AddConstraint(
            model_name="arkivskaper",
            constraint=models.UniqueConstraint(
                fields=("organisation", "arkivskaper_id"), name="unique_arkivskaper_id"
            ),
        ),
        migrations.CreateModel(
            name="Kodeverdi",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kodeliste", models.CharField(max_length=60, verbose_name="code list")),
                ("kode", models.CharField(max_length=60, verbose_name="code")),
                ("kodenavn", models.CharField(max_length=200, verbose_name="code name")),
                ("beskrivelse", models.TextField(blank=True, verbose_name="description")),
                ("inaktiv", models.BooleanField(default=False, verbose_name="inactive")),
                ("opprettet_dato", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("opprettet_av", models.CharField(blank=True, max_length=150, verbose_name="created by")),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        to="virksomheter.organisation",
                        verbose_name="organisation",
                    ),
                ),
            ],
            options={"verbose_name": "code value", "verbose_name_plural": "code values"},
        ),
        migrations.AddConstraint(
            model_name="kodeverdi",
            constraint=models.UniqueConstraint(
                fields=("organisation", "kodeliste", "kode"), name="unique_kodeverdi"
            ),
        ),
        migrations.AlterField(
            model_name="dokumentobjekt",
            name="fil",
            field=models.FileField(
                blank=True, storage=core.storage.private_storage, upload_to="saksarkiv/%Y/%m/"
            ),
        ),
        migrations.AlterField(
            model_name="dokumentobjekt",
            name="filnavn",
            field=models.CharField(blank=True, max_length=200, verbose_name="file name"),
        ),
        migrations.AlterField(
            model_name="dokumentobjekt",
            name="filstoerrelse",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="file size"),
        ),
        migrations.AlterField(
            model_name="dokumentobjekt",
            name="format",
            field=models.CharField(blank=True, max_length=20, verbose_name="format"),
        ),
        migrations.AlterField(
            model_name="dokumentobjekt",
            name="sjekksum",
            field=models.CharField(blank=True, max_length=64, verbose_name="checksum (SHA-256)"),
        ),
    ]
