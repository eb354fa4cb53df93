from tests.permissions import EDITORS, Page


class SheetUpload:
    """A sheet for the test client that reads the same content every time it is sent."""

    name = "lines.csv"
    content_type = "text/csv"

    def read(self) -> bytes:
        return b"name,line_type\nNSCBi010-A,hiPSC\n"


PAGE_CASES = [
    Page("exchange:lines_import", "/staff/import/lines/", EDITORS | {"other_curator"}),
    # Registering queues a task for your own institution: refused before queuing otherwise.
    Page(
        "exchange:lines_import",
        "/staff/import/lines/",
        EDITORS | {"other_curator"},
        method="POST",
        data={"file": SheetUpload()},
    ),
]
