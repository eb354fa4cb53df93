"""The platform as a newcomer meets it: `stemhub migrate`, `stemhub demo`, `stemhub runserver`
and `stemhub worker` in subprocesses, on a database of their own, with the demo's logins.

The click-through tests and `make screenshots` drive this server, not pytest-django's live server:
it is the product as `make run` starts it, with every app's demo data, on the database the suite
runs on (a file under a temporary folder for SQLite; a database of its own on PostgreSQL).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse, urlunparse

DEMO_PASSWORD = "stemhub-demo"
STEMHUB = Path(sys.executable).with_name("stemhub")


@dataclass
class DemoSite:
    url: str
    env: dict[str, str]
    usernames: list[str] = field(default_factory=list)

    def command(self, *args: str) -> str:
        """Run a `stemhub` command against the demo's database; its output."""
        done = subprocess.run(
            [str(STEMHUB), *args], env=self.env, capture_output=True, text=True, check=True
        )
        return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_url(folder: Path) -> str:
    """SQLite: a file in `folder`. PostgreSQL: a fresh database beside the suite's own."""
    url = os.environ.get("DATABASE_URL", "sqlite:///:memory:")
    if not url.startswith("postgres"):
        return f"sqlite:///{folder / 'demo.sqlite3'}"
    import psycopg

    parsed = urlparse(url)
    name = re.sub(r"\W", "_", parsed.path.strip("/")) + "_demo_site"
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}"))


def _wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the demo server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the demo server did not answer {url} within {seconds} s")


@contextmanager
def demo_site(folder: Path) -> Iterator[DemoSite]:
    """Migrate a new database, load the demo and serve it until the block ends."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "stemhub.config.settings",
        "STEMHUB_DEMO": "1",
        "STEMHUB_DATA_DIR": str(folder),
        "STEMHUB_SITE_URL": url,
        "DATABASE_URL": _database_url(folder),
        "PORT": str(port),
    }
    env.pop("SECRET_KEY", None)
    site = DemoSite(url, env)
    site.command("migrate", "--no-input")
    site.usernames = printed_usernames(site.command("demo"))
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [str(STEMHUB), "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    # The task worker beside the server, as `make run` starts it: uploads run as tasks.
    worker = subprocess.Popen(
        [str(STEMHUB), "worker", "--no-reload", "--no-startup-delay", "--interval", "0.5"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(f"{url}/healthz", server)
        yield site
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=20)
        log.close()


def printed_usernames(output: str) -> list[str]:
    """The first column of the logins table `stemhub demo` prints."""
    lines = output.splitlines()
    rule = next(i for i, line in enumerate(lines) if re.fullmatch(r"-[- ]+", line))
    names = []
    for line in lines[rule + 1 :]:
        if not line.strip():
            break
        names.append(line.split()[0])
    return names


class _MenuLinks(HTMLParser):
    """The links of the side menu (signed in) or of the header (anonymous)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        # by id, not by the label, which reads 主导航 in Chinese
        if tag == "nav" and found.get("id") in {"side-menu", "main-menu"}:
            self.depth = 1
        elif self.depth and tag == "nav":
            self.depth += 1
        elif self.depth and tag == "a":
            self._href, self._text = found.get("href"), []

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag == "nav":
            self.depth -= 1
        elif self.depth and tag == "a" and self._href:
            self.links.append((" ".join("".join(self._text).split()), self._href))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)


def menu_links(html: str) -> list[tuple[str, str]]:
    """(label, href) of every link in the main navigation of a rendered page."""
    parser = _MenuLinks()
    parser.feed(html)
    return parser.links


class Visitor:
    """A signed-in (or anonymous) visitor over plain HTTP, with cookies, for walking links."""

    def __init__(self, site: DemoSite, username: str | None = None) -> None:
        import http.cookiejar

        self.site = site
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        if username is not None:
            self._log_in(username)

    def get(self, path: str) -> tuple[int, str]:
        """Status and body of a GET; errors are answers too."""
        try:
            with self.opener.open(self.site.url + path, timeout=60) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def _log_in(self, username: str) -> None:
        from urllib.parse import urlencode

        self.get("/accounts/login/")
        token = next(c.value for c in self.cookies if c.name == "csrftoken")
        form = urlencode(
            {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            self.site.url + "/accounts/login/",
            data=form,
            headers={"Referer": self.site.url + "/accounts/login/"},
        )
        with self.opener.open(request, timeout=60) as answer:
            if urlparse(answer.url).path != "/work/":
                raise AssertionError(f"{username} did not land on /work/ but {answer.url}")
