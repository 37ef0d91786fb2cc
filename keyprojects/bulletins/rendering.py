"""The bulletin's document drawn as HTML (the page's preview, and the PDF through WeasyPrint)
and as a Word file, with the site photos it shows."""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from PIL import Image

from .document import Document, document_language
from .docx_writer import write_docx
from .models import Bulletin
from .sections import build

PHOTO_PIXELS = 1200  # a photo 72 mm wide at more than 400 dpi; JPEG decodes it at half size
PHOTO_SCHEME = "bulletin-photo:"


def load_photo(name: str) -> bytes | None:
    """A stored photo, scaled down for print; None when it is gone."""
    if not name:
        return None
    try:
        with default_storage.open(name, "rb") as handle, Image.open(handle) as image:
            image.draft("RGB", (PHOTO_PIXELS, PHOTO_PIXELS))
            picture = image.convert("RGB")
    except (OSError, ValueError):
        return None
    picture.thumbnail((PHOTO_PIXELS, PHOTO_PIXELS))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=82)
    return out.getvalue()


@dataclass
class Rendered:
    docx: bytes | None = None
    pdf: bytes | None = None


def document_for(bulletin: Bulletin, content: dict[str, Any] | None) -> Document:
    with document_language():
        return build(bulletin, content)


def html(doc: Document, *, for_print: bool, photo_src: dict[str, str] | None = None) -> str:
    """The document's HTML: the whole page for print, or the fragment the page previews."""
    photos = photo_src or {}
    with document_language():
        return render_to_string(
            "bulletins/document.html" if for_print else "bulletins/_document.html",
            {"doc": doc, "photo_src": photos},
        )


def preview_photo_src(doc: Document) -> dict[str, str]:
    """For the page: each photo's thumbnail, served to signed-in people from storage."""
    return {
        photo.image: default_storage.url(photo.thumbnail or photo.image) for photo in doc.photos()
    }


def write_pdf(doc: Document) -> bytes:
    """The PDF, through WeasyPrint. Photos are handed over by a fetcher of our own rather
    than inlined (parsing megabytes of base64 costs more than the photos), and nothing is
    fetched from anywhere else."""
    photos: dict[str, bytes] = {}
    sources: dict[str, str] = {}
    for photo in doc.photos():
        data = load_photo(photo.image)
        if data is not None:
            url = f"{PHOTO_SCHEME}{len(photos)}"
            photos[url], sources[photo.image] = data, url

    page = html(doc, for_print=True, photo_src=sources)
    return lean_html_class()(string=page, url_fetcher=photo_fetcher(photos)).write_pdf()


@functools.cache
def lean_html_class() -> Any:
    """WeasyPrint's HTML with its user-agent style sheet less the rules for list markers,
    footnotes and notes, which a bulletin has none of. Those rules match every element, so
    WeasyPrint works out six pseudo-element styles per element, most of the time it spends
    on styles for a bulletin's thousands of table cells."""
    from weasyprint import CSS, HTML
    from weasyprint.css.counters import CounterStyle
    from weasyprint.html import UA

    kept = "\n".join(line for line in UA.splitlines() if not line.startswith("::"))
    sheet = CSS(string=kept, counter_style=CounterStyle())

    class LeanHTML(HTML):
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return [sheet]

    return LeanHTML


def photo_fetcher(photos: dict[str, bytes]) -> Any:
    """A WeasyPrint fetcher that hands over the bulletin's photos and refuses anything else
    (WeasyPrint is imported only when a PDF is made: it is slow to load)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PhotoFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url not in photos:
                raise ValueError(f"the bulletin fetches nothing but its photos: {url}")
            return URLFetcherResponse(url, photos[url], {"Content-Type": "image/jpeg"})

    return PhotoFetcher(allowed_protocols=[])


def write_word(doc: Document) -> bytes:
    with document_language():
        return write_docx(doc, load_photo)


@functools.cache
def cjk_font_available() -> bool:
    """Whether the system has a font with Chinese glyphs for the PDF."""
    if shutil.which("fc-list") is None:
        return False
    try:
        found = subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False,
            timeout=20,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(found.stdout.strip())
