"""Photos of an aspiration: checked by decoding them with Pillow (never by
their name or declared type), re-encoded on the server so that no metadata
survives (EXIF, GPS included), turned upright, downscaled, with a thumbnail,
and stored through Django's storage API (``AspirationPhoto``'s image fields:
the file system under ``MEDIA_ROOT`` by default, any storage backend in
production).

``aspiration_submit_with_photos`` is the compose page's one write: every
photo is processed before anything is stored, so a bad photo refuses the
whole submission and nothing changes.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from common.errors import INVALID, AppError
from forum import rules, services
from forum.models import Aspiration, AspirationPhoto

#: What a citizen may upload, as Pillow names the decoded format.
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
MAX_BYTES = 5 * 1024 * 1024
#: The longest side of a stored photo and of its thumbnail.
MAX_SIDE = 2048
THUMB_SIDE = 400
#: Refuse decompression bombs long before Pillow's own (warning) limit.
MAX_PIXELS = 50_000_000
JPEG_QUALITY = 85


@dataclass(frozen=True)
class Processed:
    """A photo re-encoded and ready to store: no metadata left."""

    image: bytes
    thumbnail: bytes
    extension: str
    width: int
    height: int


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "WEBP":
        image.save(out, "WEBP", quality=JPEG_QUALITY, method=4)
    else:
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def process(upload) -> Processed:
    """One uploaded file -> a clean re-encoded photo and thumbnail, or
    ``AppError(invalid)`` saying what is wrong with it."""
    name = getattr(upload, "name", "") or _("the photo")
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise AppError(INVALID, _("%(name)s is larger than 5 MB.") % {"name": name})
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise AppError(INVALID, _("%(name)s is larger than 5 MB.") % {"name": name})
    not_an_image = AppError(INVALID, _("%(name)s is not a JPEG, PNG or WebP image.") % {"name": name})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise not_an_image
            if probe.width * probe.height > MAX_PIXELS:
                raise AppError(INVALID, _("%(name)s has too many pixels.") % {"name": name})
            probe.verify()  # a truncated or corrupt file fails here
        with Image.open(io.BytesIO(data)) as source:
            source.load()
            fmt = "WEBP" if source.format == "WEBP" else "JPEG"
            upright = ImageOps.exif_transpose(source)
    except AppError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise not_an_image from None
    # A fresh image of the pixels only: nothing of the source's metadata
    # (EXIF, GPS, XMP, ICC comments, text chunks) is carried over.
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    if fmt == "JPEG" and has_alpha:
        background = Image.new("RGB", upright.size, (255, 255, 255))
        background.paste(upright.convert("RGBA"), mask=upright.convert("RGBA").getchannel("A"))
        pixels = background
    else:
        pixels = upright.convert("RGBA" if has_alpha else "RGB")
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    clean.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    thumb = clean.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return Processed(image=_encode(clean, fmt), thumbnail=_encode(thumb, fmt),
                     extension="webp" if fmt == "WEBP" else "jpg", width=clean.width, height=clean.height)


def process_all(files) -> list[Processed]:
    """Every file of a submission, or ``AppError`` for the first bad one (or
    for more than three)."""
    files = [upload for upload in files if upload]
    if len(files) > rules.MAX_PHOTOS:
        raise AppError(INVALID, _("At most %(n)d photos per aspiration.") % {"n": rules.MAX_PHOTOS})
    return [process(upload) for upload in files]


def photos_attach(*, aspiration: Aspiration, photos: list[Processed]) -> list[AspirationPhoto]:
    """Store processed photos with ``aspiration`` (at most three in all).
    Call inside the transaction that writes the aspiration; the files written
    are removed again if it fails."""
    existing = AspirationPhoto.objects.filter(aspiration=aspiration).count()
    if existing + len(photos) > rules.MAX_PHOTOS:
        raise AppError(INVALID, _("At most %(n)d photos per aspiration.") % {"n": rules.MAX_PHOTOS})
    stored: list[AspirationPhoto] = []
    try:
        for position, photo in enumerate(photos, start=existing):
            stem = uuid.uuid4().hex
            row = AspirationPhoto(aspiration=aspiration, width=photo.width, height=photo.height, position=position)
            row.image.save(f"{stem}.{photo.extension}", ContentFile(photo.image), save=False)
            row.thumbnail.save(f"{stem}-thumb.{photo.extension}", ContentFile(photo.thumbnail), save=False)
            row.save()
            stored.append(row)
    except Exception:
        _delete_files(stored)
        raise
    return stored


def _delete_files(rows: list[AspirationPhoto]) -> None:
    for row in rows:
        for field in (row.image, row.thumbnail):
            if field and field.name:
                field.storage.delete(field.name)


def aspiration_submit_with_photos(*, author, files, **fields) -> Aspiration:
    """``services.aspiration_submit`` and its photos as one write: the
    photos are checked and re-encoded first; a bad one refuses everything."""
    processed = process_all(files)
    stored: list[AspirationPhoto] = []
    try:
        with transaction.atomic():
            aspiration = services.aspiration_submit(author=author, **fields)
            stored = photos_attach(aspiration=aspiration, photos=processed)
    except Exception:
        _delete_files(stored)
        raise
    return aspiration
