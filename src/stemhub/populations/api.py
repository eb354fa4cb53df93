"""The populations API (filled in by issue 15)."""

from ninja import Router

router = Router(tags=["populations"])
