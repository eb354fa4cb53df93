"""Catalogue downloads. (The search pages live with the public registry pages.)"""

from django.http import HttpRequest, StreamingHttpResponse

from stemhub.catalogue.downloads import csv_stream, json_stream, public_rows


def download_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Public: every published line as CSV, streamed."""
    response = StreamingHttpResponse(
        csv_stream(public_rows(request.build_absolute_uri("/").rstrip("/"))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="stemhub-catalogue.csv"'
    return response


def download_json(request: HttpRequest) -> StreamingHttpResponse:
    """Public: every published line as a JSON array, streamed."""
    response = StreamingHttpResponse(
        json_stream(public_rows(request.build_absolute_uri("/").rstrip("/"))),
        content_type="application/json",
    )
    response["Content-Disposition"] = 'attachment; filename="stemhub-catalogue.json"'
    return response
