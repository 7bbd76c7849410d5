"""python manage.py status_report --framework nap-2014 --as-of 2017-10-01 [--compare 2016-10-01]
[--format html,pdf,xlsx,csv] [--out DIR] [--scope national|<body-slug>] [--number-style south_asian|international]
[--known-on YYYY-MM-DD | --hindsight] [--publish]

Writes the report files into --out with the same builder and renderers the Celery task uses. With --publish
it instead requests the edition and builds it here (as the task would), then copies the files to --out.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting import services
from reporting.builder import build_report
from reporting.definitions import FORMATS, NATIONAL, ReportParams, ReportParamsError
from reporting.models import EditionStatus
from reporting.renderers import render_report_files
from tracker.formatting import NUMBER_STYLES, default_number_style


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"“{text}” is not a date: write it as YYYY-MM-DD, e.g. 2017-10-01.") from error


def _formats(text: str) -> list[str]:
    chosen = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise CommandError(f"Unknown format {', '.join(unknown) or '(none)'}: choose from {','.join(FORMATS)}.")
    return list(dict.fromkeys(chosen))


class Command(BaseCommand):
    help = "Generate NACTA's annotated status report for a framework and date (HTML, PDF, XLSX, CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--framework", required=True, help="nap-2014 or nap-2021")
        parser.add_argument("--as-of", required=True, help="status date, YYYY-MM-DD")
        parser.add_argument("--compare", help="optional comparison date, YYYY-MM-DD")
        parser.add_argument("--format", default=",".join(FORMATS), help="comma-separated: html,pdf,xlsx,csv")
        parser.add_argument("--out", default=".", help="directory for the files (created if missing)")
        parser.add_argument("--scope", default=NATIONAL, help="national, or a body's slug (e.g. punjab)")
        parser.add_argument("--number-style", default=None, help=f"one of {', '.join(NUMBER_STYLES)}")
        parser.add_argument(
            "--known-on", help="use only figures published by this date, YYYY-MM-DD (default: the as-of date)"
        )
        parser.add_argument("--hindsight", action="store_true", help="use every figure known today")
        parser.add_argument("--publish", action="store_true", help="also publish the edition in the archive")

    def handle(self, *args: Any, **options: Any) -> None:
        formats = _formats(options["format"])
        try:
            params = ReportParams(
                framework=options["framework"],
                as_of=_date(options["as_of"]),
                compare=_date(options["compare"]) if options["compare"] else None,
                scope=options["scope"],
                number_style=options["number_style"] or default_number_style(),
                language=settings.LANGUAGE_CODE,
                known_on=_date(options["known_on"]) if options["known_on"] else None,
                hindsight=options["hindsight"],
            )
            out = Path(options["out"])
            if out.exists() and not out.is_dir():
                raise CommandError(f"--out {out} exists and is not a directory.")
            if options["publish"]:
                self._publish(params, formats, out)
            else:
                for file in render_report_files(build_report(params), formats, out):
                    self.stdout.write(f"{file.path}  {file.size} bytes  sha256 {file.sha256}")
        except ReportParamsError as error:
            raise CommandError(str(error)) from error

    def _publish(self, params: ReportParams, formats: list[str], out: Path) -> None:
        edition = services.edition_request(params=params, schedule_name="manage.py status_report", queue=False)
        if edition.status != EditionStatus.PUBLISHED:
            edition = services.edition_build(edition_id=edition.pk)  # the task's own code, run here
        if edition.status != EditionStatus.PUBLISHED:
            raise CommandError(f"Edition #{edition.pk} was not published: {edition.failure_reason}")
        self.stdout.write(f"Edition #{edition.pk} published ({edition.data_fingerprint[:12]})")
        out.mkdir(parents=True, exist_ok=True)
        for file in edition.files.filter(format__in=formats):
            target = out / Path(file.path).name
            shutil.copyfile(Path(settings.MEDIA_ROOT) / file.path, target)
            self.stdout.write(f"{target}  {file.size} bytes  sha256 {file.sha256}")
