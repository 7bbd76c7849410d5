"""Evidence uploads: size limit, type from the bytes, server-chosen names, served through the policy."""

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tracker import services
from tracker.choices import ObservationState as S
from tracker.models import AuditEntry, Evidence

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def draft(world, reporter, make_obs):
    return make_obs(S.DRAFT, created_by=reporter)


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("minutes.pdf", PDF, "application/pdf"),
        ("chart.PNG", PNG, "image/png"),
        ("figures.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("letter.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_accepted_types_are_stored_under_server_names(name, content, mime, draft, reporter, client_as, media):
    response = client_as(reporter).post(
        reverse("tracker:evidence-upload", args=[draft.pk]), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.original_name, evidence.content_type, evidence.size) == (name, mime, len(content))
    stored = Path(evidence.file.path)
    assert stored.parent == media / "evidence" and stored.name != name and len(stored.stem) == 32
    assert stored.read_bytes() == content
    entry = AuditEntry.objects.get(action="evidence.attach")
    assert (entry.after or {})["sha256"] == evidence.sha256

    download = client_as(reporter).get(reverse("tracker:evidence-download", args=[draft.pk, evidence.pk]))
    assert b"".join(download.streaming_content) == content
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", EXE, "not a PDF"),
        ("report.pdf", b"<html><script>alert(1)</script></html>", "not a PDF"),
        ("chart.pdf", PNG, "named “.pdf” but its content is a PNG"),
        ("archive.docx", b"PK\x03\x04" + b"\x00" * 100, "not a PDF"),
        ("noextension", PDF, "has no extension: it should end in .pdf"),
    ],
)
def test_wrong_types_are_refused_with_a_clear_message(name, content, message, draft, reporter, client_as, media):
    response = client_as(reporter).post(
        reverse("tracker:evidence-upload", args=[draft.pk]), {"file": SimpleUploadedFile(name, content)}, follow=True
    )
    assert message in response.content.decode()
    assert not Evidence.objects.exists() and not AuditEntry.objects.exclude(action__startswith="user.").exists()
    assert not (media / "evidence").exists()


def test_oversize_is_refused(draft, reporter, client_as, media, settings):
    settings.NAP_EVIDENCE_MAX_BYTES = 1024
    response = client_as(reporter).post(
        reverse("tracker:evidence-upload", args=[draft.pk]),
        {"file": SimpleUploadedFile("big.pdf", PDF + b"0" * 2000)},
        follow=True,
    )
    assert "evidence files may be at most 1.0\xa0KB" in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd.pdf", "..\\..\\boot.pdf", "/abs/path.pdf", "report.pdf\x00.exe", ".htaccess.pdf", "a\nb.pdf"],
)
def test_path_tricks_in_the_name_are_refused(name, draft, reporter, media):
    with pytest.raises(ValidationError, match="is not allowed: use a plain name"):
        services.evidence_attach(actor=reporter, observation_id=draft.pk, upload=ContentFile(PDF, name=name))
    assert not Evidence.objects.exists()


def test_a_path_in_the_uploaded_name_never_reaches_the_disk(draft, reporter, client_as, media):
    """Django strips folders from multipart names; whatever remains is only a label, never a path."""
    client_as(reporter).post(
        reverse("tracker:evidence-upload", args=[draft.pk]),
        {"file": SimpleUploadedFile("../../../../tmp/evil.pdf", PDF)},
    )
    evidence = Evidence.objects.get()
    assert "/" not in evidence.original_name
    assert Path(evidence.file.path).parent == media / "evidence"
    assert [p.name for p in media.rglob("*") if p.is_file()] == [Path(evidence.file.path).name]


def test_evidence_form_on_create_refuses_a_bad_file_before_saving(world, reporter, client_as, media):
    response = client_as(reporter).post(
        reverse("tracker:observation-create"),
        {
            "indicator": world.old_executions.pk,
            "body": world.punjab.pk,
            "period_end": "2024-12-31",
            "date_precision": "day",
            "value": "5",
            "value_qualifier": "exact",
            "source": world.status_2017.pk,
            "evidence": SimpleUploadedFile("scan.pdf", EXE),
        },
    )
    assert response.status_code == 200 and "not a PDF" in response.content.decode()
    assert not AuditEntry.objects.exclude(action__startswith="user.").exists()


def test_no_evidence_on_approved_observations(world, reporter, make_obs, media):
    approved = make_obs(S.APPROVED)
    with pytest.raises(PermissionDenied):
        services.evidence_attach(actor=reporter, observation_id=approved.pk, upload=ContentFile(PDF, name="a.pdf"))
    assert not Evidence.objects.exists()
