"""The quality management system over HTTP. Each operation declares its permission; reading
needs qms.view in the record's institution."""

from ninja import Router

router = Router(tags=["qms"])
