from django.db import migrations, models


class Migration(migrations.Migration):
    """A run no longer rewrites the findings it finds unchanged: it compares digests, and ``last_seen`` becomes
    ``last_changed``."""

    dependencies = [("tracker", "0019_learnt_bounds")]

    operations = [
        # Empty for stored findings: the next run sees them as changed and writes their digests, once.
        migrations.AddField(
            model_name="finding",
            name="digest",
            field=models.CharField(blank=True, editable=False, max_length=32, verbose_name="digest"),
        ),
        migrations.RenameField(model_name="finding", old_name="last_seen", new_name="last_changed"),
        migrations.AlterField(
            model_name="finding", name="last_changed", field=models.DateTimeField(verbose_name="last changed")
        ),
    ]
