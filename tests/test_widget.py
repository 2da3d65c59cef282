"""The fitting-room widget end to end in headless Chromium (Debian's) driven by Playwright,
embedded in a product page on another site (origin) with the publishable key made for it,
against the real API served over HTTP, at a phone's viewport in English and a laptop's in
Simplified Chinese: the steps (how to take the photo; photos that are refused with a reason, one
taken with the (fake) camera and one uploaded, then one that passes, and the height; progress;
the result), the 3D model turned and zoomed,
the fit map toggled, the body set walking and posing with the garment following, sizes switched, the try-on shared, and "complete the look" cards adding
a bottom (trousers where recommended) and a jacket to the outfit, whose top then changes size. axe-core checks each step;
screenshots go to tests/artifacts/ (git-ignored)."""
from __future__ import annotations

import dataclasses
import io
import json
import re
import threading
import urllib.request
from pathlib import Path
from typing import NamedTuple

import pytest
from PIL import Image
from werkzeug.serving import make_server

from recommender.api import create_app
from recommender.api.config import settings_from_environment
from tests.benchmarks.headless import CHROMIUM, FLAGS
from tests.conftest import HEIGHT_CM, PHOTO

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "recommender" / "widget" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "tests" / "artifacts"
WIDGET_FILES = ("tryon-widget.js", "widget-messages.js")
WAIT_MS = 600_000  # a try-on on this CPU: drapes and Cycles renders
SIZE_NAMES = re.compile(r"\b(XXS|XS|S|M|L|XL|XXL|3XL)\b")

