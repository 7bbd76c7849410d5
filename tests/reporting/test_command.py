import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from reporting.models import EditionStatus, ReportEdition


def run(*args):
    out = io.StringIO()
    call_command("status_report", *args, stdout=out)
    return out.getvalue()


def test_the_command_writes_the_chosen_formats(nacta_2017, tmp_path):
    output = run("--framework", "nap-2014", "--as-of", "2017-10-01", "--format", "html,xlsx", "--out", str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "nap-2014-national-2017-10-01.html",
        "nap-2014-national-2017-10-01.xlsx",
    ]
    assert "sha256" in output
    assert "484 Executions" in (tmp_path / "nap-2014-national-2017-10-01.html").read_text()
    sheet = load_workbook(tmp_path / "nap-2014-national-2017-10-01.xlsx")["Status"]
    assert sheet["A2"].value == "Status as of 1st October 2017, as known on 1st October 2017 — National figures"
    assert not ReportEdition.objects.exists()


def test_the_command_can_publish_an_edition_like_the_task(nacta_2017, tmp_path, media_root):
    tmp_path = tmp_path / "out"
    output = run(
        "--framework",
        "nap-2014",
        "--as-of",
        "2017-10-01",
        "--compare",
        "2016-10-01",
        "--format",
        "csv",
        "--out",
        str(tmp_path),
        "--publish",
        "--number-style",
        "international",
    )
    edition = ReportEdition.objects.get()
    assert edition.status == EditionStatus.PUBLISHED
    assert edition.parameters["compare"] == "2016-10-01"
    assert edition.schedule_name == "manage.py status_report"
    assert f"Edition #{edition.pk} published" in output
    assert [p.name for p in tmp_path.iterdir()] == ["nap-2014-national-2017-10-01.csv"]
    run(
        "--framework",
        "nap-2014",
        "--as-of",
        "2017-10-01",
        "--compare",
        "2016-10-01",
        "--format",
        "csv",
        "--out",
        str(tmp_path),
        "--publish",
        "--number-style",
        "international",
    )
    assert ReportEdition.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--framework", "nap-1999", "--as-of", "2017-10-01"], "Unknown framework “nap-1999”"),
        (["--framework", "nap-2014", "--as-of", "1 Oct 2017"], "“1 Oct 2017” is not a date: write it as YYYY-MM-DD"),
        (["--framework", "nap-2014", "--as-of", "2017-10-01", "--format", "docx"], "Unknown format docx"),
        (["--framework", "nap-2014", "--as-of", "2017-10-01", "--scope", "atlantis"], "Unknown body “atlantis”"),
        (["--framework", "nap-2014", "--as-of", "2017-10-01", "--number-style", "roman"], "Unknown number style"),
        (["--framework", "nap-2014", "--as-of", "2017-10-01", "--compare", "2018-01-01"], "must be before"),
    ],
)
def test_bad_arguments_get_a_clear_message(world, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args, "--out", str(tmp_path))
    assert not any(tmp_path.iterdir())


def test_default_schedules_exist_and_run_the_report_as_of_today(world, media_root, django_capture_on_commit_callbacks):
    from django.utils import timezone
    from django_celery_beat.models import PeriodicTask

    from reporting.tasks import scheduled_status_report

    tasks = PeriodicTask.objects.filter(task="reporting.scheduled_status_report").select_related("crontab")
    assert sorted(t.name for t in tasks) == ["Monthly status report — nap-2014", "Monthly status report — nap-2021"]
    assert {(t.crontab.minute, t.crontab.hour, t.crontab.day_of_month) for t in tasks} == {("0", "6", "1")}
    task = tasks.get(name="Monthly status report — nap-2014")
    import json

    with django_capture_on_commit_callbacks(execute=True):
        edition_id = scheduled_status_report(**json.loads(task.kwargs))
    edition = ReportEdition.objects.get(pk=edition_id)
    assert edition.as_of == timezone.localdate()
    assert edition.schedule_name == "Monthly status report — nap-2014"
    assert edition.requested_by is None
    assert edition.status == EditionStatus.PUBLISHED
    assert edition.as_of >= date(2025, 1, 1)


def test_the_command_takes_a_knowledge_date_or_hindsight(world, tmp_path):
    from tracker.choices import DatePrecision

    world.observe(world.sectarian, 185, date(2012, 12, 31), start=date(2012, 1, 1), precision=DatePrecision.YEAR)
    run("--framework", "nap-2014", "--as-of", "2015-03-25", "--format", "csv", "--out", str(tmp_path / "a"))
    assert "185 Cases (2012)" not in (tmp_path / "a" / "nap-2014-national-2015-03-25.csv").read_text("utf-8-sig")
    run(
        "--framework", "nap-2014", "--as-of", "2015-03-25", "--hindsight", "--format", "csv",
        "--out", str(tmp_path / "b"),
    )  # fmt: skip
    assert "185 Cases (2012)" in (tmp_path / "b" / "nap-2014-national-2015-03-25.csv").read_text("utf-8-sig")
