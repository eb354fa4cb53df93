"""The menu shows each user only what they may open, and marks the page they are on."""

from stemhub.core.navigation import menu_for, menu_items


def links(menu) -> dict[str, str]:
    return {str(link.label): link.url for section in menu for link in section.links}


def current(menu) -> list[str]:
    return [str(link.label) for section in menu for link in section.links if link.current]


def test_an_anonymous_visitor_sees_only_public_links(db):
    shown = links(menu_for(None))
    assert "Cell lines" in shown and "Cord blood network" in shown
    assert "My work" not in shown and "Storage" not in shown


def test_a_researcher_sees_no_staff_link_and_a_technician_no_curation(users):
    researcher = links(menu_for(users["researcher"]))
    assert {"My work", "My requests", "Cell lines"} <= set(researcher)
    assert not {"Storage", "Lines", "Audit trail", "Release queue"} & set(researcher)
    technician = links(menu_for(users["bank_technician"]))
    assert {"Storage", "Cell banks", "QC catalogue"} <= set(technician)
    assert "New line" not in technician


def test_every_registered_link_names_a_url(db):
    assert all(item.url_name for item in menu_items())


def test_the_longest_matching_link_is_current(users):
    menu = menu_for(users["bank_technician"], "/biobank/banks/12/", "biobank:bank")
    assert current(menu) == ["Cell banks"]


def test_a_page_claimed_by_a_link_is_its_current_page_whatever_the_prefix(users):
    menu = menu_for(users["bank_technician"], "/quality/banks/12/", "quality:bank")
    assert current(menu) == ["Cell banks"]
    unclaimed = menu_for(users["bank_technician"], "/quality/nonconformities/", "quality:x")
    assert current(unclaimed) == ["Nonconformities"]
