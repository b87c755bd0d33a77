"""A file kept on a case comes back byte for byte, and is nowhere in plaintext meanwhile."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from casework.attachments.models import Attachment

from ...attachments import stored_files
from .files import TEXT, docx, pdf, upload, url

pytestmark = pytest.mark.django_db


def _download(api, case, attachment_id):
    return api.get(f"{url(case)}{attachment_id}/download/")


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_file_comes_back_byte_for_byte_as_a_neutral_download(
    as_caseworker, case, attachment_storage
):
    content = pdf(b"/Title (Letter from the CPS)")
    created = upload(
        as_caseworker,
        case,
        content,
        "CPS letter - Marigold Quill.pdf",
        kind="court_or_police_letter",
        description="The CPS letter",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["media_type"] == "application/pdf"
    assert body["size"] == len(content)
    assert body["original_name"] == "CPS letter - Marigold Quill.pdf"
    assert created["ETag"]

    response = _download(as_caseworker, case, body["id"])
    assert response.status_code == 200
    assert _body(response) == content
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "Marigold" not in disposition and disposition.endswith('.pdf"')
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/pdf"
    assert len(stored_files(attachment_storage)) == 1


def test_the_plaintext_is_in_neither_the_storage_nor_the_database(
    as_caseworker, case, attachment_storage
):
    created = upload(
        as_caseworker,
        case,
        TEXT,
        "statement.txt",
        content_type="text/plain",
        kind="statement",
        description="Her words about WX19 KLM",
    )
    assert created.status_code == 201, created.json()
    [stored] = stored_files(attachment_storage)
    raw = stored.read_bytes()
    assert b"WX19" not in raw and b"Statement" not in raw
    assert len(raw) > len(TEXT)
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(a)::text FROM attachments_attachment a")
        [(row,)] = cursor.fetchall()
    assert "WX19" not in row and "statement.txt" not in row and "Her words" not in row
    assert _body(_download(as_caseworker, case, created.json()["id"])) == TEXT


def test_office_documents_are_kept(as_caseworker, case):
    created = upload(as_caseworker, case, docx(), "plan.docx", kind="plan")
    assert created.status_code == 201, created.json()
    assert created.json()["media_type"].endswith("wordprocessingml.document")


def test_the_list_shows_files_in_use_and_a_retired_one_is_neither_listed_nor_served(
    as_caseworker, case
):
    first = upload(as_caseworker, case, TEXT, "a.txt").json()
    second = upload(as_caseworker, case, pdf(), "b.pdf").json()
    listed = as_caseworker.get(url(case))
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["results"]] == [second["id"], first["id"]]
    retired = as_caseworker.post(f"{url(case)}{first['id']}/retire/")
    assert retired.status_code == 200, retired.json()
    assert [r["id"] for r in as_caseworker.get(url(case)).json()["results"]] == [second["id"]]
    assert _download(as_caseworker, case, first["id"]).status_code == 404
    assert as_caseworker.get(f"{url(case)}{first['id']}/").status_code == 404
    assert Attachment.objects.get(pk=first["id"]).retired_at is not None


def test_describing_needs_the_version_read(as_caseworker, case):
    created = upload(as_caseworker, case, TEXT, "a.txt")
    detail = f"{url(case)}{created.json()['id']}/"
    no_match = as_caseworker.patch(detail, {"description": "x"}, format="json")
    assert no_match.status_code == 428
    tag = as_caseworker.get(detail)["ETag"]
    changed = as_caseworker.patch(
        detail,
        {"description": "Screenshot of his texts", "kind": "evidence"},
        format="json",
        HTTP_IF_MATCH=tag,
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["description"] == "Screenshot of his texts"
    stale = as_caseworker.patch(detail, {"description": "y"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412


def test_downloads_are_audited(as_caseworker, case):
    from casework.audit.models import AuditEvent

    created = upload(as_caseworker, case, TEXT, "a.txt").json()
    _body(_download(as_caseworker, case, created["id"]))
    assert AuditEvent.objects.filter(action="attachment.download", object_id=created["id"]).exists()


def test_a_download_answers_whatever_the_client_accepts(as_caseworker, case):
    created = upload(as_caseworker, case, pdf(), "letter.pdf").json()
    for accept in ("application/pdf", "*/*", "application/json"):
        response = as_caseworker.get(f"{url(case)}{created['id']}/download/", HTTP_ACCEPT=accept)
        assert response.status_code == 200, accept
        assert response["Content-Type"] == "application/pdf"
    # An error is still the API's JSON.
    missing = as_caseworker.get(
        f"{url(case)}00000000-0000-0000-0000-000000000000/download/", HTTP_ACCEPT="application/pdf"
    )
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_a_file_of_several_megabytes_is_kept_and_comes_back_whole(as_caseworker, case):
    big = (b"Line of a long chat export about the night of the 3rd.\n" * 60_000)[: 3 * 1024 * 1024]
    created = upload(as_caseworker, case, big, "chat-export.txt")
    assert created.status_code == 201, created.json()
    assert _body(_download(as_caseworker, case, created.json()["id"])) == big


def test_a_retried_upload_is_stored_once_and_another_file_under_its_key_is_refused(
    as_caseworker, case, attachment_storage
):
    def send(content: bytes):
        part = SimpleUploadedFile("note.txt", content, content_type="text/plain")
        return as_caseworker.post(
            url(case),
            {"file": part, "kind": "evidence"},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="upload-1",
        )

    first = send(TEXT)
    assert first.status_code == 201, first.json()
    again = send(TEXT)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]

    other = send(TEXT + b"A second page.\n")
    assert other.status_code == 409, other.json()
    assert Attachment.objects.filter(case=case).count() == 1
    assert len(stored_files(attachment_storage)) == 1
