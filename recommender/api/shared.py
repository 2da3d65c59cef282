"""Shared try-ons, public (no key): GET /s/{token} is a page showing one try-on's renders and
its 3D model, with Open Graph and Twitter-card tags so that messengers show a preview picture;
GET /s/{token}/{file} serves front.png, back.png and draped.glb of the size shown.

The page holds no measurements, photo or account data: the garment's name, the size and the
pictures, in the visitor's language (Accept-Language; ``messages``). An unknown, revoked or expired link, or one whose avatar was erased, is a 404 page.
Pages are not to be indexed nor to pass the link on as a referrer."""
from __future__ import annotations

from collections.abc import Callable
from html import escape

from flask import Blueprint, current_app, request, send_file

from recommender.api.errors import request_catalog, request_language
from recommender.catalog import catalog

blueprint = Blueprint("shared", __name__)
SHARED_FILES = {"front.png": "image/png", "back.png": "image/png",
                "draped.glb": "model/gltf-binary"}
PRIVATE_HEADERS = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex",
                   "Cache-Control": "no-store"}  # a revoked link ends at once
GONE_TITLE, GONE_TEXT = "Link ended", "This try-on link has expired or was removed."
DESCRIPTION = "See it on the body it was fitted to, and turn it round."
MODEL_ALT = "The garment in 3D on the body it was fitted to; drag to turn it"


@blueprint.get("/<token>")
def page(token: str):
    """The try-on's page, in the visitor's language (Accept-Language) where the catalogs have
    it: garment names from the catalog, other words from ``messages``."""
    lang, say = request_language(), _speaker()
    shown = _shown(token)
    if shown is None:
        return _gone()
    status = shown[2]
    names = {item.id: dict(item.names).get(lang, item.name) for item in catalog()}
    worn = status.get("outfit") or [{"garment": status["garment"], "size": status["size"]}]
    base = f"{request.host_url}s/{escape(token)}"
    named = [(names.get(layer["garment"], layer["garment"]), layer["size"]) for layer in worn]
    garments = " + ".join(say(f"{name} in size {size}") for name, size in named)
    title = escape(say(f"{garments}: a virtual try-on"))
    label = "; ".join(say(f"{name}, size {size}") for name, size in named)
    html = f"""<!doctype html>
<html lang="{escape(lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<meta property="og:type" content="website">
<meta property="og:title" content="{title}">
<meta property="og:description" content="{escape(say(DESCRIPTION))}">
<meta property="og:image" content="{base}/front.png">
<meta property="og:url" content="{base}">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:title" content="{title}">
<meta name="twitter:image" content="{base}/front.png">
<script type="module" src="{request.host_url}widget/model-viewer.min.js"></script>
<style>body{{font-family:system-ui,sans-serif;margin:0 auto;max-width:960px;padding:1rem}}
.pictures{{display:flex;flex-wrap:wrap;gap:1rem}}.pictures img{{max-width:100%;height:auto}}
model-viewer{{width:100%;height:60vh;background:#f4f4f4}}</style></head>
<body><main><h1>{title}</h1>
<model-viewer src="{base}/draped.glb" camera-controls touch-action="pan-y"
 alt="{escape(say(MODEL_ALT))}"></model-viewer>
<div class="pictures">
<img src="{base}/front.png" alt="{escape(say(f"{label}, from the front"))}">
<img src="{base}/back.png" alt="{escape(say(f"{label}, from the back"))}">
</div>
</main></body></html>"""
    return html, 200, {"Content-Type": "text/html; charset=utf-8", **PRIVATE_HEADERS}


def _speaker() -> Callable[[str], str]:
    """English text -> the same in the visitor's language where a template has it."""
    chosen = request_catalog()
    return lambda text: (chosen and chosen.say(text)) or text


def _gone() -> tuple[str, int, dict]:
    """The 404 page of a link that ended, in the visitor's language."""
    say = _speaker()
    return (f'<!doctype html><html lang="{escape(request_language())}"><head><meta '
            f'charset="utf-8"><title>{escape(say(GONE_TITLE))}</title></head><body><p>'
            f'{escape(say(GONE_TEXT))}</p></body></html>',
            404, {"Content-Type": "text/html; charset=utf-8", **PRIVATE_HEADERS})


@blueprint.get("/<token>/<name>")
def shared_file(token: str, name: str):
    shown = _shown(token)
    path = None if shown is None or name not in SHARED_FILES else current_app.extensions[
        "tryon"]["tryons"].file(shown[0], shown[1], name)
    if path is None:
        return _gone()
    response = send_file(path, mimetype=SHARED_FILES[name])
    response.headers.update(PRIVATE_HEADERS)
    return response


def _shown(token: str) -> tuple[str, str, dict] | None:
    """(storefront, try-on, its status) of a live link to a try-on with pictures, or None."""
    state = current_app.extensions["tryon"]
    owner = state["data"].shared_tryon(token)
    if owner is None:
        return None
    status = state["tryons"].status(*owner)
    if status is None or status["state"] != "done" or status.get("no_picture"):
        return None
    return *owner, status
