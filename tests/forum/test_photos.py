"""Photos: decoded to be checked, re-encoded without metadata (EXIF, GPS
included), turned upright, downscaled, with a thumbnail, stored through the
storage API, and served only to those who may see their aspiration."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from common.errors import AppError
from forum import photos
from forum.models import Aspiration, AspirationPhoto
from tests.forum.pages_cast import image_bytes, make_cast, publish

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def _jpeg_with_gps(size=(3000, 1000), orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "KameraWarga"          # Make
    exif[0x0131] = "PonselPati 1.0"       # Software
    if orientation:
        exif[0x0112] = orientation
    exif[GPS_IFD] = {1: "S", 2: (6.0, 45.0, 0.0), 3: "E", 4: (111.0, 2.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the fixture really carries GPS
    return data


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def cast(db):
    return make_cast()


def _compose(cast, files, **fields):
    data = {"title": "Jalan berlubang", "body": "Di depan balai desa.", "category": "jalan-infrastruktur",
            "kecamatan": "gabus", "privacy": fields.pop("privacy", "public"), "photos": files, **fields}
    return cast.client(cast.siti).post("/aspirasi/kirim/", data)


def test_exif_and_gps_are_gone_and_the_photo_is_upright_and_downscaled(cast, media):
    # Orientation 6: the camera was turned; the stored photo is upright (portrait).
    upload = SimpleUploadedFile("IMG_0001.JPG", _jpeg_with_gps(orientation=6), "image/jpeg")
    assert _compose(cast, [upload]).status_code == 302
    photo = AspirationPhoto.objects.get()
    for stored in (photo.image, photo.thumbnail):
        with stored.storage.open(stored.name, "rb") as handle:
            data = handle.read()
        reopened = Image.open(io.BytesIO(data))
        assert reopened.format == "JPEG"
        assert dict(reopened.getexif()) == {}
        assert "exif" not in reopened.info and b"Exif" not in data[:4096]
        assert b"KameraWarga" not in data and b"PonselPati" not in data
        assert reopened.height > reopened.width  # orientation applied
    full = Image.open(photo.image.path)
    assert max(full.size) == 2048 and (photo.width, photo.height) == full.size
    assert max(Image.open(photo.thumbnail.path).size) <= 400
    # Stored under MEDIA_ROOT through the storage API, under the aspiration's folder.
    assert photo.image.name.startswith(f"aspirasi/{photo.aspiration_id}/")
    assert (media / photo.image.name).exists()


def test_png_and_webp_are_accepted_and_kept_in_a_web_format(cast, media):
    files = [SimpleUploadedFile("a.png", image_bytes("PNG"), "image/png"),
             SimpleUploadedFile("b.webp", image_bytes("WEBP"), "image/webp")]
    assert _compose(cast, files).status_code == 302
    formats = [Image.open(photo.image.path).format for photo in AspirationPhoto.objects.order_by("position")]
    assert formats == ["JPEG", "WEBP"]


def test_the_content_decides_not_the_name_or_declared_type(cast, media):
    # A PNG named .txt and declared as text is a photo; a text file named .jpg is not.
    ok = SimpleUploadedFile("catatan.txt", image_bytes("PNG"), "text/plain")
    assert _compose(cast, [ok]).status_code == 302
    bad = SimpleUploadedFile("foto.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/jpeg")
    response = _compose(cast, [bad], title="Kedua")
    assert response.status_code == 400 and "bukan gambar JPEG, PNG atau WebP" in response.content.decode()
    assert Aspiration.objects.count() == 1


def test_a_truncated_image_is_refused(cast, media):
    broken = image_bytes("JPEG", size=(400, 400))[:300]
    with pytest.raises(AppError):
        photos.process(SimpleUploadedFile("potong.jpg", broken, "image/jpeg"))


def test_a_later_photo_that_fails_leaves_no_files_behind(cast, media):
    files = [SimpleUploadedFile("a.jpg", image_bytes(), "image/jpeg"),
             SimpleUploadedFile("b.jpg", b"bukan gambar", "image/jpeg")]
    assert _compose(cast, files).status_code == 400
    assert Aspiration.objects.count() == 0 and not any(media.rglob("*.*"))


def test_photo_urls_follow_the_thread_door(cast, media):
    upload = SimpleUploadedFile("a.jpg", image_bytes(), "image/jpeg")
    _compose(cast, [upload], category="kesehatan", privacy="")
    aspiration = Aspiration.objects.get()
    photo = AspirationPhoto.objects.get()
    publish(cast, aspiration)
    urls = [f"/aspirasi/{aspiration.pk}/foto/{photo.pk}/", f"/aspirasi/{aspiration.pk}/foto/{photo.pk}/thumb/"]
    for url in urls:
        for user in (None, cast.budi, cast.kadpupr):
            assert cast.client(user).get(url).status_code == 404
        for user in (cast.siti, cast.moderator, cast.kadinkes):
            response = cast.client(user).get(url)
            assert response.status_code == 200
            assert response["Content-Type"] == "image/jpeg"
            assert response["Cache-Control"].startswith("private")
    # A public one is public; a photo of another aspiration is not found here.
    other = publish(cast, Aspiration.objects.create(
        title="x", body="x", html="x", category=cast.roads, kecamatan="gabus", author=cast.siti))
    assert cast.client(None).get(f"/aspirasi/{other.pk}/foto/{photo.pk}/").status_code == 404
    page = cast.client(cast.siti).get(f"/aspirasi/{aspiration.pk}/").content.decode()
    assert urls[1] in page and "/media/" not in page
