"""Examples shown in the OpenAPI documentation (Swagger UI, Redoc), drawn from the NACTA status report."""

from drf_spectacular.utils import OpenApiExample

FRAMEWORK = OpenApiExample(
    "NAP 2014",
    value={
        "slug": "nap-2014",
        "title": "National Action Plan 2014",
        "short_title": "NAP 2014",
        "description": "The 20-point plan agreed in December 2014.",
        "adopted_on": "2014-12-24",
        "adopted_precision": "day",
        "supersedes": None,
        "item_count": 20,
    },
    response_only=True,
)
AGENDA_ITEM = OpenApiExample(
    "Item 1 of NAP 2014",
    value={
        "id": 1,
        "framework": "nap-2014",
        "number": 1,
        "title": "Execution of convicted terrorists",
        "description": "",
        "category": "kinetic",
        "category_is_editorial": False,
        "responsibilities": [{"body": "interior", "role": "lead", "is_editorial": True}],
    },
    response_only=True,
)
CROSSWALK = OpenApiExample(
    "2014 item 1 continued in 2021",
    value={
        "id": 1,
        "from_item": {"id": 1, "framework": "nap-2014", "number": 1, "title": "Execution of convicted terrorists"},
        "to_item": {"id": 21, "framework": "nap-2021", "number": 1, "title": "Zero tolerance for militancy"},
        "note": "The revised plan carries the point on.",
        "is_editorial": True,
    },
    response_only=True,
)
BODY = OpenApiExample(
    "NACTA",
    value={
        "slug": "nacta",
        "name": "National Counter Terrorism Authority",
        "short_name": "NACTA",
        "kind": "federal_agency",
        "parent": "interior",
    },
    response_only=True,
)
INDICATOR = OpenApiExample(
    "Executions",
    value={
        "code": "nap14-01-executions",
        "name": "Executions of convicted terrorists",
        "description": "",
        "item": 1,
        "framework": "nap-2014",
        "position": 1,
        "unit": "count",
        "scale": 0,
        "direction": "neutral",
        "accumulation": "stock",
        "status_template": "{value} Executions",
        "target_value": None,
        "target_date": None,
        "continues": None,
    },
    response_only=True,
)
SOURCE = OpenApiExample(
    "NACTA status report",
    value={
        "slug": "nacta-status-2017-10",
        "publisher": "nacta",
        "title": "Annotated status report on NAP",
        "published_on": "2017-10-01",
        "date_precision": "month",
        "url": "",
        "reference": "Printed report",
    },
    response_only=True,
)
OBSERVATION = OpenApiExample(
    "A submitted provincial figure",
    value={
        "id": 42,
        "indicator": "nap14-01-executions",
        "body": "punjab",
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "date_precision": "year",
        "value": "120.0000",
        "value_qualifier": "about",
        "text_value": "",
        "source": "nacta-status-2017-10",
        "quote": "about 120",
        "note": "",
        "editorial_note": "",
        "state": "submitted",
        "version": 2,
        "supersedes": None,
        "correction_reason": "",
        "return_reason": "",
        "created_at": "2025-01-10T09:30:00+05:00",
        "updated_at": "2025-01-10T10:00:00+05:00",
        "submitted_at": "2025-01-10T10:00:00+05:00",
        "approved_at": None,
    },
    response_only=True,
)
OBSERVATION_INPUT = OpenApiExample(
    "A yearly count for Punjab",
    value={
        "indicator": "nap14-01-executions",
        "body": "punjab",
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "date_precision": "year",
        "value": "120",
        "value_qualifier": "about",
        "source": "nacta-status-2017-10",
        "quote": "about 120",
    },
    request_only=True,
)
OBSERVATION_UPDATE = OpenApiExample(
    "Change the value of version 1",
    value={**OBSERVATION_INPUT.value, "value": "125", "version": 1},
    request_only=True,
)
OBSERVATION_CORRECT = OpenApiExample(
    "Correct an approved figure",
    value={**OBSERVATION_INPUT.value, "value": "118", "reason": "The source's errata lowers the count."},
    request_only=True,
)
VERSION = OpenApiExample("Version you read", value={"version": 2}, request_only=True)
RETURN = OpenApiExample(
    "Return with a reason", value={"version": 2, "reason": "Name the source document."}, request_only=True
)
ASSESSMENT = OpenApiExample(
    "Partly satisfactory",
    value={
        "id": 7,
        "item": 1,
        "as_of": "2024-12-31",
        "date_precision": "day",
        "rating": "partly_satisfactory",
        "narrative": "Executions resumed; appeals pending.",
        "source": None,
        "quote": "",
        "editorial_note": "",
        "created_at": "2025-01-12T11:00:00+05:00",
    },
    response_only=True,
)
ASSESSMENT_INPUT = OpenApiExample(
    "Rate item 1",
    value={"item": 1, "as_of": "2024-12-31", "rating": "partly_satisfactory", "narrative": "Appeals pending."},
    request_only=True,
)
STALE = OpenApiExample(
    "Someone saved first",
    value={
        "status": 409,
        "message": "Someone else saved this observation after you opened it (version 1, now 2). Changed: value.",
        "errors": {},
        "current_version": 2,
        "changes": {"value": {"yours": "120.0000", "now": "125.0000"}},
    },
    response_only=True,
    status_codes=["409"],
)
IMPORT_REPORT = OpenApiExample(
    "Dry run with one error",
    value={
        "dry_run": True,
        "committed": False,
        "counts": {"create": 1, "unchanged": 1, "error": 1, "empty": 0},
        "new_sources": 0,
        "rows": [
            {"row": 2, "outcome": "create", "column": "", "message": "", "observation": None},
            {"row": 3, "outcome": "unchanged", "column": "", "message": "", "observation": 41},
            {"row": 4, "outcome": "error", "column": "value", "message": "Enter a number.", "observation": None},
        ],
        "findings": [
            {
                "row": 2,
                "rule": "A running total does not fall",
                "severity": "error",
                "message": "Arrests is a running total, but it falls from 1,20,000 (31 Dec 2015) to 1,10,000. …",
            }
        ],
    },
    response_only=True,
)
STATUS = OpenApiExample(
    "NAP 2014 as of 1 October 2017",
    value={
        "framework": "nap-2014",
        "as_of": "2017-10-01",
        "known_on": "2017-10-01",
        "body": None,
        "count": 1,
        "results": [
            {
                "item": {"number": 1, "title": "Execution of convicted terrorists"},
                "indicator": {
                    "code": "nap14-01-executions",
                    "name": "Executions of convicted terrorists",
                    "unit": "count",
                },
                "observed_indicator": "nap14-01-executions",
                "via_crosswalk": False,
                "body": None,
                "body_name": None,
                "observation": 42,
                "value": "484.0000",
                "value_qualifier": "exact",
                "text_value": "",
                "figure": "484",
                "period_start": None,
                "period_end": "2017-10-01",
                "date_precision": "day",
                "period": "1 Oct 2017",
                "source": {
                    "slug": "nacta-status-2017-10",
                    "publisher": "nacta",
                    "title": "Annotated status report on NAP",
                    "published_on": "2017-08-23",
                    "date_precision": "day",
                    "url": "",
                    "reference": "NACTA page headed “National CE Policy Guidelines”, dated 23 August 2017.",
                },
            }
        ],
    },
    response_only=True,
)