PRODUCT_PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>{title}</title><meta name="viewport" content="width=device-width, initial-scale=1">
<script type="module" src="{api}/widget/tryon-widget.js"></script></head>
<body><main><h1>{title}</h1>
<tryon-widget key="{key}" garment="tee-red" api="{api}"></tryon-widget></main></body></html>"""
TITLES = {"en": "Cotton tee", "zh-CN": "纯棉T恤"}


class ProductPage(NamedTuple):
    url: str  # the product page, on the shop's site: ?lang=... picks its language
    api: str  # the storefront API's address
    key: str  # the publishable key the page gives the widget
    data_dir: Path  # the API's data


@pytest.fixture
def product_page(tmp_path):
    """The storefront's product page, on a site of its own, embedding the widget served by
    the API on another."""
    data_dir = tmp_path / "data"
    settings = settings_from_environment(data_dir)
    app = create_app(dataclasses.replace(settings, render_samples=2, render_resolution=(64, 96)))
    holder = {}

    def shop_site(environ, start_response):
        lang = "zh-CN" if "lang=zh-CN" in environ.get("QUERY_STRING", "") else "en"
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [PRODUCT_PAGE.format(lang=lang, title=TITLES[lang], **holder).encode()]

    servers = [make_server("127.0.0.1", 0, site, threaded=True) for site in (app, shop_site)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    api, shop = (f"http://127.0.0.1:{server.server_port}" for server in servers)
    holder |= {"api": api, "key": app.extensions["tryon"]["data"].create_key(
        "widget shop", origins=[shop])}
    yield ProductPage(f"{shop}/products/tee-red", api, holder["key"], data_dir)
    for server in servers:
        server.shutdown()


def test_the_widget_script_is_small():
    sizes = {name: (ROOT / "recommender" / "widget" / name).stat().st_size
             for name in WIDGET_FILES}
    assert sum(sizes.values()) < 50_000, sizes  # without model-viewer


@pytest.mark.parametrize("lang, viewport", [("en", (390, 844)), ("zh-CN", (1280, 800))])
def test_the_fitting_room_from_photo_to_outfit(product_page, lang, viewport):
    from playwright.sync_api import sync_playwright

    english = lang == "en"
    shots = Shots(ARTIFACTS / f"widget-{lang}-{viewport[0]}x{viewport[1]}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport=dict(zip(("width", "height"), viewport)),
                                      locale=lang, permissions=["camera"])
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        posted = []
        page.on("response", lambda response: posted.append(response) if
                response.request.method == "POST" and response.url.endswith("/v1/tryons")
                else None)
        page.goto(f"{product_page.url}?lang={lang}")
        widget = "document.querySelector('tryon-widget')"
        root = f"{widget}.shadowRoot"

        def check(step: str) -> None:
            """axe-core on the page, the step's screenshot, and in Chinese no English."""
            _no_serious_violations(page)
            shots.take(page, step)
            if not english:
                _no_english(page, root)

        page.click("[part=launch]")
        page.wait_for_function(f"{widget}.dataset.step === 'how'")
        assert page.evaluate(f"{root}.activeElement.id") == "how-title"  # focus moved
        check("1-how")
        page.keyboard.press("Tab")  # the keyboard reaches the next step
        assert page.evaluate(f"{root}.activeElement.dataset.go") == "photo"
        page.keyboard.press("Enter")
        page.wait_for_function(f"{widget}.dataset.step === 'photo'")
        assert page.evaluate(f"{root}.activeElement.id") == "photo-title"

        refused = page.locator("[data-check=front][data-ok=no]")
        page.click("[data-camera=front]")  # Chromium's fake camera: a test pattern, no one
        page.wait_for_function(f"{root}.querySelector('video').readyState >= 2",
                               timeout=10_000)
        page.click("[data-snap]")
        refused.wait_for(timeout=60_000)
        assert page.locator("video").is_hidden()
        page.set_input_files("input[name=front]", files=[{
            "name": "blank.png", "mimeType": "image/png", "buffer": _blank_png()}])
        refused.wait_for(timeout=60_000)
        reason = refused.text_content()
        assert ("can't be used" in reason and "no person" in reason) if english else (
            "无法使用" in reason and "没有找到人物" in reason), reason
        check("2-photo-refused")
        page.set_input_files("input[name=front]", str(PHOTO))
        page.locator("[data-check=front][data-ok=yes]").wait_for(timeout=60_000)
        page.fill("#height", str(HEIGHT_CM))
        check("3-photo-ready")
        page.click("button[type=submit]")
        page.wait_for_function(f"{widget}.dataset.step === 'fitting'", timeout=10_000)
        page.wait_for_selector("[part=preview][src^=blob]", timeout=120_000)
        check("4-fitting")
        _wait_until_done(page, widget)
        assert page.evaluate(f"{root}.activeElement.id") == "result-title"

        # the result: advice in plain words, sizes as buttons, renders with alt text
        headline = page.text_content("[part=advice] .headline")
        advised = page.locator("[part=size]", has=page.locator("small"))
        assert advised.count() == 1
        size = advised.get_attribute("data-size")
        assert headline == (f"We recommend {size}." if english else f"我们推荐 {size} 码。")
        assert page.get_attribute(f"[part=size][data-size={size}]", "aria-pressed") == "true"
        renders = page.locator("[part=renders] img")
        assert renders.count() == 2 and all(renders.nth(i).get_attribute("alt")
                                            for i in range(2))
        page.click("[part=advice] summary")
        assert page.locator("[part=advice] details li").count() >= 1
        viewer = f"{root}.querySelector('model-viewer')"
        page.wait_for_function(f"{viewer}.loaded === true", timeout=120_000)
        check("5-result")
        _turn_and_zoom(page, viewer)

        # the fit map: another model on the viewer, a legend; toggled back
        plain = page.evaluate(f"{viewer}.src")
        page.click("[part=fitmap]")
        page.wait_for_function(f"{viewer}.src !== '{plain}' && {viewer}.loaded", timeout=60_000)
        assert page.get_attribute("[part=fitmap]", "aria-pressed") == "true"
        assert page.locator(".legend").is_visible()
        check("6-fit-map")
        page.click("[part=fitmap]")
        page.wait_for_function(f"{viewer}.src !== '{plain}'", timeout=10_000)  # a new blob
        assert page.get_attribute("[part=fitmap]", "aria-pressed") == "false"

        # the body moves: moving.glb's motions, played by the viewer, the garment following
        page.click("[data-motion=walk]")
        page.wait_for_function(f"{viewer}.loaded && {viewer}.animationName === 'walk' && "
                               f"!{viewer}.paused", timeout=120_000)
        assert set(page.evaluate(f"{viewer}.availableAnimations")) == {
            "walk", "arms down", "hands on hips", "weight on one leg", "turn"}
        start = page.evaluate(f"{viewer}.currentTime")
        page.wait_for_function(f"{viewer}.currentTime > {start} + 0.2", timeout=10_000)
        assert page.get_attribute("[data-motion=walk]", "aria-pressed") == "true"
        check("6-moving")
        page.click("[data-motion='hands on hips']")
        page.wait_for_function(f"{viewer}.animationName === 'hands on hips'", timeout=10_000)

        # a size draped beside the advised one shows at once; the advice stays
        draped = page.evaluate(f"Object.keys({widget}.draped)")
        neighbour = next(other for other in draped if other != size)
        tries = len(posted)
        page.click(f"[part=size][data-size={neighbour}]")
        page.wait_for_function(f"{widget}.dataset.shown === '{neighbour}'", timeout=10_000)
        assert len(posted) == tries and page.get_attribute(
            f"[part=size][data-size={neighbour}]", "aria-pressed") == "true"
        assert page.text_content("[part=advice] .headline") == (
            f"Showing {neighbour}." if english else f"当前显示 {neighbour} 码。")
        page.click(f"[part=size][data-size={size}]")
        page.wait_for_function(f"{widget}.dataset.shown === '{size}'", timeout=10_000)

        # shared: the link opens without a key in a fresh browser
        page.click("[data-share]")
        link = page.locator("#link")
        link.wait_for(state="visible", timeout=10_000)
        friend = browser.new_context().new_page()
        friend.goto(link.input_value())
        friend.wait_for_function("[...document.images].every(i => i.complete && "
                                 "i.naturalWidth > 0)", timeout=10_000)
        assert friend.locator("img").count() == 2
        friend.context.close()
        check("7-shared")

        # complete the look: trousers, then a jacket, join the tee; then the tee changes size
        garments = {g["id"]: g for g in _api(f"{product_page.api}/v1/garments",
                                              product_page.key)["garments"]}
        cards = page.locator("[part=card]")
        assert cards.count() >= 3
        card = cards.first
        assert card.locator("img").get_attribute("src").startswith("blob:")
        assert card.locator("a").get_attribute("href").startswith("/products/")
        assert re.search(r"\d", card.text_content())  # its price
        for category, patterns in (("bottom", ("trousers", "jeans")), ("outer", ("jacket",))):
            _add_card(page, widget, garments, category, patterns)
        worn = page.evaluate(f"{widget}.outfit.map(entry => entry.garment)")
        assert [garments[item]["category"] for item in worn] == ["bottom", "top", "outer"]
        assert page.locator("[part=outfit] li").count() == 3
        assert page.locator("[part=renders] img").count() == 2
        check("8-outfit")
        drapes = _drapes(product_page.data_dir)
        tee = page.locator("[part=outfit] li").nth(worn.index("tee-red"))
        tee_sizes = garments["tee-red"]["sizes"]
        tee_size = tee.locator("select").input_value()
        tee.locator("select").select_option(tee_sizes[tee_sizes.index(tee_size) + 1])
        _wait_until_done(page, widget)
        assert len(_drapes(product_page.data_dir) - drapes) == 2  # the tee and the jacket
        assert posted[-1].request.post_data_json["garments"]
        assert not errors, errors
        browser.close()


