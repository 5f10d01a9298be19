"""Admin pieces shared by every importer."""

from import_export.admin import ImportExportMixin

from danvan.spreadsheets import SpreadsheetError


class SafeImportExportMixin(ImportExportMixin):
    """Import-export admin whose file-reading errors speak Vietnamese and name the problem."""

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SpreadsheetError):
            message = str(e)
        else:
            message = (
                "Không đọc được tệp. Hãy kiểm tra tệp đúng định dạng đã chọn (.xlsx hoặc .csv) "
                "và không bị hỏng."
            )
        form.add_error("import_file", message)
