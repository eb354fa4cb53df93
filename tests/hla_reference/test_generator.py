"""benchmarks/hla_donors.py: deterministic, well-formed, every token known to the reference."""

from __future__ import annotations

from tests.hla_reference.test_reference_agreement import _generator

LOCI = ("A", "B", "C", "DRB1", "DQB1")


def test_deterministic_and_prefix_stable():
    generator = _generator()
    first = list(generator.generate(300, seed=99))
    assert first == list(generator.generate(300, seed=99))
    assert first[:50] == list(generator.generate(50, seed=99))
    assert first != list(generator.generate(300, seed=100))
    assert first[0][0] == "D0000001"


def test_typings_are_valid_gl_and_reduce(matcher):
    generator = _generator()
    kinds = set()
    for _ident, gl in generator.generate(600, seed=12345):
        segments = gl.split("^")
        loci = [seg.split("+")[0].removeprefix("HLA-").split("*")[0] for seg in segments]
        assert len(segments) in (3, 4, 5)
        for segment in segments:
            positions = segment.split("+")
            assert len(positions) == 2
            for position in positions:
                for item in position.split("/"):
                    assert item.startswith("HLA-")
                    name = item[4:]
                    if "*" not in name:
                        kinds.add("serology")
                    elif name.endswith(":XX"):
                        kinds.add("xx")
                    elif name.split(":")[1].isalpha():
                        kinds.add("mac")
                    elif name.endswith("G"):
                        kinds.add("g")
                if "/" in position:
                    kinds.add("list")
        typing = matcher.typing(gl)  # raises on anything py-ard or the MAC file cannot read
        assert set(typing) <= set(LOCI)
        assert {"A", "B", "DRB1"} <= set(typing)
        assert len(loci) == len(set(loci))
    assert kinds == {"serology", "xx", "mac", "g", "list"}
