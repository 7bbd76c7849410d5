"""The review conversation: the return reason opens a thread, the reporter replies, the reviewer answers;
visible exactly to those who may see the figure's drafts; evidence in it, removable by its uploader."""

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from tracker import services
from tracker.choices import ObservationState as S
from tracker.models import AuditEntry, CommentKind, Evidence, ObservationComment

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PDF2 = b"%PDF-1.7\n2 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def returned(world, reporter, reviewer, make_obs):
    obs = make_obs(S.SUBMITTED, created_by=reporter)
    return services.observation_return(
        actor=reviewer, observation_id=obs.pk, version=obs.version, reason="Which page of the minutes?"
    )


def test_the_return_reason_opens_the_thread(returned, reviewer):
    (entry,) = ObservationComment.objects.filter(observation=returned)
    assert (entry.kind, entry.author, entry.text) == (CommentKind.RETURN, reviewer, "Which page of the minutes?")
    # Audited once, by the return's own entry, which carries the reason.
    assert AuditEntry.objects.get(action="observation.return").reason == "Which page of the minutes?"
    assert not AuditEntry.objects.filter(action="comment.create").exists()


def test_reporter_replies_and_reviewer_answers_on_the_figures_page(
    returned, reporter, reviewer, client_as, client_as_enrolled
):
    url = reverse("tracker:comment-create", args=[returned.pk])
    response = client_as(reporter).post(url, {"text": "Page 4, table 2."})
    assert response.status_code == 302 and response["Location"].endswith("#conversation")
    client_as_enrolled(reviewer).post(url, {"text": "Thanks, the table has it."})
    thread = list(ObservationComment.objects.filter(observation=returned).values_list("author__email", "text"))
    assert thread == [
        ("reviewer@nacta.example.org", "Which page of the minutes?"),
        ("reporter@punjab.example.org", "Page 4, table 2."),
        ("reviewer@nacta.example.org", "Thanks, the table has it."),
    ]
    page = client_as(reporter).get(reverse("tracker:observation-detail", args=[returned.pk])).content.decode()
    assert "Review conversation" in page and page.index("Which page") < page.index("Page 4") < page.index("Thanks,")
    assert "<time datetime=" in page and "reviewer@nacta.example.org" in page
    assert AuditEntry.objects.filter(action="comment.create").count() == 2


def test_the_reply_on_the_edit_form_goes_to_the_thread_not_the_note(world, returned, reporter, client_as):
    client = client_as(reporter)
    form = client.get(reverse("tracker:observation-edit", args=[returned.pk])).content.decode()
    assert "Reply to the reviewer" in form
    data = {
        "indicator": world.indicator.pk,
        "body": world.punjab.pk,
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "date_precision": "year",
        "value": "101",
        "value_qualifier": "exact",
        "source": world.source.pk,
        "note": "",
        "version": returned.version,
        "reply": "Corrected the total; page 4.",
        "submit": "1",
    }
    assert client.post(reverse("tracker:observation-edit", args=[returned.pk]), data).status_code == 302
    returned.refresh_from_db()
    assert returned.state == S.SUBMITTED and returned.note == ""
    assert ObservationComment.objects.filter(observation=returned, author=reporter).get().text == (
        "Corrected the total; page 4."
    )


def test_the_thread_is_for_those_who_see_drafts_only(
    world, returned, reporter, other_reporter, analyst, reviewer, client_as, client_as_enrolled
):
    services.comment_create(actor=reporter, observation_id=returned.pk, text="Secret-ish reply")
    returned.refresh_from_db()
    services.observation_submit(actor=reporter, observation_id=returned.pk, version=returned.version)
    returned.refresh_from_db()
    services.observation_approve(actor=reviewer, observation_id=returned.pk, version=returned.version)
    detail = reverse("tracker:observation-detail", args=[returned.pk])
    # The reporter of the body keeps the thread after approval; an analyst and another body see the figure only.
    assert "Secret-ish reply" in client_as(reporter).get(detail).content.decode()
    for outsider in (analyst, other_reporter):
        page = client_as(outsider).get(detail)
        assert page.status_code == 200 and "Secret-ish reply" not in page.content.decode()
        assert "Review conversation" not in page.content.decode()
    # Never on public pages, never in the note.
    public = client_as(analyst).get(reverse("tracker:indicator-detail", args=[world.indicator.code])).content.decode()
    assert "Secret-ish reply" not in public and "Which page" not in public
    # Approved: the conversation is closed for new entries.
    with pytest.raises(PermissionDenied):
        services.comment_create(actor=reporter, observation_id=returned.pk, text="late")


