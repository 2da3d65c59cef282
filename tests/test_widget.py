"""The try-on widget end to end in headless Chromium (Debian's) driven by Playwright, embedded
in a product page on another site (origin) with the publishable key made for it, against the
real API served over HTTP: upload a photo and a height, watch the progress, get the result
(preview, renders, the draped model in <model-viewer>), rotate and zoom the model, switch to
another size draped beside the advised one (at once) and to one that was not (a new try-on),
and see "complete the look" recommendations."""
from __future__ import annotations

import dataclasses
import json
import threading
import urllib.request
from typing import NamedTuple

import pytest
from werkzeug.serving import make_server

from recommender.api import create_app
from recommender.api.config import settings_from_environment
from tests.conftest import HEIGHT_CM, PHOTO

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic",
         "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]  # WebGL on the CPU


PRODUCT_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<script type="module" src="{api}/widget/tryon-widget.js"></script></head>
<body><h1>Red tee</h1><tryon-widget key="{key}" garment="tee-red" api="{api}"></tryon-widget>
</body></html>"""


class ProductPage(NamedTuple):
    url: str  # the product page, on the shop's site
    api: str  # the storefront API's address
    key: str  # the publishable key the page gives the widget


@pytest.fixture
def product_page(tmp_path):
    """The storefront's product page, on a site of its own, embedding the widget served by
    the API on another."""
    settings = settings_from_environment(tmp_path / "data")
    app = create_app(dataclasses.replace(settings, render_samples=2, render_resolution=(64, 96)))
    page = {}

    def shop_site(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page["html"].encode()]

    servers = [make_server("127.0.0.1", 0, site, threaded=True) for site in (app, shop_site)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    api, shop = (f"http://127.0.0.1:{server.server_port}" for server in servers)
    key = app.extensions["tryon"]["data"].create_key("widget shop", origins=[shop])
    page["html"] = PRODUCT_PAGE.format(api=api, key=key)
    yield ProductPage(f"{shop}/products/red-tee", api, key)
    for server in servers:
        server.shutdown()


def test_upload_progress_result_rotate_zoom_size_switch_and_the_look(product_page):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        tryons = []
        page.on("request", lambda request: tryons.append(request.url) if request.method == "POST"
                and request.url.endswith("/v1/tryons") else None)
        made = []
        page.on("response", lambda response: made.append(response) if response.request.method
                == "POST" and response.url.endswith("/v1/tryons") else None)
        page.goto(product_page.url)
        page.set_input_files("input[name=front]", str(PHOTO))
        page.fill("input[name=height_cm]", str(HEIGHT_CM))
        page.click("button[type=submit]")

        page.wait_for_selector("[part=progress]:not([hidden])", timeout=120_000)
        assert "Draping" in page.text_content("[part=status]") or "Dressing" in page.text_content(
            "[part=status]")
        page.wait_for_selector("[part=preview][src^=blob]", timeout=10_000)
        widget = "document.querySelector('tryon-widget')"
        page.wait_for_function(f"{widget}.dataset.state === 'done'", timeout=300_000)
        assert page.locator("[part=renders] img").count() == 2
        advised = page.locator("[part=sizes] option", has_text="(advised)")
        assert advised.count() == 1
        advice = page.text_content("[part=advice]")
        assert advice.startswith("Advised size") and "chest:" in advice and "Advice: " in advice

        viewer = "document.querySelector('model-viewer')"
        page.wait_for_function(f"{viewer}.loaded === true", timeout=120_000)
        page.locator("model-viewer").scroll_into_view_if_needed()
        theta = page.evaluate(f"{viewer}.getCameraOrbit().theta")
        box = page.locator("model-viewer").bounding_box()
        middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.move(*middle)
        page.mouse.down()
        page.mouse.move(middle[0] + 120, middle[1], steps=8)
        page.mouse.up()
        page.wait_for_function(f"Math.abs({viewer}.getCameraOrbit().theta - {theta}) > 0.3",
                               timeout=10_000)  # radians: turned round the body
        zoom = f"{viewer}.getFieldOfView() * {viewer}.getCameraOrbit().radius"  # it zooms both
        before = page.evaluate(zoom)
        page.mouse.move(*middle)
        page.mouse.wheel(0, -400)
        page.wait_for_function(f"{zoom} < 0.95 * {before}", timeout=10_000)

        assert page.locator("[part=look] li").count() >= 3
        sizes = page.eval_on_selector_all("[part=sizes] option",
                                          "options => options.map(o => o.value)")
        draped = page.evaluate(f"Object.keys({widget}.draped)")
        chosen = page.eval_on_selector("[part=sizes]", "select => select.value")
        assert len(draped) >= 2 and chosen in draped and len(tryons) == 1  # 3 but at an end
        neighbour = next(size for size in draped if size != chosen)
        model_before = page.evaluate(f"{viewer}.src")
        page.select_option("[part=sizes]", neighbour)  # draped already: shown at once
        page.wait_for_function(f"{viewer}.src !== '{model_before}'", timeout=10_000)
        assert page.text_content("[part=status]") == f"Size {neighbour}: ready"
        assert page.text_content("[part=advice]").startswith(f"Size {neighbour}.")
        other = next(size for size in reversed(sizes) if size not in draped)
        page.select_option("[part=sizes]", other)  # not draped: a new try-on
        page.wait_for_function(f"{widget}.dataset.state === 'working'", timeout=10_000)
        page.wait_for_function(f"{widget}.dataset.state === 'done'", timeout=300_000)
        assert page.text_content("[part=status]") == f"Size {other}: ready"
        assert page.text_content("[part=advice]").startswith(f"Size {other}.")
        assert len(tryons) == 2
        assert page.locator("[part=sizes] option", has_text="(advised)").count() == 1
        assert not errors, errors

        # the first try-on shared: its link opens in a fresh browser without a key, until revoked
        tryon = f"{product_page.api}/v1/tryons/{made[0].json()['id']}/share"
        link = _api(tryon, "POST", product_page.key)["url"]
        friend = browser.new_context().new_page()
        friend.goto(link)
        friend.wait_for_function("[...document.images].every(i => i.complete && "
                                 "i.naturalWidth > 0)", timeout=10_000)
        assert friend.locator("img").count() == 2 and "Cotton tee" in friend.title()
        og_image = friend.get_attribute("meta[property='og:image']", "content")
        assert og_image == f"{link}/front.png"
        _api(tryon, "DELETE", product_page.key)
        assert friend.goto(link).status == 404
        browser.close()


def _api(url: str, method: str, key: str) -> dict | None:
    """A call to the storefront API with ``key``; its JSON answer (None without a body)."""
    request = urllib.request.Request(url, method=method, data=b"{}" if method == "POST" else None,
                                     headers={"Authorization": f"Bearer {key}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    return json.loads(body) if body else None
