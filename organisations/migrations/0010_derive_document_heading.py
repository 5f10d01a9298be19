"""Existing units get the heading their kind or name says: Party committees and the bodies named
as Party bodies (Đảng ủy, Tỉnh ủy, Ban Dân vận, Ban Thường vụ…) head their documents under
"ĐẢNG CỘNG SẢN VIỆT NAM"; the rest keep the State's heading. The usual abbreviations of
people's committees, Front committees and Party committees are filled where they were empty."""

from django.db import migrations

# The unaccented, lower-case beginnings of Party bodies' names (``search_name``).
PARTY_NAMES = (
    r"^(dang uy|dang bo|chi bo|tinh uy|thanh uy|quan uy|huyen uy|thi uy|ban dan van"
    r"|ban tuyen giao|ban thuong vu|ban chap hanh dang bo|ban to chuc|uy ban kiem tra)( |$)"
)
# (search_name beginning, kind, abbreviation) for the abbreviation of ordinary names.
ABBREVIATIONS = (
    (r"^ban dan van tinh uy( |$)", None, "BDVTU"),
    (r"^ban dan van thanh uy( |$)", None, "BDVTU"),
    (r"^ban dan van huyen uy( |$)", None, "BDVHU"),
    (r"^ban dan van quan uy( |$)", None, "BDVQU"),
    (r"^dang uy( |$)", None, "ĐU"),
    (r"^(tinh|thanh) uy( |$)", None, "TU"),
    (r"^quan uy( |$)", None, "QU"),
    (r"^huyen uy( |$)", None, "HU"),
    (r"^(uy ban mttq|uy ban mat tran)( |$)", None, "MTTQ"),
    (None, "fatherland_front", "MTTQ"),
    (None, "peoples_committee", "UBND"),
)


def derive(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    Organisation.objects.filter(kind="party_committee").update(document_heading="party")
    Organisation.objects.filter(search_name__regex=PARTY_NAMES).update(document_heading="party")
    for pattern, kind, abbreviation in ABBREVIATIONS:
        units = Organisation.objects.filter(document_abbreviation="")
        if pattern:
            units = units.filter(search_name__regex=pattern)
        if kind:
            units = units.filter(kind=kind)
        units.update(document_abbreviation=abbreviation)


class Migration(migrations.Migration):
    dependencies = [("organisations", "0009_document_heading_of_issuing_bodies")]

    operations = [migrations.RunPython(derive, migrations.RunPython.noop)]
