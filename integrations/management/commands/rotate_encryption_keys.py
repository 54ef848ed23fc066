"""Re-encrypt every stored secret with the first key of FIELD_ENCRYPTION_KEYS.

Rotation: put the new key first, keep the old ones after it, run this command, then remove the
old keys. Values no configured key can decrypt are reported and left exactly as they are, and
the command then exits with status 1 (so a script does not go on to remove the old keys).
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from integrations.fields import EncryptedTextField, UndecryptableSecret


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field value with the first key of FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        rotated = 0
        undecryptable = []
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            for field in fields:
                with transaction.atomic():
                    rows = (
                        model._default_manager.select_for_update()
                        .exclude(**{field.attname: ""})
                        .exclude(**{f"{field.attname}__isnull": True})
                        .values_list("pk", field.attname)
                    )
                    for pk, value in rows:
                        if isinstance(value, UndecryptableSecret):
                            undecryptable.append(f"{model._meta.label} #{pk} {field.name}")
                            continue
                        # Saving the plaintext encrypts it again, with the first key.
                        model._default_manager.filter(pk=pk).update(**{field.attname: value})
                        rotated += 1

        self.stdout.write(f"Re-encrypted {rotated} secret(s) with the first key.")
        if undecryptable:
            raise CommandError(
                f"{len(undecryptable)} secret(s) could not be decrypted with any configured key "
                "and were left unchanged: " + ", ".join(undecryptable) + ". Add the missing key "
                "to FIELD_ENCRYPTION_KEYS and run this again, or re-enter the secret under "
                "Administration → Integrations."
            )
