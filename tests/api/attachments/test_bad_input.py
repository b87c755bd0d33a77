"""Files that must not be kept are refused with a clear status and the reason, and nothing of
them is stored: not in the storage, not in the database."""

import io

import pytest
from PIL import Image

from casework.attachments.models import Attachment
from casework.audit.models import AuditEvent

from ...attachments import stored_files
from ...clamd import EICAR, OWN_SIGNATURE
from ...conftest import client_for
from ...factories import CaseFactory, UserFactory
from .files import TEXT, elf, jpeg_with_gps, pdf, png, upload, url

pytestmark = pytest.mark.django_db


def _nothing_kept(root) -> None:
    assert not Attachment.objects.exists()
    assert stored_files(root) == []


def _refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert body["message"]


@pytest.mark.parametrize(
    ("content", "name", "status", "code"),
    [
        (b"", "empty.txt", 400, "empty_file"),
        (elf(), "holiday-photo.jpg", 400, "type_not_allowed"),
        (
            b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run in DOS mode",
            "letter.pdf",
            400,
            "type_not_allowed",
        ),
        (
            pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
            "letter.pdf",
            400,
            "active_content",
        ),
        (pdf(b"/AA << /O << /S /Launch /F (cmd.exe) >> >>"), "letter.pdf", 400, "active_content"),
        (pdf(), "photo.jpg", 400, "content_mismatch"),
        (png(), "statement.pdf", 400, "content_mismatch"),
        (b"\x00\x01\x02\x03 binary blob", "notes.txt", 400, "type_not_allowed"),
    ],
    ids=[
        "empty",
        "renamed-executable",
        "renamed-windows-program",
        "pdf-javascript",
        "pdf-launch",
        "pdf-named-jpg",
        "png-named-pdf",
        "unknown-binary",
    ],
)
def test_a_bad_file_is_refused_with_its_reason_and_nothing_is_kept(
    as_caseworker, case, attachment_storage, content, name, status, code
):
    _refused(upload(as_caseworker, case, content, name), status, code)
    _nothing_kept(attachment_storage)
    refusal = AuditEvent.objects.get(action="attachment.refuse")
    assert refusal.detail == {"reason": code}
    assert refusal.case_id == case.pk


def test_content_not_matching_its_declared_type_is_refused(as_caseworker, case, attachment_storage):
    _refused(
        upload(as_caseworker, case, TEXT, "notes", content_type="image/png"),
        400,
        "content_mismatch",
    )
    _nothing_kept(attachment_storage)


def test_a_pdf_mentioning_json_is_not_mistaken_for_javascript(as_caseworker, case):
    assert (
        upload(as_caseworker, case, pdf(b"/JSON (not a script)"), "letter.pdf").status_code == 201
    )


def test_a_file_over_the_organisations_limit_is_refused_413(
    as_caseworker, case, attachment_storage
):
    organisation = case.organisation
    organisation.attachment_max_bytes = 2048
    organisation.save(update_fields=["attachment_max_bytes"])
    _refused(upload(as_caseworker, case, b"a" * 2049, "long.txt"), 413, "file_too_large")
    _nothing_kept(attachment_storage)
    assert upload(as_caseworker, case, b"a" * 2048, "short.txt").status_code == 201


def test_a_body_over_the_ceiling_is_refused_before_it_is_read(
    as_caseworker, case, settings, attachment_storage
):
    settings.ATTACHMENTS_MAX_UPLOAD_BYTES = 4096
    settings.API_MAX_BODY_BYTES = 1024
    response = upload(as_caseworker, case, b"a" * (4096 + 70 * 1024), "huge.txt")
    assert response.status_code == 413
    _nothing_kept(attachment_storage)


def test_the_default_limit_is_twenty_megabytes(case):
    assert case.organisation.attachment_max_bytes == 20 * 1024 * 1024


