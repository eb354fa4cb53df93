"""The distribution statistics CSV quotes a cell a spreadsheet would run as a formula."""

import csv
import io

from tests.distribution.setups import approved, distribution_lot, shipped

FORMULA = '=HYPERLINK("http://evil.example","Click")'


def test_the_statistics_by_institution_escape_formulas(users, line, client_for):
    distribution_lot(users, line, count=2)
    shipped(users, approved(users, line, vials_requested=1, recipient_institution=FORMULA))
    answer = client_for("curator").get("/distribution/statistics/by-institution.csv")
    body = answer.content.decode("utf-8").removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][0] == "'" + FORMULA
