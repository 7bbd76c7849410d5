"""Examples shown in the OpenAPI documentation for report editions."""

from drf_spectacular.utils import OpenApiExample

EDITION = OpenApiExample(
    "A published edition",
    value={
        "id": 12,
        "framework": "nap-2014",
        "as_of": "2017-10-01",
        "scope": "national",
        "parameters": {
            "framework": "nap-2014",
            "as_of": "2017-10-01",
            "compare": None,
            "scope": "national",
            "number_style": "south_asian",
            "language": "en",
        },
        "status": "published",
        "failure_reason": "",
        "attempts": 1,
        "schedule_name": "",
        "created_at": "2025-01-10T09:30:00+05:00",
        "started_at": "2025-01-10T09:30:01+05:00",
        "published_at": "2025-01-10T09:30:09+05:00",
        "files": [
            {
                "format": "pdf",
                "size": 48213,
                "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                "url": "https://napportal.example.org/api/v1/report-editions/12/files/pdf/",
            }
        ],
    },
    response_only=True,
)
EDITION_REQUEST = OpenApiExample(
    "NAP 2014 as of 1 October 2017",
    value={"framework": "nap-2014", "as_of": "2017-10-01", "compare": "2016-10-01", "number_style": "international"},
    request_only=True,
)
