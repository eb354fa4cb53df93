"""The populations pages and API as a platform admin and a search coordinator use them."""

import gzip
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from stemhub.populations import services
from stemhub.populations.models import HaplotypeSet, Population

CAU = Path(__file__).resolve().parents[3] / "shared" / "hla" / "CAU.freqs.gz"
pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_population_and_loads_its_set_through_the_pages(client_for):
    admin = client_for("platform_admin")
    created = admin.post("/populations/new/", {"code": "cau", "name": "Caucasian (NMDP)"})
    assert created.status_code == 302 and created["location"] == "/populations/CAU/"
    page = admin.get("/populations/CAU/").content.decode()
    assert "No set loaded yet" in page and 'id="set-form"' in page
    loaded = admin.post(
        "/populations/CAU/sets/",
        {
            "file": SimpleUploadedFile("CAU.freqs.gz", CAU.read_bytes()),
            "source": "NMDP 2011, WMDA validation set",
            "sample_size": "1,242,890",
            "file_format": "csv",
            "note": "first load",
        },
    )
    loaded_set = HaplotypeSet.objects.get()
    assert loaded.status_code == 302
    assert loaded["location"] == f"/populations/sets/{loaded_set.pk}/"
    assert loaded_set.sample_size == 1_242_890
    detail = admin.get(loaded["location"]).content.decode()
    # the likeliest CAU haplotype first, with its frequency as a percentage
    assert detail.index("A*01:01") < detail.index("B*08:01") < detail.index("DQB1*02:01")
    assert "In use" in detail and "3380" in detail and "1242890 people" in detail
    listing = admin.get("/populations/").content.decode()
    assert "Version 1" in listing and "NMDP 2011" in listing
    download = admin.get(f"/populations/sets/{loaded_set.pk}/file/")
    assert download.content == CAU.read_bytes()
    assert download["X-Content-SHA256"] == loaded_set.sha256


def test_a_bad_file_comes_back_to_the_form_naming_the_line(client_for, users):
    services.population_create(actor=users["platform_admin"], code="CAU", name="Caucasian")
    text = gzip.decompress(CAU.read_bytes()).decode().splitlines()
    text[41] = text[41].replace("A*", "A*99", 1)
    answer = client_for("platform_admin").post(
        "/populations/CAU/sets/",
        {"file": SimpleUploadedFile("cau.csv", "\n".join(text).encode()), "source": "test"},
    )
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "cau.csv, line 42: A*99" in page and 'id="set-error"' in page
    assert not HaplotypeSet.objects.exists()


def test_a_coordinator_reads_but_is_offered_no_form(client_for, users):
    services.population_create(actor=users["platform_admin"], code="CAU", name="Caucasian")
    coordinator = client_for("search_coordinator")
    listing = coordinator.get("/populations/").content.decode()
    assert "CAU" in listing and 'id="population-form"' not in listing
    assert "A platform admin loads sets" in coordinator.get("/populations/CAU/").content.decode()
    assert coordinator.post("/populations/CAU/default/").status_code == 403


def test_the_api_loads_a_set_and_refuses_a_bad_one_with_a_400(client_for, users):
    services.population_create(actor=users["platform_admin"], code="CAU", name="Caucasian")
    admin = client_for("platform_admin")
    bad = admin.post(
        "/api/v1/populations/CAU/sets",
        {"file": SimpleUploadedFile("x.csv", b"A*01:01~B*08:01,1,nan\n"), "source": "test"},
    )
    assert bad.status_code == 400
    assert "x.csv, line 1: nan" in bad.json()["error"]["message"]
    good = admin.post(
        "/api/v1/populations/CAU/sets",
        {"file": SimpleUploadedFile("CAU.freqs.gz", CAU.read_bytes()), "source": "NMDP"},
    )
    assert good.status_code == 201, good.content
    body = good.json()
    assert (body["version"], body["in_use"], body["haplotype_count"]) == (1, True, 3380)
    assert body["loci"] == ["A", "C", "B", "DRB1", "DQB1"]
    listed = client_for("search_coordinator").get("/api/v1/populations").json()
    assert listed[0]["set_in_use"]["id"] == body["id"] and listed[0]["is_default"]


def test_uploads_are_limited_while_reading_and_after_unpacking(users, monkeypatch):
    admin = users["platform_admin"]
    population = services.population_create(actor=admin, code="CAU", name="Caucasian")
    monkeypatch.setattr(services, "MAX_SET_BYTES", 1000)
    read: list[int] = []

    def chunks():
        for n in range(100):
            read.append(n)
            yield b"x" * 600

    with pytest.raises(services.InvalidInput, match="larger than"):
        services.haplotype_set_load(
            actor=admin, population=population, filename="big.csv", chunks=chunks(), source="s"
        )
    assert len(read) == 2  # refused at the second chunk, not after reading all 100
    bomb = gzip.compress(b"A" * 5000)
    assert len(bomb) < 1000
    with pytest.raises(services.InvalidInput, match="uncompressed"):
        services.haplotype_set_load(
            actor=admin, population=population, filename="bomb.gz", chunks=[bomb], source="s"
        )
    assert not HaplotypeSet.objects.exists() and Population.objects.count() == 1


def test_a_refused_file_is_explained_in_chinese(client_for, users, settings):
    services.population_create(actor=users["platform_admin"], code="CAU", name="Caucasian")
    client = client_for("platform_admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    bad = b"A*01:01~B*99:99,1,0.5\nA*02:01~B*08:01,1,0.5\n"
    answer = client.post(
        "/populations/CAU/sets/", {"file": SimpleUploadedFile("x.csv", bad), "source": "s"}
    )
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "x.csv，第 1 行：B*99:99：不是 IPD-IMGT/HLA" in page and "两区段分辨率的等位基因" in page