def test_outside_the_scope_a_comment_is_404(returned, other_reporter, client_as):
    response = client_as(other_reporter).post(reverse("tracker:comment-create", args=[returned.pk]), {"text": "x"})
    assert response.status_code == 404 and not ObservationComment.objects.filter(text="x").exists()


def test_evidence_with_a_reply_is_private_to_the_thread(returned, reporter, reviewer, analyst, client_as, media):
    client_as(reporter).post(
        reverse("tracker:comment-create", args=[returned.pk]),
        {"text": "Minutes attached", "evidence": SimpleUploadedFile("minutes.pdf", PDF)},
    )
    evidence = Evidence.objects.get()
    assert evidence.comment is not None and evidence.comment.text == "Minutes attached"
    returned.refresh_from_db()
    services.observation_submit(actor=reporter, observation_id=returned.pk, version=returned.version)
    returned.refresh_from_db()
    services.observation_approve(actor=reviewer, observation_id=returned.pk, version=returned.version)
    download = reverse("tracker:evidence-download", args=[returned.pk, evidence.pk])
    assert client_as(reporter).get(download).status_code == 200
    assert client_as(analyst).get(download).status_code == 403


def test_reattaching_the_same_file_makes_no_second_copy(world, reporter, make_obs, client_as, media):
    draft = make_obs(S.DRAFT, created_by=reporter)
    client = client_as(reporter)
    url = reverse("tracker:evidence-upload", args=[draft.pk])
    client.post(url, {"file": SimpleUploadedFile("minutes.pdf", PDF)})
    client.post(url, {"file": SimpleUploadedFile("minutes-again.pdf", PDF)})
    assert Evidence.objects.filter(observation=draft).count() == 1
    assert len(list(Path(media, "evidence").iterdir())) == 1
    assert AuditEntry.objects.filter(action="evidence.attach").count() == 1
    client.post(url, {"file": SimpleUploadedFile("other.pdf", PDF2)})
    assert Evidence.objects.filter(observation=draft).count() == 2


def test_uploader_removes_evidence_while_the_figure_is_open(
    world, reporter, make_user, make_obs, client_as, media, django_capture_on_commit_callbacks
):
    from tracker.choices import Role

    colleague = make_user(Role.REPORTER, world.punjab)
    draft = make_obs(S.DRAFT, created_by=reporter)
    evidence = services.evidence_attach(
        actor=reporter, observation_id=draft.pk, upload=ContentFile(PDF, name="minutes.pdf")
    )
    stored = Path(media, evidence.file.name)
    assert stored.exists()
    remove = reverse("tracker:evidence-remove", args=[draft.pk, evidence.pk])
    page = client_as(reporter).get(reverse("tracker:observation-detail", args=[draft.pk])).content.decode()
    assert remove in page
    assert (
        remove not in client_as(colleague).get(reverse("tracker:observation-detail", args=[draft.pk])).content.decode()
    )
    assert client_as(colleague).post(remove).status_code == 403  # not the uploader
    with django_capture_on_commit_callbacks(execute=True):
        assert client_as(reporter).post(remove).status_code == 302
    assert not Evidence.objects.exists() and not stored.exists()
    entry = AuditEntry.objects.get(action="evidence.remove")
    assert entry.actor == reporter and (entry.before or {}).get("name") == "minutes.pdf"


def test_evidence_cannot_be_removed_once_submitted(world, reporter, make_obs, media):
    draft = make_obs(S.DRAFT, created_by=reporter)
    evidence = services.evidence_attach(actor=reporter, observation_id=draft.pk, upload=ContentFile(PDF, name="a.pdf"))
    services.observation_submit(actor=reporter, observation_id=draft.pk, version=draft.version)
    with pytest.raises(PermissionDenied):
        services.evidence_remove(actor=reporter, observation_id=draft.pk, evidence_id=evidence.pk)
    assert Evidence.objects.count() == 1


# --- API ---------------------------------------------------------------------------------------------------
def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_lists_and_creates_comments(returned, reporter, other_reporter, analyst):
    url = f"/api/v1/observations/{returned.pk}/comments/"
    response = _api(reporter).post(url, {"text": "Page 4."}, format="json")
    assert response.status_code == 201 and response.json()["author"] == reporter.email
    listed = _api(reporter).get(url).json()
    assert [c["kind"] for c in listed] == ["return", "comment"] and listed[1]["text"] == "Page 4."
    assert _api(other_reporter).get(url).status_code == 404
    assert _api(analyst).get(url).status_code == 404  # a returned figure is outside an analyst's scope
    assert _api(reporter).post(url, {"text": "x", "state": "approved"}, format="json").status_code == 400


def test_api_comments_are_in_the_schema(db, user_client):
    schema = user_client.get("/api/schema/?format=json").content.decode()
    assert "/api/v1/observations/{id}/comments/" in schema
