"""The one navigation and the role home page, built from what each app declares.

Each app lists its menu entries and its home-page queues in its own `navigation.py`, calling
`register_menu` and `register_panel`; Django imports every app's module once at start-up
(`CoreConfig.ready`). The base template shows a user only the entries whose permission they
hold, so a link never answers 403; the home page (`/work/`) gathers the queues they may see.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.permissions import Perm, permissions_of

Label = str | Promise
ANYONE = "anyone"  # public: shown to anonymous visitors too
SIGNED_IN = "signed_in"  # any signed-in user, whatever their roles


@dataclass(frozen=True)
class Section:
    """A heading in the menu (Biobank, Quality ...); `order` places it."""

    key: str
    label: Label
    order: int


@dataclass(frozen=True)
class MenuItem:
    """One link. `perms`: any of them opens the page (or ANYONE / SIGNED_IN). `when` narrows
    further (say, only members of a cord blood bank); `kwargs` fills the URL's arguments from the
    user, or returns None to hide the link."""

    section: str
    label: Label
    url_name: str
    perms: tuple[Perm, ...] | str
    order: int = 50
    when: Callable[[Any], bool] | None = None
    kwargs: Callable[[Any], dict[str, Any] | None] | None = None
    query: str = ""
    # Pages below another link's URL that belong to this one (view names, "app:name"): a bank's
    # QC page lives under /quality/ but is the work of "Cell banks".
    also: tuple[str, ...] = ()

    def url_for(self, user: Any) -> str | None:
        kwargs = self.kwargs(user) if self.kwargs else {}
        if kwargs is None:
            return None
        try:
            url = reverse(self.url_name, kwargs=kwargs)
        except NoReverseMatch:
            return None
        return f"{url}?{self.query}" if self.query else url

    def open_to(self, user: Any, held: frozenset[Perm]) -> bool:
        return _allowed(self.perms, self.when, user, held)


@dataclass
class QueueRow:
    """One line of a home-page queue: what it is, where to open it, and a few words beside."""

    label: str
    url: str
    detail: str = ""
    badge: str = ""
    badge_class: str = ""


@dataclass
class Queue:
    """What a panel shows: how many wait, the first few, where the rest are, and what to do
    when nothing waits."""

    count: int
    rows: Sequence[QueueRow]
    more_url: str = ""
    empty: Label = ""
    tone: str = ""  # "warn" or "bad" when what waits is urgent


@dataclass(frozen=True)
class Panel:
    """A queue on the home page of users holding any of `perms` (and passing `when`)."""

    key: str
    title: Label
    perms: tuple[Perm, ...] | str
    build: Callable[[Any], Queue]
    order: int = 50
    when: Callable[[Any], bool] | None = None

    def open_to(self, user: Any, held: frozenset[Perm]) -> bool:
        return _allowed(self.perms, self.when, user, held)


def _allowed(
    perms: tuple[Perm, ...] | str,
    when: Callable[[Any], bool] | None,
    user: Any,
    held: frozenset[Perm],
) -> bool:
    if perms == ANYONE:
        allowed = True
    elif perms == SIGNED_IN:
        allowed = bool(getattr(user, "is_authenticated", False))
    else:
        allowed = bool(set(perms) & held)
    return allowed and (when is None or bool(when(user)))


@dataclass
class _Registry:
    sections: dict[str, Section] = field(default_factory=dict)
    items: list[MenuItem] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)


_registry = _Registry()


def register_section(section: Section) -> None:
    _registry.sections[section.key] = section


def register_menu(*items: MenuItem) -> None:
    _registry.items.extend(items)


def register_panel(*panels: Panel) -> None:
    _registry.panels.extend(panels)


def menu_items() -> list[MenuItem]:
    """Every entry of every app, for the tests that walk them."""
    return list(_registry.items)


@dataclass
class MenuLink:
    label: Label
    url: str
    current: bool = False
    also: tuple[str, ...] = ()


@dataclass
class MenuSection:
    key: str
    label: Label
    links: list[MenuLink]

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


def menu_for(user: Any, path: str = "", view_name: str = "") -> list[MenuSection]:
    """The sections and links this user may open, in order. The link that claims the page's
    view (`also`) is marked current, else the one whose URL is the longest prefix of `path`."""
    held = permissions_of(user)
    sections: dict[str, MenuSection] = {}
    ordered = sorted(
        _registry.items,
        key=lambda i: (_registry.sections[i.section].order, i.section, i.order),
    )
    for item in ordered:
        if not item.open_to(user, held):
            continue
        url = item.url_for(user)
        if url is None:
            continue
        section = _registry.sections[item.section]
        target = sections.setdefault(section.key, MenuSection(section.key, section.label, []))
        if all(link.url != url for link in target.links):
            target.links.append(MenuLink(item.label, url, also=item.also))
    _mark_current([link for s in sections.values() for link in s.links], path, view_name)
    return list(sections.values())


def _mark_current(links: list[MenuLink], path: str, view_name: str) -> None:
    claimed = next((link for link in links if view_name and view_name in link.also), None)
    if claimed is not None:
        claimed.current = True
        return
    best: MenuLink | None = None
    for link in links:
        bare = link.url.split("?", 1)[0]
        if (path == bare or (bare != "/" and path.startswith(bare))) and (
            best is None or len(bare) > len(best.url.split("?", 1)[0])
        ):
            best = link
    if best is not None:
        best.current = True


@dataclass
class PanelView:
    key: str
    title: Label
    queue: Queue


def panels_for(user: Any) -> list[PanelView]:
    """The home-page queues this user may see, built now, in order."""
    held = permissions_of(user)
    shown = sorted(
        (p for p in _registry.panels if p.open_to(user, held)), key=lambda p: (p.order, p.key)
    )
    return [PanelView(p.key, p.title, p.build(user)) for p in shown]


def navigation(request: HttpRequest) -> dict[str, object]:
    """Context processor: `menu`, the sections and links of the signed-in user."""
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match is not None else ""
    return {"menu": menu_for(user, request.path, view_name) if user is not None else []}


register_section(Section("home", _("Home"), 0))
register_menu(MenuItem("home", _("My work"), "work", SIGNED_IN, order=0))