def test_a_multipart_body_without_a_file_is_refused(as_caseworker, case, attachment_storage):
    response = as_caseworker.post(url(case), {"kind": "evidence"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["fields"]
    _nothing_kept(attachment_storage)


def test_an_unknown_kind_is_refused(as_caseworker, case, attachment_storage):
    response = upload(as_caseworker, case, TEXT, "a.txt", kind="selfie")
    assert response.status_code == 400
    assert "kind" in response.json()["fields"]
    _nothing_kept(attachment_storage)


def test_a_link_to_another_cases_record_is_refused(
    as_caseworker, case, caseworker, attachment_storage
):
    from casework.cases.services.contacts import note_add

    elsewhere = CaseFactory(opened_by=caseworker)
    note = note_add(case=elsewhere, author=caseworker, body="x", visibility="internal")
    response = upload(as_caseworker, case, TEXT, "a.txt", note=str(note.pk))
    assert response.status_code == 400
    assert "note" in response.json()["fields"]
    _nothing_kept(attachment_storage)


def test_an_upload_interrupted_halfway_leaves_nothing_behind(
    as_caseworker, case, attachment_storage
):
    boundary = "----cut-off"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nevidence\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    # The body stops in the middle of the file: no closing boundary ever comes.
    body = head + TEXT[: len(TEXT) // 2]
    response = as_caseworker.generic(
        "POST", url(case), body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 400
    _nothing_kept(attachment_storage)


def test_a_failure_after_the_file_is_written_removes_it(
    as_caseworker, case, attachment_storage, monkeypatch
):
    from casework.attachments import services

    def fail_after_write(*args, **kwargs):
        original(*args, **kwargs)
        raise OSError("the database went away after the write")

    original = services.storage.write_sealed
    monkeypatch.setattr(services.storage, "write_sealed", fail_after_write)
    with pytest.raises(OSError):
        services.attachment_upload(
            case=case,
            uploaded_by=case.created_by,
            data=TEXT,
            name="a.txt",
            declared_type="",
            kind="other",
        )
    _nothing_kept(attachment_storage)


def test_another_charitys_attachment_is_not_found_nor_leaked(
    as_caseworker, case, attachment_storage
):
    created = upload(as_caseworker, case, TEXT, "a.txt").json()
    outsider = client_for(UserFactory())
    other_case = CaseFactory(opened_by=outsider.principal)
    for path in (
        f"{url(case)}{created['id']}/download/",
        f"{url(case)}{created['id']}/",
        f"{url(other_case)}{created['id']}/download/",
    ):
        response = outsider.get(path)
        assert response.status_code == 404, path
        assert b"WX19" not in response.content


def test_an_image_loses_its_location_and_camera(as_caseworker, case):
    photo = jpeg_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)  # the phone's position is there
    created = upload(as_caseworker, case, photo, "injury.jpeg", content_type="image/jpeg")
    assert created.status_code == 201, created.json()
    response = as_caseworker.get(f"{url(case)}{created.json()['id']}/download/")
    kept = b"".join(response.streaming_content)
    image = Image.open(io.BytesIO(kept))
    exif = image.getexif()
    assert not exif.get_ifd(0x8825)
    assert 0x010F not in exif and 0x0110 not in exif
    assert b"PhoneMaker" not in kept
    assert image.size == (64, 48)
    assert created.json()["size"] == len(kept)


def test_the_eicar_test_file_is_refused_by_the_real_scanner(
    as_caseworker, case, settings, attachment_storage, clamd_with_own_signature
):
    settings.CLAMAV_ADDRESS = clamd_with_own_signature
    _refused(upload(as_caseworker, case, EICAR, "eicar.txt"), 400, "virus_found")
    _nothing_kept(attachment_storage)
    refusal = AuditEvent.objects.get(action="attachment.refuse")
    assert refusal.detail["signature"].startswith(OWN_SIGNATURE)
    assert upload(as_caseworker, case, TEXT, "clean.txt").status_code == 201


def test_the_eicar_test_file_is_refused_by_the_official_signatures(
    as_caseworker, case, settings, attachment_storage, clamd_with_official_database
):
    settings.CLAMAV_ADDRESS = clamd_with_official_database
    _refused(upload(as_caseworker, case, EICAR, "eicar.txt"), 400, "virus_found")
    _nothing_kept(attachment_storage)


def test_an_unreachable_scanner_refuses_the_file(as_caseworker, case, settings, attachment_storage):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CLAMAV_ADDRESS = f"127.0.0.1:{port}"
    _refused(upload(as_caseworker, case, TEXT, "a.txt"), 503, "scanner_unavailable")
    _nothing_kept(attachment_storage)
