"""The try-on widget's files: GET /widget/ (a demo product page), /widget/tryon-widget.js (the
script a product page embeds) with the module it imports, /widget/widget-messages.js (its texts
in each language), and /widget/model-viewer.min.js (Google's <model-viewer>, from the npm
package the Makefile installs). No key: the page gives its own to the widget."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, send_from_directory

from recommender.api.errors import fail

WIDGET = Path(__file__).resolve().parents[1] / "widget"
VIEWER = WIDGET / "node_modules" / "@google" / "model-viewer" / "dist"

blueprint = Blueprint("widget", __name__)


@blueprint.get("/")
def page():
    return send_from_directory(WIDGET, "index.html")


@blueprint.get("/<any('tryon-widget.js', 'widget-messages.js'):name>")
def script(name: str):
    return send_from_directory(WIDGET, name, mimetype="text/javascript")


@blueprint.get("/model-viewer.min.js")
def viewer():
    if not (VIEWER / "model-viewer.min.js").is_file():
        raise fail(404, "not_found", "the 3D viewer is not installed: run `make install` (npm)")
    return send_from_directory(VIEWER, "model-viewer.min.js", mimetype="text/javascript")