def _add_card(page, widget: str, garments: dict, category: str, patterns: tuple[str, ...]
              ) -> None:
    """Tap "add to outfit" on the first look card of ``category``, one of ``patterns`` if
    there is one; wait for the outfit's try-on."""
    items = page.evaluate(f"""[...{widget}.shadowRoot.querySelectorAll('[part=card]')]
        .filter(card => !card.querySelector('button').disabled).map(card => card.dataset.item)""")
    fitting = [item for item in items if garments[item]["category"] == category]
    assert fitting, f"no {category} among the look's cards: {items}"
    chosen = next((item for item in fitting if garments[item]["pattern"] in patterns),
                  fitting[0])  # trousers if recommended, else the first of the category
    page.click(f"[part=card][data-item={chosen}] button")
    _wait_until_done(page, widget)
    state = page.evaluate(f"{widget}.tryon")
    assert state["outfit"] and all(layer["drape_failed"] is None for layer in state["outfit"]), \
        state["outfit"]


def _wait_until_done(page, widget: str) -> None:
    """Wait for the widget's try-on to start and end; it must end done."""
    page.wait_for_function(f"{widget}.dataset.state !== 'done'", timeout=10_000)
    page.wait_for_function(f"['done', 'failed'].includes({widget}.dataset.state)",
                           timeout=WAIT_MS)
    assert page.evaluate(f"{widget}.dataset.state") == "done", page.evaluate(
        f"[...{widget}.shadowRoot.querySelectorAll('[role=alert]')].map(e => e.textContent)")


def _turn_and_zoom(page, viewer: str) -> None:
    """Drag the model round and wheel into it; the viewer's camera follows."""
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


class Shots:
    """Screenshots of one run, numbered by step, under ``folder``."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()

    def take(self, page, step: str) -> None:
        page.screenshot(path=str(self.folder / f"{step}.png"), full_page=True)


def _no_serious_violations(page) -> None:
    """axe-core (WCAG 2.x A and AA rules, open shadow roots included) finds nothing serious
    or critical on the page as it is now."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})).violations
        .filter(v => ['serious', 'critical'].includes(v.impact))
        .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' > ')).join(', ')}`)""")
    assert not found, found


def _no_english(page, root: str) -> None:
    """No English word in what the widget shows or says to a screen reader: its visible text
    and its labels, alt texts and titles (size names and prices aside)."""
    texts = page.evaluate(f"""() => {{
        const root = {root};
        const shown = [...root.querySelectorAll('*')].filter(e => e.checkVisibility &&
            e.checkVisibility() && !e.children.length).map(e => e.textContent);
        const said = [...root.querySelectorAll('[aria-label], [alt], [title]')].flatMap(e =>
            ['aria-label', 'alt', 'title'].map(a => e.getAttribute(a) || ''));
        return [...shown, ...said, root.querySelector('.launch').textContent];
    }}""")
    english = [text for text in texts if re.search(r"[A-Za-z]{2,}", SIZE_NAMES.sub("", text))]
    assert not english, english


def _blank_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 480), (200, 200, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def _drapes(data_dir: Path) -> set[Path]:
    return {path.parent for path in data_dir.glob("tryons/*/out/drapes/*/fit.json")}


def _api(url: str, key: str, method: str = "GET") -> dict | None:
    """A call to the storefront API with ``key``; its JSON answer (None without a body)."""
    request = urllib.request.Request(url, method=method, data=b"{}" if method == "POST" else None,
                                     headers={"Authorization": f"Bearer {key}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    return json.loads(body) if body else None
