"""`stemhub names check` and `stemhub names next`."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stemhub.registry.models import IssuedName


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("names", *args, stdout=out)
    return out.getvalue()


def test_check_prints_one_json_verdict_per_name():
    lines = run("check", "NSCBi001-A", "MCRI001-A", "nscbi001-A").splitlines()
    verdicts = [json.loads(line) for line in lines]
    assert verdicts == [
        {"name": "NSCBi001-A", "verdict": "valid", "messages": []},
        {
            "name": "MCRI001-A",
            "verdict": "warning",
            "messages": [
                "no type letter ('i' induced or 'e' embryonic) after the provider code 'MCRI'"
            ],
        },
        {
            "name": "nscbi001-A",
            "verdict": "invalid",
            "messages": ["starts with lowercase 'nscbi'; a provider code is uppercase letters"],
        },
    ]


def test_check_exits_0_even_for_invalid_names():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "stemhub.config.test_settings"}
    done = subprocess.run(
        [sys.executable, "-m", "stemhub", "names", "check", "", "Genea019"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    verdicts = [json.loads(line)["verdict"] for line in done.stdout.splitlines()]
    assert verdicts == ["invalid", "warning"]


def test_check_needs_at_least_one_name():
    with pytest.raises(CommandError, match="the following arguments are required: NAME"):
        run("check")


@pytest.mark.django_db
class TestNext:
    def test_without_as_it_issues_as_a_system_action(self, bank):
        assert run("next", "--provider", "NSCB", "--type", "i") == "NSCBi001-A\n"
        assert run("next", "--provider", "NSCB", "--type", "e") == "NSCBe001-A\n"
        assert set(IssuedName.objects.values_list("issued_to", flat=True)) == {None}

    def test_same_donor_and_subclone(self, bank):
        run("next", "--provider", "NSCB", "--type", "i")
        same = run("next", "--provider", "NSCB", "--type", "i", "--same-donor", "NSCBi001-A")
        sub = run("next", "--provider", "NSCB", "--type", "i", "--subclone-of", "NSCBi001-B")
        assert (same, sub) == ("NSCBi001-B\n", "NSCBi001-B-1\n")

    def test_as_a_user_records_them(self, users):
        run("next", "--provider", "NSCB", "--type", "i", "--as", "curator")
        assert IssuedName.objects.get().issued_to == users["curator"]

    def test_as_a_user_without_the_permission_fails_with_the_reason(self, users):
        with pytest.raises(CommandError, match=r"registry\.issue_names"):
            run("next", "--provider", "NSCB", "--type", "i", "--as", "researcher")
        assert not IssuedName.objects.exists()

    def test_as_an_unknown_user_fails(self, bank):
        with pytest.raises(CommandError, match="No user named 'nobody'"):
            run("next", "--provider", "NSCB", "--type", "i", "--as", "nobody")

    def test_an_unknown_provider_fails_with_the_reason(self, db):
        with pytest.raises(CommandError, match="No institution has the provider code 'XYZ'"):
            run("next", "--provider", "XYZ", "--type", "i")

    def test_same_donor_and_subclone_exclude_each_other(self, bank):
        with pytest.raises(CommandError, match="not allowed with argument"):
            run(
                "next",
                "--provider",
                "NSCB",
                "--type",
                "i",
                "--same-donor",
                "A",
                "--subclone-of",
                "B",
            )
