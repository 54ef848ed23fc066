"""Remove bidirectional-text controls (U+202E…) from names saved before they were refused."""

from django.db import migrations

from core.bidi import BIDI_CONTROLS, strip_bidi_controls


def strip_names(apps, schema_editor):
    Candidate = apps.get_model("candidates", "Candidate")
    controls = BIDI_CONTROLS.pattern
    for field in ("first_name", "last_name"):
        rows = Candidate.objects.filter(**{f"{field}__regex": controls}).only("pk", field)
        for candidate in rows.iterator():
            Candidate.objects.filter(pk=candidate.pk).update(
                **{field: strip_bidi_controls(getattr(candidate, field))}
            )


class Migration(migrations.Migration):
    dependencies = [("candidates", "0003_candidate_time_zone_and_sms_events")]

    operations = [migrations.RunPython(strip_names, migrations.RunPython.noop)]
