"""Import and export of registered models and exemplars (django-import-export).

``plan`` holds what an import means: its columns, the checks on every row, the match with stored
models and the writing of a valid file. ``adapters`` holds the django-import-export ``Resource``
the admin uses, which hands a file's rows to the plan and shows it in the preview.
"""

from models_registry.resources.adapters import NATIVE_COUNT, NATIVE_DATE, DanVanModelResource
from models_registry.resources.plan import (
    BATCH_SIZE,
    COLUMN_HELP,
    COLUMNS,
    COUNT_FIELDS,
    DATE_FIELDS,
    EXPORT_ONLY,
    IMPORT_LOCK,
    IMPORTABLE_STATUSES,
    MAX_LENGTHS,
    NEW_THEME_LINK_TRIGGER,
    PREVIEW_COLUMNS,
    PREVIEW_ROWS,
    REQUIRED_COLUMNS,
    SHEET_TITLE,
    TEXT_FIELDS,
    ModelImportPlanner,
    PlannedModel,
    import_template_workbook,
    split_theme_names,
)

__all__ = [
    "BATCH_SIZE",
    "COLUMN_HELP",
    "COLUMNS",
    "COUNT_FIELDS",
    "DATE_FIELDS",
    "EXPORT_ONLY",
    "IMPORTABLE_STATUSES",
    "IMPORT_LOCK",
    "MAX_LENGTHS",
    "NATIVE_COUNT",
    "NATIVE_DATE",
    "NEW_THEME_LINK_TRIGGER",
    "PREVIEW_COLUMNS",
    "PREVIEW_ROWS",
    "REQUIRED_COLUMNS",
    "SHEET_TITLE",
    "TEXT_FIELDS",
    "DanVanModelResource",
    "ModelImportPlanner",
    "PlannedModel",
    "import_template_workbook",
    "split_theme_names",
]
