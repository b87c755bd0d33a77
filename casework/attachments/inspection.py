"""What a file must pass before anything of it is kept: not empty, within the organisation's
limit, a type found from its content (never from its name or the client's header) on the
allow-list and agreeing with the name and type it was declared as, an image re-encoded without
its metadata (location, camera, time), a PDF without scripts, and, where a scanner is
configured, clean by ClamAV's daemon. Each refusal names its reason; nothing is written."""

import io
import re
import warnings
from dataclasses import dataclass

import filetype
from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from . import clamav
from .choices import FileFamily

# Sniffed media type -> (family, the extension the file is served under, extensions a
# declared name may carry for it).
ALLOWED: dict[str, tuple[str, str, frozenset[str]]] = {
    "image/jpeg": (FileFamily.IMAGE, "jpg", frozenset({"jpg", "jpeg", "jpe", "jfif"})),
    "image/png": (FileFamily.IMAGE, "png", frozenset({"png"})),
    "image/gif": (FileFamily.IMAGE, "gif", frozenset({"gif"})),
    "image/webp": (FileFamily.IMAGE, "webp", frozenset({"webp"})),
    "application/pdf": (FileFamily.PDF, "pdf", frozenset({"pdf"})),
    "text/plain": (FileFamily.TEXT, "txt", frozenset({"txt", "text", "log", "csv", "md"})),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        FileFamily.OFFICE,
        "docx",
        frozenset({"docx"}),
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
        FileFamily.OFFICE,
        "xlsx",
        frozenset({"xlsx"}),
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        FileFamily.OFFICE,
        "pptx",
        frozenset({"pptx"}),
    ),
    "application/vnd.oasis.opendocument.text": (FileFamily.OFFICE, "odt", frozenset({"odt"})),
    "application/vnd.oasis.opendocument.spreadsheet": (
        FileFamily.OFFICE,
        "ods",
        frozenset({"ods"}),
    ),
    "application/rtf": (FileFamily.OFFICE, "rtf", frozenset({"rtf"})),
}
PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}
# Larger images are refused rather than decoded (a few kilobytes can expand to gigabytes).
MAX_IMAGE_PIXELS = 60_000_000
# A PDF's names for scripts and for launching programs, as whole names (``/JS`` but not
# ``/JSON``). Scripts inside compressed object streams are not seen: the check refuses what it
# can tell, and the file is still served only as a download.
PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch)(?![A-Za-z0-9])")


class Refused(Exception):
    """A file that may not be kept, with the reason (``code``) and what to tell the sender."""

    def __init__(self, code: str, message: str, *, status: int = 400, detail: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Inspected:
    data: bytes
    media_type: str
    family: str
    extension: str


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def sniff(data: bytes) -> str | None:
    """The media type the content itself shows, or ``None`` when it shows none of ours. Text
    has no magic number: UTF-8 without control characters other than layout counts as text."""
    kind = filetype.guess(data)
    if kind is not None:
        return str(kind.mime)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
        return None
    return "text/plain"


def _declared_extension(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def _check_declared(media_type: str, name: str, declared_type: str) -> None:
    _, _, extensions = ALLOWED[media_type]
    extension = _declared_extension(name)
    if extension and extension not in extensions:
        raise Refused(
            "content_mismatch",
            f"The file's content is {media_type}, which does not match its name (.{extension}).",
        )
    declared = declared_type.split(";")[0].strip().lower()
    generic = {"", "application/octet-stream", "binary/octet-stream"}
    if declared not in generic and declared != media_type:
        same_family = declared.split("/")[0] == media_type.split("/")[0] == "image"
        if not (same_family and declared in {"image/jpg", "image/pjpeg"}):
            raise Refused(
                "content_mismatch",
                f"The file's content is {media_type}, not the {declared} it was sent as.",
            )


def strip_image(data: bytes, media_type: str) -> bytes:
    """The image re-encoded from its pixels alone: EXIF (GPS position, camera, time), XMP, IPTC
    and comments are not carried over. The EXIF orientation is applied first, so it still
    shows the right way up."""
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                frames = getattr(image, "n_frames", 1)
                image.load()
                if frames > 1:
                    return _strip_animation(image, media_type)
                clean = ImageOps.exif_transpose(image) or image.copy()
                clean.info = {}
                out = io.BytesIO()
                options = {"quality": 95} if media_type == "image/jpeg" else {}
                clean.save(out, format=PILLOW_FORMATS[media_type], **options)
                return out.getvalue()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(
            "image_too_large", "The image has too many pixels to be opened safely."
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise Refused("damaged_image", "The image could not be read: it may be damaged.") from None


def _strip_animation(image: Image.Image, media_type: str) -> bytes:
    frames = []
    for index in range(image.n_frames):  # type: ignore[attr-defined]
        image.seek(index)
        frame = image.copy()
        frame.info = {}
        frames.append(frame)
    out = io.BytesIO()
    frames[0].save(out, format=PILLOW_FORMATS[media_type], save_all=True, append_images=frames[1:])
    return out.getvalue()


def check_pdf(data: bytes) -> None:
    if PDF_ACTIVE.search(data):
        raise Refused(
            "active_content",
            "The PDF contains JavaScript or an action that launches a program; "
            "print it to a new PDF and upload that.",
        )


def scan_for_viruses(data: bytes) -> None:
    address = settings.CLAMAV_ADDRESS
    if not address:
        return
    try:
        verdict = clamav.scan(data, address=address, timeout=settings.CLAMAV_TIMEOUT_SECONDS)
    except clamav.ScannerUnavailable as error:
        raise Refused(
            "scanner_unavailable",
            "The virus scanner is not answering; the file was not kept. Try again shortly.",
            status=503,
            detail=str(error),
        ) from None
    if not verdict.clean:
        raise Refused(
            "virus_found",
            "The virus scanner flagged this file; it was not kept.",
            detail=verdict.signature,
        )


def inspect(data: bytes, *, name: str, declared_type: str, limit: int) -> Inspected:
    """The file as it may be kept, or ``Refused``."""
    if not data:
        raise Refused("empty_file", "The file is empty.")
    if len(data) > limit:
        raise Refused(
            "file_too_large",
            f"The file is larger than this organisation's limit of {_megabytes(limit)}.",
            status=413,
        )
    media_type = sniff(data)
    if media_type is None or media_type not in ALLOWED:
        shown = media_type or "not a type we recognise"
        raise Refused(
            "type_not_allowed",
            f"This type of file cannot be kept ({shown}). Allowed: images (JPEG, PNG, GIF, "
            "WebP), PDF, plain text and office documents.",
        )
    _check_declared(media_type, name, declared_type)
    family, extension, _ = ALLOWED[media_type]
    scan_for_viruses(data)
    if family == FileFamily.PDF:
        check_pdf(data)
    if family == FileFamily.IMAGE:
        data = strip_image(data, media_type)
    return Inspected(data=data, media_type=media_type, family=family, extension=extension)
