"""A Chinese name beside the English one for institutions, and for people beside their first
and last names. Existing rows whose names were typed in Chinese characters get them copied into
the Chinese name (an institution's English name stays as it was until someone enters one)."""

import re

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# CJK ideographs (unified, extension A, compatibility) and the supplementary planes' extensions.
CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def copy_chinese_names(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Institution = apps.get_model("accounts", "Institution")
    User = apps.get_model("accounts", "User")
    taken = set(Institution.objects.exclude(name_zh="").values_list("name_zh", flat=True))
    for institution in Institution.objects.filter(name_zh=""):
        if CJK.search(institution.name) and institution.name not in taken:
            institution.name_zh = institution.name
            institution.save(update_fields=["name_zh"])
            taken.add(institution.name)
    for user in User.objects.filter(name_zh=""):
        if CJK.search(user.first_name + user.last_name):
            user.name_zh = f"{user.last_name.strip()}{user.first_name.strip()}"[:150]
            user.save(update_fields=["name_zh"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_language")]

    operations = [
        migrations.AddField(
            model_name="institution",
            name="name_zh",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="The name in Chinese, e.g. 国家干细胞资源库.",
                max_length=200,
                verbose_name="Chinese name",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="name_zh",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="The full name in Chinese, family name first, e.g. 张伟.",
                max_length=150,
                verbose_name="Chinese name",
            ),
        ),
        migrations.AlterField(
            model_name="institution",
            name="name",
            field=models.CharField(
                help_text="The name in English, as hPSCreg and other registries show it.",
                max_length=200,
                unique=True,
                verbose_name="English name",
            ),
        ),
        migrations.AddConstraint(
            model_name="institution",
            constraint=models.UniqueConstraint(
                condition=models.Q(("name_zh", ""), _negated=True),
                fields=("name_zh",),
                name="institution_chinese_name_unique",
                violation_error_message="Another institution already has this Chinese name.",
            ),
        ),
        migrations.RunPython(copy_chinese_names, migrations.RunPython.noop),
    ]
