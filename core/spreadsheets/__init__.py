"""Spreadsheets: reading uploaded files safely, and the pieces every importer and exporter shares.

One concept per module: ``reading`` (uploaded workbooks and CSV files, checked and read into
datasets), ``cells`` (dates, text, choices and counts parsed the same way everywhere),
``importing`` (the whole file validated before any row is written), ``templates`` (the empty
import workbook), ``exporting`` (formula-safe cells and the dated export formats) and
``printing`` (sheets set up to be printed on A4, the printed tables' fonts). Every name is
importable from the package itself.
"""

from core.spreadsheets.cells import (
    DateOutOfRange,
    cell_text,
    code_text,
    line_text,
    lookup_key,
    parse_choice,
    parse_count,
    parse_date,
    parse_partial_date,
)
from core.spreadsheets.exporting import (
    FORMULA_STARTS,
    XML_FORBIDDEN,
    DatedCSV,
    DatedXLSX,
    FormulaSafeExportMixin,
    neutralise_formula,
    safe_cell_text,
    workbook_text,
)
from core.spreadsheets.importing import (
    ImportPlan,
    PlannedImportMixin,
    check_columns,
    column_limits,
    data_rows,
    largest_count,
    name_columns,
    same_codes,
)
from core.spreadsheets.printing import (
    BOLD_FONT,
    ITALIC_FONT,
    PAGE_NUMBERS,
    PAPER_A4,
    REGULAR_FONT,
    TITLE_FONT,
    print_setup,
)
from core.spreadsheets.reading import (
    MAX_COMPRESSION_RATIO,
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    SafeCSV,
    SafeXLSX,
    SpreadsheetError,
    read_csv,
    read_xlsx,
)
from core.spreadsheets.templates import template_workbook

__all__ = [
    "BOLD_FONT",
    "ITALIC_FONT",
    "PAGE_NUMBERS",
    "PAPER_A4",
    "REGULAR_FONT",
    "TITLE_FONT",
    "FORMULA_STARTS",
    "MAX_COMPRESSION_RATIO",
    "MAX_ROWS",
    "MAX_UNCOMPRESSED_BYTES",
    "XML_FORBIDDEN",
    "DateOutOfRange",
    "DatedCSV",
    "DatedXLSX",
    "FormulaSafeExportMixin",
    "ImportPlan",
    "PlannedImportMixin",
    "SafeCSV",
    "SafeXLSX",
    "SpreadsheetError",
    "cell_text",
    "code_text",
    "line_text",
    "check_columns",
    "column_limits",
    "data_rows",
    "largest_count",
    "lookup_key",
    "name_columns",
    "neutralise_formula",
    "parse_choice",
    "parse_count",
    "parse_date",
    "parse_partial_date",
    "print_setup",
    "read_csv",
    "read_xlsx",
    "safe_cell_text",
    "same_codes",
    "template_workbook",
    "workbook_text",
]
