from tests.permissions import EDITORS, Page

PAGE_CASES = [Page("exchange:lines_import", "/staff/import/lines/", EDITORS | {"other_curator"})]
