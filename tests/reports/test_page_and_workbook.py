"""The report page and the workbook it hands out show the same numbers, read from what each
shows: the page's HTML cells (by their headers) and the downloaded file's cells (by its headers).

Nothing here goes through the code both are built from, so a column dropped from one of them, a
cell put under another header or a row left out fails here.
"""

import io

import openpyxl
import pytest
from django.urls import reverse
from lxml import html

from tests.reports.test_figures import registry  # noqa: F401  (the hand-counted registry)

FIRST_DATA_ROW = 8  # the workbook's five title rows and two header rows


def number(text: str) -> int:
    """A number as the page writes it (1.234.567, +5, −3)."""
    return int(text.strip().replace(".", "").replace("+", "").replace("−", "-"))


def row_name(header) -> str:
    """A row header's unit or measure, with its note as the files write it ("X (sáp nhập vào)")."""
    links = header.xpath(".//a")
    name = (links[0].text if links else header.text or "").strip()
    badges = header.xpath(".//span[contains(@class, 'badge')]")
    return f"{name} ({badges[0].text_content().strip()})" if badges else name


def page_table(document, table_id: str) -> dict[str, dict[tuple[str, str], int]]:
    """Row name → {(column group, column header): number} of one table of the page."""
    table = document.xpath(f"//table[@id='{table_id}']")[0]
    head = table.xpath("./thead/tr")
    columns = []
    lower = iter(th.text_content().strip() for th in head[1].xpath("th")) if len(head) > 1 else None
    for th in head[0].xpath("th")[1:]:
        label = th.text_content().strip()
        if th.get("scope") == "colgroup":
            columns += [(label, next(lower)) for _ in range(int(th.get("colspan")))]
        else:
            columns.append(("", label))
    rows = {}
    for tr in table.xpath("./tbody/tr | ./tfoot/tr"):
        cells = [number(td.text_content()) for td in tr.xpath("td")]
        assert len(cells) == len(columns), table_id
        rows[row_name(tr.xpath("th")[0])] = dict(zip(columns, cells, strict=True))
    return rows


def sheet_table(sheet, *, last_row_label: str | None = None):
    """Row label (column B) → {(group, header): value} of a report sheet with two header rows."""
    columns, group = [], ""
    for column in range(3, sheet.max_column + 1):
        top, bottom = sheet.cell(6, column).value, sheet.cell(7, column).value
        if bottom is None:
            group = ""
            columns.append(("", top))
        else:
            group = top if top is not None else group
            columns.append((group, bottom))
    rows = {}
    for row in sheet.iter_rows(min_row=FIRST_DATA_ROW, values_only=True):
        if row[1] in (None, "") or not isinstance(row[2], int):
            continue  # a section heading or a note
        rows[row[1]] = dict(zip(columns, row[2:], strict=True))
        if row[1] == last_row_label:
            break
    return rows


@pytest.fixture
def shown(client_for, registry, tree, reviewer):  # noqa: F811
    """The province's 2025 page and the workbook downloaded from it."""
    client = client_for(reviewer)
    page = client.get(reverse("reports:report"), {"don_vi": tree.province.pk, "ky": "2025"})
    document = html.fromstring(page.content.decode())
    response = client.post(
        reverse("reports:job_create"),
        {"don_vi": tree.province.pk, "ky": "2025", "kind": "workbook"},
    )
    download = client.get(response["Location"])
    assert download.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    return document, workbook


def test_table_1_on_the_page_and_in_the_workbook(shown):
    document, workbook = shown
    page = page_table(document, "bang-1")  # measures (rows) × fields (columns)
    sheet = {  # fields (rows) × measures (columns, under their group headers)
        label: {header: value for (_, header), value in cells.items()}
        for label, cells in sheet_table(workbook["1. Lĩnh vực"], last_row_label="Tổng cộng").items()
    }
    measures = list(page)
    fields = [label for group, label in page[measures[0]] if group == "Lĩnh vực"]
    assert len(measures) == 8 and len(fields) == 4
    assert list(sheet) == [*fields, "Tổng cộng"]
    for field in fields:
        assert list(sheet[field]) == measures
        for measure in measures:
            assert page[measure][("Lĩnh vực", field)] == sheet[field][measure], (field, measure)
    for measure in measures:
        assert page[measure][("", "Tổng số")] == sheet["Tổng cộng"][measure], measure
    assert page["Đang thực hiện"][("", "Tổng số")] == 5  # A B C F G


def test_table_2_on_the_page_and_in_the_workbook(shown):
    document, workbook = shown
    page = page_table(document, "bang-2")
    sheet = sheet_table(workbook["2. Đơn vị"])
    page["Tổng cộng"] = page.pop("Cộng")
    assert list(sheet) == list(page)
    assert sheet == page
    ward = page["Phường Chùa Hang"]
    assert len(ward) == 12
    assert ward[("Được biểu dương, khen thưởng", "Cá nhân")] == 1  # G
    assert ward[("", "Duy trì")] == 1  # B
    assert ward[("Đang thực hiện theo lĩnh vực", "Văn hóa – xã hội")] == 1  # B
