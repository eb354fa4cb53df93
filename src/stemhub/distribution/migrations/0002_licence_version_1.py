"""The first wording of the distribution licence. Never edit it here: a new wording is a new
LicenceVersion row (services.licence_version_publish)."""

import hashlib

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TEXT = """\
1. No cost. The provider gives the cells free of charge.

2. Not transferable. The cells, their progeny and anything derived from them stay with your laboratory. You do not pass them on to anyone else, inside or outside your institution, without the provider's written consent.

3. For this project only. You use the cells only for the project described in this request and only for the use you declared (basic research, commercial or clinical). A new project needs a new request.

4. Ownership and intellectual property stay with the provider. This licence gives you the right to use the cells, not to own them. You do not claim patents or other rights on the cells themselves or on unmodified derivatives.

5. Results are shared. You tell the provider about publications and results that used the cells (with their DOI), cite the line by its standard name, and report how the cells did after thawing. The provider may use your post-thaw report to improve its banking.

6. Consent and law. You respect the limits of the donor's consent shown on the line's record and the law where you work; you hold the ethics approval you named.

7. Ending. The provider may end this licence if these terms are broken; you then destroy the remaining cells and tell the provider you have done so.
""".strip()


def add_version_1(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    LicenceVersion = apps.get_model("distribution", "LicenceVersion")
    LicenceVersion.objects.get_or_create(
        number=1,
        defaults={
            "title": "Licence to use cell lines for one research project",
            "text": TEXT,
            "sha256": hashlib.sha256(TEXT.encode()).hexdigest(),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("distribution", "0001_initial")]

    operations = [migrations.RunPython(add_version_1, migrations.RunPython.noop)]
