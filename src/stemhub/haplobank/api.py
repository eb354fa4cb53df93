"""The haplobank API (filled in by issue 15)."""

from ninja import Router

router = Router(tags=["haplobank"])
