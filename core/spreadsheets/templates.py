"""The empty import workbook every importer offers for download."""

from __future__ import annotations

import io


def template_workbook(
    *,
    sheet_title: str,
    columns: dict[str, str],
    column_help: dict[str, str],
    examples: list[list],
    widths: dict[str, int],
    lists: dict[str, tuple[str, list[str]]],
) -> bytes:
    """An empty import file: the data sheet with its headers and examples, a guide sheet that
    documents every column, and a "Danh mục" sheet feeding the drop-downs of ``lists`` (column
    key → list title and values)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append(list(columns.values()))
    for example in examples:
        sheet.append(example)
    header_fill = PatternFill("solid", fgColor="FDE2E1")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    letters = {key: get_column_letter(index) for index, key in enumerate(columns, start=1)}
    for key, width in widths.items():
        sheet.column_dimensions[letters[key]].width = width
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Cách điền"])
    for key, column in columns.items():
        guide.append([column, column_help[key]])
    guide.column_dimensions["A"].width = 30
    guide.column_dimensions["B"].width = 110
    for cell in guide[1]:
        cell.font = Font(bold=True)

    catalogue = workbook.create_sheet("Danh mục")
    catalogue.append([title for title, _ in lists.values()])
    longest = max((len(values) for _, values in lists.values()), default=0)
    for index in range(longest):
        catalogue.append(
            [values[index] if index < len(values) else None for _, values in lists.values()]
        )
    # Excel limits an inline list to 255 characters, so the drop-downs point at "Danh mục".
    for position, (key, (title, values)) in enumerate(lists.items(), start=1):
        source = get_column_letter(position)
        catalogue.column_dimensions[source].width = max(map(len, [title, *values])) + 4
        if not values:
            continue
        validation = DataValidation(type="list", allow_blank=True, showErrorMessage=False)
        validation.formula1 = f"='Danh mục'!${source}$2:${source}${len(values) + 1}"
        sheet.add_data_validation(validation)
        validation.add(f"{letters[key]}2:{letters[key]}5000")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
