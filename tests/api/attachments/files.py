"""Files to upload: real images, PDFs and office documents made here, and the way to send them."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

TEXT = (
    b"Statement of M.Q.: on the night of the 3rd he took my phone and said he would find me "
    b"again. Registration WX19 KLM.\n"
)


def url(case) -> str:
    return f"/api/v1/cases/{case.id}/attachments/"


def upload(api, case, content: bytes, name: str, *, content_type="", kind="evidence", **extra):
    part = SimpleUploadedFile(
        name, content, content_type=content_type or "application/octet-stream"
    )
    return api.post(url(case), {"file": part, "kind": kind, **extra}, format="multipart")


def jpeg_with_gps() -> bytes:
    """A photo as a phone takes it: with the camera's make and the place it was taken."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    gps = {1: "N", 2: (53.0, 48.0, 1.5), 3: "W", 4: (1.0, 32.0, 55.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10), (0, 0, 255)).save(out, format="PNG")
    return out.getvalue()


def pdf(body: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R " + body + b" >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def elf() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56 + b"payload" * 20
