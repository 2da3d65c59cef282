"""The storefront API through Flask's test client on a real app and SQLite store: keys scope
every request to one storefront; the catalog; events teach the recommender, whose answers carry
propensities and are logged; an avatar is fitted from an uploaded photo that is never written
to disk or logs, and erasing it erases what was derived from it; bad uploads get a 4xx with a
clear message, never a 500."""
from __future__ import annotations

import dataclasses
import io
import json
import logging
import shutil
import time
from datetime import datetime
from urllib.parse import urlsplit

import numpy as np
import pytest
import yaml
from PIL import Image

from recommender.api import create_app
from recommender.api.config import settings_from_environment
from recommender.catalog import catalog
from recommender.storefront_policy import fit_scores
from tests.conftest import HEIGHT_CM, PHOTO
from tests.farm_harness import wait_for


@pytest.fixture
def api(tmp_path, request):
    """A client of a new app: ``api(method, path, shop=..., **options)``; parametrised
    indirectly, the settings it changes (default: none; ``"database_url": "postgresql"``: a
    new database on the tests' PostgreSQL server)."""
    changes = dict(getattr(request, "param", {}))
    if changes.get("database_url") == "postgresql":
        changes["database_url"] = request.getfixturevalue("postgres").new_database()
    settings = dataclasses.replace(settings_from_environment(tmp_path / "data"),
                                   render_samples=2, render_resolution=(64, 96), **changes)
    app = create_app(settings)
    data = app.extensions["tryon"]["data"]
    keys = {name: data.create_key(name) for name in ("shop-a", "shop-b")}
    client = app.test_client()

    def call(method: str, path: str, shop: str = "shop-a", **options):
        headers = ({"Authorization": f"Bearer {keys[shop]}"} if shop else {}) | options.pop(
            "headers", {})
        return client.open(path, method=method, headers=headers, **options)

    call.app, call.keys, call.data_dir = app, keys, tmp_path / "data"
    return call


def _fitted(api, created, shop: str = "shop-a") -> dict:
    """The avatar of a POST /v1/avatars answer (202, fitting) once its fit has ended."""
    assert created.status_code == 202, created.get_data(as_text=True)
    avatar = created.get_json()
    assert avatar["state"] == "fitting" and created.headers["Location"].endswith(avatar["id"])
    deadline = time.monotonic() + 300
    while avatar["state"] == "fitting":
        assert time.monotonic() < deadline, "the fit did not end"
        time.sleep(0.2)
        avatar = api("GET", f"/v1/avatars/{avatar['id']}", shop=shop).get_json()
    return avatar


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["status"] == status and error["message"]
    return error


def test_requests_need_a_key_and_the_document_is_public(api):
    assert _error(api("GET", "/v1/garments", shop=None), 401)["code"] == "unauthorized"
    client = api.app.test_client()
    wrong = client.get("/v1/garments", headers={"Authorization": "Bearer tok_wrong"})
    assert _error(wrong, 401)["message"] == "unknown API key"
    document = client.get("/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.") and "/v1/recommendations" in document["paths"]
    assert _error(api("GET", "/v1/nowhere"), 404)["code"] == "not_found"


def test_the_document_is_made_from_the_models_that_refuse_requests_before_the_route(api):
    from recommender.api.models import MAX_ID, MAX_K, Event

    document = api.app.test_client().get("/v1/openapi.json").get_json()
    assert document["components"]["schemas"]["Event"]["properties"]["shopper"]["maxLength"] \
        == MAX_ID == Event.model_json_schema()["properties"]["shopper"]["maxLength"]
    (k,) = [p for p in document["paths"]["/v1/recommendations"]["get"]["parameters"]
            if p["name"] == "k"]
    assert k["schema"]["maximum"] == MAX_K
    # The route would answer 404 for an unknown item or avatar: the model answers first.
    too_long = _error(api("POST", "/v1/events", json={"shopper": "s" * (MAX_ID + 1),
                                                      "item": "nothing", "type": "view"}), 400)
    assert too_long["message"].startswith("'shopper'")
    too_many = _error(api("GET", f"/v1/recommendations?shopper=s&k={MAX_K + 1}&avatar=none"),
                      400)
    assert too_many["message"].startswith("'k'")
    assert _error(api("POST", "/v1/tryons", json={"avatar": "none", "garment": "nothing",
                                                  "size": "X" * 21}), 400)["message"] \
        .startswith("'size'")


def test_pages_on_the_storefronts_site_use_a_publishable_key_made_for_it(tmp_path, capsys):
    from render_farm.cli import main

    assert main(["keys", "create", "shop-c", "--origin", "https://Shop-C.example/",
                 "--data", str(tmp_path)]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("pk_")
    assert main(["keys", "create", "shop-c", "--data", str(tmp_path)]) == 0
    secret = capsys.readouterr().out.strip()
    assert main(["keys", "create", "shop-c", "--origin", "shop-c.example/page",
                 "--data", str(tmp_path)]) == 2
    assert "not a web origin" in capsys.readouterr().err
    client = create_app(settings_from_environment(tmp_path)).test_client()

    def get(key: str, origin: str | None):
        headers = {"Authorization": f"Bearer {key}"} | ({"Origin": origin} if origin else {})
        return client.get("/v1/garments", headers=headers)

    page = get(key, "https://shop-c.example")
    assert page.status_code == 200
    assert page.headers["Access-Control-Allow-Origin"] == "https://shop-c.example"
    assert "Origin" in page.headers["Vary"]
    elsewhere = get(key, "https://elsewhere.example")
    assert _error(elsewhere, 403)["code"] == "wrong_origin"
    assert "Access-Control-Allow-Origin" not in elsewhere.headers
    assert _error(get(secret, "https://shop-c.example"), 403)["code"] == "secret_key_in_page"
    assert get(secret, None).status_code == 200 and get(key, None).status_code == 200
    assert get(secret, "http://localhost").status_code == 200  # a page on the API's own site
    preflight = client.options("/v1/avatars", headers={
        "Origin": "https://shop-c.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://shop-c.example"
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    script = client.get("/widget/tryon-widget.js")
    assert script.headers["Access-Control-Allow-Origin"] == "*"


def test_the_catalog_lists_garments_with_their_sizes(api):
    garments = api("GET", "/v1/garments").get_json()["garments"]
    assert len(garments) >= 10 and {"jeans", "dress", "tshirt"} <= {g["pattern"] for g in garments}
    tee = api("GET", f"/v1/garments/{garments[0]['id']}").get_json()
    assert tee == garments[0] and "M" in tee["sizes"]
    image = api("GET", tee["images"]["pattern"])
    pixels = np.asarray(Image.open(io.BytesIO(image.data)).convert("RGB"))
    assert image.mimetype == "image/png" and pixels.shape == (384, 512, 3)
    assert (pixels != 255).any(axis=2).mean() > 0.1  # panels drawn
    _error(api("GET", "/v1/garments/nothing"), 404)


@pytest.mark.parametrize("api", [{"policy": "bandit"},
                                 {"policy": "bandit", "database_url": "postgresql"}],
                         indirect=True, ids=["sqlite", "postgresql"])
def test_events_teach_the_recommender_which_answers_with_propensities(api):
    for shopper in range(30):  # shoppers buy the jeans, ignore the silk dress
        for item, kind in (("jeans-indigo", "purchase"), ("dress-silk", "view")):
            assert api("POST", "/v1/events", json={
                "shopper": f"s{shopper}", "item": item, "type": kind}).status_code == 201
    answer = api("GET", "/v1/recommendations?shopper=s1&k=3").get_json()
    items = [row["item"] for row in answer["items"]]
    assert len(items) == 3 and items[0] == "jeans-indigo" and "dress-silk" not in items
    assert all(0 <= row["propensity"] <= 1 for row in answer["items"])
    assert answer["items"][0]["propensity"] > 0.5
    other = api("GET", "/v1/recommendations?shopper=s1&k=3", shop="shop-b").get_json()
    assert other["items"][0]["propensity"] < 0.5  # shop-b's policy learnt nothing of shop-a's
    data = api.app.extensions["tryon"]["data"]
    (shop_a,) = {data.storefront_of(api.keys["shop-a"])}
    served = data.served(shop_a)
    assert served[-1]["items"] == answer["items"] and served[-1]["shopper"] != "s1"
    assert _error(api("POST", "/v1/events", json={"shopper": "s", "item": "jeans-indigo",
                                                  "type": "stare"}), 400)["message"]
    _error(api("POST", "/v1/events", json={"shopper": "s", "item": "nothing", "type": "view"}),
           404)
    _error(api("POST", "/v1/events", data="not json"), 400)
    _error(api("GET", "/v1/recommendations?shopper=s1&k=0"), 400)
    _error(api("GET", "/v1/recommendations?k=2"), 400)


@pytest.mark.parametrize("api", [{"policy": "sessions", "session_gap_s": 1.0},
                                 {"policy": "sessions", "session_gap_s": 1.0,
                                  "database_url": "postgresql"},
                                 {"policy": "gradient", "session_gap_s": 1.0}],
                         indirect=True, ids=["sqlite", "postgresql", "policy-gradient"])
def test_the_session_policy_learns_what_completes_an_outfit(api):
    """Shoppers who put a tee in their outfit then buy jeans; shoppers who open on a bottom
    leave. Q-learning over sessions (and policy gradient) learns to open on the tee, and to
    follow it with jeans."""
    name = {"sessions": "Q-learning over sessions v1",
            "gradient": "policy gradient over sessions v1"}[api.app.extensions["tryon"][
                "settings"].policy]
    bottoms = [item.id for item in catalog() if item.kind in ("jeans", "trousers", "skirt")]
    for shopper in range(40):
        steps = ([("tee-white", "view"), ("tee-white", "add_to_outfit"),
                  ("jeans-indigo", "add_to_outfit"), ("jeans-indigo", "purchase")]
                 if shopper % 2 else [(bottoms[shopper // 2 % len(bottoms)], "view")])
        for item, kind in steps:
            assert api("POST", "/v1/events", json={
                "shopper": f"s{shopper}", "item": item, "type": kind}).status_code == 201
    api("GET", "/v1/recommendations?shopper=nobody")  # takes the events in
    time.sleep(1.5)  # every session ends: their last steps are learnt

    def propensities(shopper: str) -> dict[str, float]:
        answer = api("GET", f"/v1/recommendations?shopper={shopper}&k=20").get_json()
        assert answer["policy"] == name
        return {row["item"]: row["propensity"] for row in answer["items"]}

    opening = propensities("newcomer")
    assert len(opening) == len(catalog())
    assert max(opening, key=opening.get) == "tee-white"
    assert opening["jeans-indigo"] < opening["tee-white"]
    for kind in ("view", "add_to_outfit"):
        api("POST", "/v1/events", json={"shopper": "builder", "item": "tee-white", "type": kind})
    time.sleep(0.3)  # the policy looks for new events at most every LEARN_EVERY_S
    following = propensities("builder")
    assert max(following, key=following.get) == "jeans-indigo"
    assert sum(following[item] for item in bottoms) > 0.5
    assert following["jeans-indigo"] > 2 * opening["jeans-indigo"]
    assert "tee-white" not in following and len(following) == len(catalog()) - 1  # has it
    data = api.app.extensions["tryon"]["data"]
    (shop_a,) = {data.storefront_of(api.keys["shop-a"])}
    assert {row["policy"] for row in data.served(shop_a)} == {name}


def test_by_default_shoppers_are_split_between_the_policies_each_keeping_theirs(api):
    served = {shopper: {api("GET", f"/v1/recommendations?shopper=s{shopper}").get_json()
                        ["policy"] for _ in range(2)} for shopper in range(16)}
    assert all(len(policies) == 1 for policies in served.values())
    assert set.union(*served.values()) == {"linear Thompson sampling v1",
                                           "Q-learning over sessions v1",
                                           "policy gradient over sessions v1"}


def test_the_ab_report_credits_each_policys_answers_with_the_events_that_followed(
        api, tmp_path, capsys):
    from render_farm.cli import main

    answers = []
    for n in range(12):
        answer = api("GET", f"/v1/recommendations?shopper=s{n}&k=3").get_json()
        answers.append(answer)
        bought = answer["items"][0]["item"] if n % 3 else None  # two in three buy
        if bought:
            api("POST", "/v1/events", json={"shopper": f"s{n}", "item": bought,
                                            "type": "purchase"})
        unlisted = next(i.id for i in catalog() if i.id not in
                        {row["item"] for row in answer["items"]})
        api("POST", "/v1/events", json={"shopper": f"s{n}", "item": unlisted, "type": "tryon"})
    api("POST", "/v1/events", json={"shopper": "never-served", "item": "tee-red",
                                    "type": "purchase"})
    api.app.extensions["tryon"]["data"].flush_served()
    out = tmp_path / "report.json"
    assert main(["recommend", "report", "shop-a", "--data", str(api.data_dir),
                 "--out", str(out)]) == 0
    assert "reward / answer" in capsys.readouterr().out
    report = json.loads(out.read_text())["policies"]
    for policy in {answer["policy"] for answer in answers}:
        mine = [n for n, answer in enumerate(answers) if answer["policy"] == policy]
        bought = sum(1 for n in mine if n % 3)
        assert report[policy]["answers"] == report[policy]["shoppers"] == len(mine)
        assert report[policy]["reward_per_answer"]["value"] == pytest.approx(bought / len(mine))
        assert report[policy]["acted_on"]["value"] == pytest.approx(bought / len(mine))
    assert main(["recommend", "report", "no-such-shop", "--data", str(api.data_dir)]) == 2


@pytest.mark.parametrize("api", [{}, {"database_url": "postgresql"}], indirect=True,
                         ids=["sqlite", "postgresql"])
def test_an_avatar_from_a_photo_that_is_never_stored_and_erased_with_its_events(
        api, caplog, monkeypatch):
    import werkzeug.formparser

    def spooled(*args, **kwargs):
        raise AssertionError("an upload was spooled to a temporary file")

    monkeypatch.setattr(werkzeug.formparser, "SpooledTemporaryFile", spooled)
    photo = PHOTO.read_bytes()
    caplog.set_level(logging.DEBUG)
    started = time.perf_counter()
    created = api("POST", "/v1/avatars", data={
        "front": (io.BytesIO(photo), "me.png", "image/png"), "height_cm": str(HEIGHT_CM)})
    assert time.perf_counter() - started < 1.0  # answered at once: the fit runs elsewhere
    assert api("GET", "/v1/avatar-fits").get_json() == {"fits_waiting": 1}
    fitting = created.get_json()["id"]  # recommended as a shopper without an avatar meanwhile
    assert len(api("GET", f"/v1/recommendations?shopper=s1&avatar={fitting}").get_json()[
        "items"]) == 5
    avatar = _fitted(api, created)
    assert avatar["state"] == "ready", avatar
    assert 70 < avatar["measurements_cm"]["chest_girth"] < 130
    assert api("GET", "/v1/avatar-fits").get_json() == {"fits_waiting": 0}
    assert api("GET", f"/v1/avatars/{avatar['id']}").get_json() == avatar
    _error(api("GET", f"/v1/avatars/{avatar['id']}", shop="shop-b"), 404)  # not shop-b's
    _error(api("DELETE", f"/v1/avatars/{avatar['id']}", shop="shop-b"), 404)
    assert api("POST", "/v1/events", json={"shopper": "s1", "item": "tee-red", "type": "tryon",
                                           "avatar": avatar["id"]}).status_code == 201
    answer = api("GET", f"/v1/recommendations?shopper=s1&avatar={avatar['id']}").get_json()
    assert len(answer["items"]) == 5

    stored = [path for path in api.data_dir.rglob("*") if path.is_file()]
    assert any(path.suffix == ".glb" for path in stored)  # the body is kept, for the viewer
    for path in stored:
        content = path.read_bytes()
        assert content[:8] != b"\x89PNG\r\n\x1a\n" and photo[1000:1064] not in content, path
    assert photo[1000:1064].hex() not in caplog.text and "me.png" not in caplog.text

    assert api("DELETE", f"/v1/avatars/{avatar['id']}").status_code == 204
    _error(api("GET", f"/v1/avatars/{avatar['id']}"), 404)
    data = api.app.extensions["tryon"]["data"]
    shop_a = data.storefront_of(api.keys["shop-a"])
    assert data.events_after(shop_a, 0) == [] and data.served(shop_a) == []
    assert not list(api.data_dir.rglob("*.glb"))


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


@pytest.mark.parametrize("upload, status, words", [
    ({"front": (io.BytesIO(b"%PDF-1.4 not a photo"), "a.png", "image/png"), "height_cm": "175"},
     400, "not a readable image"),
    ({"front": (io.BytesIO(b"x"), "a.pdf", "application/pdf"), "height_cm": "175"},
     415, "must be JPEG, PNG or WebP"),
    ({"front": (io.BytesIO(_png(9000, 9000)), "bomb.png", "image/png"), "height_cm": "175"},
     413, "too large"),
    ({"front": (io.BytesIO(_png(64, 64)), "a.png", "image/png"), "height_cm": "12"},
     400, "height_cm"),
    ({"height_cm": "175"}, 400, "'front'"),
    ({"front": (io.BytesIO(_png(1, 1)), "dot.png", "image/png"), "height_cm": "175"},
     400, "too small"),
])
def test_bad_uploads_get_a_clear_4xx(api, upload, status, words):
    response = api("POST", "/v1/avatars", data=upload, content_type="multipart/form-data")
    assert words in _error(response, status)["message"]


def test_a_photo_without_a_person_fails_its_fit_with_the_reason_in_the_asked_language(api):
    created = api("POST", "/v1/avatars", data={
        "front": (io.BytesIO(_png(64, 64)), "blank.png", "image/png"), "height_cm": "175"})
    avatar = _fitted(api, created)
    assert avatar["state"] == "failed" and "measurements_cm" not in avatar
    assert avatar["error"]["status"] == 422 and avatar["error"]["code"] == "unusable_photo"
    assert "no person" in avatar["error"]["message"]
    translated = api("GET", f"/v1/avatars/{avatar['id']}?lang=zh-CN").get_json()["error"]
    assert translated["message"] != avatar["error"]["message"]
    assert any("\u4e00" <= char <= "\u9fff" for char in translated["message"])
    assert api.data_dir.joinpath("avatars").exists() is False or not list(
        api.data_dir.joinpath("avatars").rglob("avatar.json"))
    refused = api("POST", "/v1/tryons", json={"avatar": avatar["id"], "garment": "tee-red"})
    assert _error(refused, 409)["code"] == "avatar_not_ready"
    assert api("POST", "/v1/events", json={"shopper": "s9", "item": "tee-red", "type": "view",
                                           "avatar": avatar["id"]}).status_code == 201
    answer = api("GET", f"/v1/recommendations?shopper=s9&avatar={avatar['id']}").get_json()
    assert len(answer["items"]) == 5  # as a shopper without an avatar
    assert api("DELETE", f"/v1/avatars/{avatar['id']}").status_code == 204  # erasable too
    data = api.app.extensions["tryon"]["data"]
    assert not [event for event in data.events_after(data.storefront_of(api.keys["shop-a"]), 0)
                if event["avatar_id"] == avatar["id"]]
    _error(api("GET", f"/v1/avatars/{avatar['id']}"), 404)


def test_wrong_content_type_malformed_multipart_and_huge_bodies_are_refused(api):
    assert "multipart" in _error(api("POST", "/v1/avatars", json={"height_cm": 175}),
                                 415)["message"]
    broken = api("POST", "/v1/avatars", data=b"--x\r\nContent-Disposition: form-data; na",
                 content_type="multipart/form-data; boundary=x")
    assert 400 <= broken.status_code < 500 and broken.get_json()["error"]
    huge = api("POST", "/v1/avatars", data={"front": (io.BytesIO(b"0" * (17 << 20)), "a.png",
                                                      "image/png"), "height_cm": "175"})
    assert _error(huge, 413)["code"] == "request_entity_too_large"


def test_keys_are_made_from_the_command_line(tmp_path, capsys):
    from render_farm.cli import main

    assert main(["keys", "create", "shop-c", "--data", str(tmp_path)]) == 0
    key = capsys.readouterr().out.strip()
    app = create_app(settings_from_environment(tmp_path))
    answer = app.test_client().get("/v1/garments", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200
    assert key not in json.dumps([p.read_bytes().hex() for p in tmp_path.rglob("*")
                                  if p.is_file()]) and key.encode() not in b"".join(
        p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())


@pytest.mark.parametrize("api", [{"warm_engine": True}], indirect=True)
def test_a_tryon_shows_a_preview_at_once_then_renders_its_drape_and_fit(api, tmp_path,
                                                                         failed_drape):
    """An avatar (Anny's average man, stored as an upload's would be) in the catalog's red tee
    with size advice: a preview of the tee on him at once (its learned drape), then his chart's
    size (S) and those either side draped and rendered by the
    server's runner thread in the engine it started with the server, and S advised because XS
    is tight at the chest."""

    from neural.mesh_io import glb_materials
    from tests.conftest import write_average_avatar

    service = api.app.extensions["tryon"]["tryons"]
    wait_for(lambda: service.engine.ready, 120, "the engine started with the server to warm up")
    data = api.app.extensions["tryon"]["data"]
    shop_a = data.storefront_of(api.keys["shop-a"])
    folder = api.data_dir / "avatars" / shop_a / "average0man00000"
    data.add_avatar(shop_a, folder.name, write_average_avatar(folder, gender=0.0))
    started = time.perf_counter()
    created = api("POST", "/v1/tryons", json={"avatar": folder.name, "garment": "tee-red"})
    assert created.status_code == 201, created.get_data(as_text=True)
    tryon = created.get_json()
    assert time.perf_counter() - started < 5 and tryon["size_advised"] and tryon["size"] == "S"
    preview = api("GET", tryon["files"]["preview.png"])
    assert preview.mimetype == "image/png" and Image.open(io.BytesIO(preview.data)).size == (
        256, 384)
    pixels = np.asarray(Image.open(io.BytesIO(preview.data)).convert("RGB")).astype(int)
    red = pixels[..., 0] - pixels[..., 1:].max(axis=-1) > 60
    assert red.mean() > 0.02, red.mean()  # the tee's learned drape on him, not his bare body
    _error(api("GET", f"/v1/tryons/{tryon['id']}", shop="shop-b"), 404)

    deadline = time.monotonic() + 600
    while tryon["state"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(1)
        tryon = api("GET", f"/v1/tryons/{tryon['id']}").get_json()
    assert tryon["state"] == "done", tryon
    assert tryon["advice"]["size"] == tryon["size"] == "S", tryon["advice"]
    assert tryon["advice"]["reason"].startswith("S: XS is tight at the chest")
    assert tryon["advice"]["span"] is None  # an avatar made from parameters has no intervals
    sizes = {entry["size"]: entry for entry in tryon["sizes"]}
    assert list(sizes) == ["XS", "S", "M"]
    assert sizes["XS"]["fit"]["regions"]["chest"]["verdict"] == "tight"
    assert tryon["fit"] == sizes["S"]["fit"] and all(tryon["fit"]["gates"].values())
    front = api("GET", tryon["files"]["front.png"])
    assert Image.open(io.BytesIO(front.data)).size == (64, 96)
    model = api("GET", tryon["files"]["draped.glb"])
    assert model.mimetype == "model/gltf-binary" and model.data[:4] == b"glTF"
    (api.data_dir / "shown.glb").write_bytes(model.data)
    cloth = glb_materials(api.data_dir / "shown.glb")["garment"]["pbrMetallicRoughness"]
    assert cloth["baseColorFactor"][:3] == [0.55, 0.05, 0.05]  # the catalog's red, not cotton's
    assert model.data == api("GET", sizes["S"]["files"]["draped.glb"]).data
    larger = api("GET", sizes["M"]["files"]["draped.glb"])
    assert larger.data[:4] == b"glTF" and larger.data != model.data
    _error(api("GET", f"/v1/tryons/{tryon['id']}/files/XXL/front.png"), 404)
    _error(api("GET", f"/v1/tryons/{tryon['id']}/files/S/notes.txt"), 404)
    assert data.drape_fits(shop_a, folder.name) == {"tee-red": tryon["fit"]["score"]}
    answer = api("GET", f"/v1/recommendations?shopper=s1&avatar={folder.name}").get_json()
    assert len(answer["items"]) == 5
    draped = data.avatar(shop_a, folder.name) | {"drape_fits": {"tee-red": 0.0}}
    fits = dict(zip([item.id for item in catalog()], fit_scores(catalog(), draped)))
    assert fits["tee-red"] == 0.0 and 0 < fits["tee-white"] <= 1  # the drape's, the chart's
    _error(api("POST", "/v1/tryons", json={"avatar": folder.name, "garment": "tee-red",
                                           "size": "XXXL"}), 400)
    _error(api("POST", "/v1/tryons", json={"avatar": "nobody", "garment": "tee-red"}), 404)

    # shared (opt-in): a public page with the pictures and the 3D model, until revoked
    tryon_path = f"/v1/tryons/{tryon['id']}"
    _error(api("POST", f"{tryon_path}/share", shop="shop-b"), 404)
    link = api("POST", f"{tryon_path}/share", json={"days": 2})
    assert link.status_code == 201, link.get_data(as_text=True)
    url, expires = link.get_json()["url"], link.get_json()["expires_at"]
    assert 47 < (datetime.fromisoformat(expires).timestamp() - time.time()) / 3600 <= 48
    page_path = urlsplit(url).path
    assert len(page_path.rsplit("/", 1)[1]) >= 32  # 192 random bits
    page = api("GET", page_path, shop=None)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert f'<meta property="og:image" content="{url}/front.png">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert "Cotton tee in size S" in html and 'alt="Cotton tee, size S, from the front"' in html
    chinese = api("GET", page_path, shop=None, headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True)  # a friend's browser in Chinese
    assert '<html lang="zh-CN">' in chinese and "<title>纯棉T恤（S 码）：虚拟试穿</title>" in chinese
    assert 'alt="纯棉T恤，S 码，正面"' in chinese
    measured = data.avatar(shop_a, folder.name)["measurements"]
    assert not any(f"{value:.1f}" in html for value in measured.values())  # no body data
    for name, kind in (("front.png", "image/png"), ("draped.glb", "model/gltf-binary")):
        shown = api("GET", f"{page_path}/{name}", shop=None)
        assert shown.status_code == 200 and shown.mimetype == kind
        assert shown.data == api("GET", tryon["files"][name]).data
    assert api("GET", f"{page_path}/fit.json", shop=None).status_code == 404
    _error(api("DELETE", f"{tryon_path}/share", shop="shop-b"), 404)
    assert api("GET", page_path, shop=None).status_code == 200  # another shop cannot end it
    assert api("DELETE", f"{tryon_path}/share").status_code == 204
    assert api("GET", page_path, shop=None).status_code == 404
    assert "此试穿链接已过期或已被删除。" in api("GET", page_path, shop=None, headers={
        "Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert api("GET", f"{page_path}/front.png", shop=None).status_code == 404
    brief = api("POST", f"{tryon_path}/share", json={"days": 1 / 86400})  # a second
    time.sleep(1.5)
    assert api("GET", urlsplit(brief.get_json()["url"]).path, shop=None).status_code == 404
    _error(api("POST", f"{tryon_path}/share", json={"days": 400}), 400)
    kept = urlsplit(api("POST", f"{tryon_path}/share").get_json()["url"]).path  # 30 days

    # a size whose drape failed (a real failed drape's fit.json in M's drape folder: catalog
    # garments drape cleanly) is still judged, offered without a picture, with the reason
    drapes = (api.data_dir / "tryons" / shop_a / "out" / "drapes").glob("*/fit.json")
    m_fit = next(path for path in drapes if json.loads(path.read_text())["size"] == "M")
    shutil.copy(failed_drape / "drape" / "fit.json", m_fit)
    sizes = {entry["size"]: entry for entry in
             api("GET", f"/v1/tryons/{tryon['id']}").get_json()["sizes"]}
    assert sizes["M"]["files"] == {} and "did not drape cleanly" in sizes["M"]["no_picture"]
    assert sizes["S"]["no_picture"] is None and sizes["S"]["files"]
    _error(api("GET", f"/v1/tryons/{tryon['id']}/files/M/draped.glb"), 404)

    assert api("GET", kept, shop=None).status_code == 200
    assert api("DELETE", f"/v1/avatars/{folder.name}").status_code == 204
    _error(api("GET", f"/v1/tryons/{tryon['id']}"), 404)
    assert api("GET", kept, shop=None).status_code == 404  # links die with the avatar
    out = api.data_dir / "tryons" / shop_a
    assert not list(out.rglob("draped.glb")) and not list(out.rglob("front.png"))


def test_size_insights_spend_each_storefronts_privacy_budget(api):
    """GET /v1/insights/sizes: noisy counts (withheld below the minimum group), each answer
    spending the storefront's budget (default 10) until it is refused; shops apart."""
    first = api("GET", "/v1/insights/sizes?garment=tee-red&epsilon=4")
    assert first.status_code == 200, first.get_data(as_text=True)
    answer = first.get_json()
    assert set(answer["sizes"]) == {"XS", "S", "M", "L", "XL", "XXL"} == set(answer["returns"])
    assert set(answer["verdicts"]) == {"chest", "hip"} and answer["epsilon_left"] == 6.0
    assert api("GET", "/v1/insights/sizes?garment=tee-red&epsilon=4").get_json()[
        "epsilon_left"] == 2.0
    spent = _error(api("GET", "/v1/insights/sizes?garment=tee-red&epsilon=4"), 403)
    assert spent["code"] == "privacy_budget_spent"
    assert api("GET", "/v1/insights/sizes?garment=tee-red", shop="shop-b").get_json()[
        "epsilon_left"] == 9.0
    _error(api("GET", "/v1/insights/sizes?garment=nothing"), 404)
    _error(api("GET", "/v1/insights/sizes?garment=tee-red&epsilon=0"), 400)
    _error(api("GET", "/v1/insights/sizes?garment=tee-red&epsilon=11"), 400)
    _error(api("GET", "/v1/insights/sizes?garment=tee-red", shop=None), 401)


def test_an_outfit_is_draped_in_dressing_order_and_a_new_jacket_size_drapes_only_it(api):
    """Chinos, a tee and a denim jacket on Anny's average man, asked for in any order: draped
    bottom, top, jacket, each over the one below, every layer passing its gates; the jacket a
    size up then re-drapes the jacket alone."""
    from tests.conftest import write_average_avatar

    data = api.app.extensions["tryon"]["data"]
    shop_a = data.storefront_of(api.keys["shop-a"])
    folder = api.data_dir / "avatars" / shop_a / "average0man00000"
    data.add_avatar(shop_a, folder.name, write_average_avatar(folder, gender=0.0))
    outfit = [{"garment": "jacket-denim"}, {"garment": "tee-white"},
              {"garment": "chinos-sand", "size": "M"}]

    def tried(garments: list[dict]) -> dict:
        created = api("POST", "/v1/tryons", json={"avatar": folder.name, "garments": garments})
        assert created.status_code == 201, created.get_data(as_text=True)
        tryon = created.get_json()
        deadline = time.monotonic() + 600
        while tryon["state"] not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(1)
            tryon = api("GET", f"/v1/tryons/{tryon['id']}").get_json()
        assert tryon["state"] == "done", tryon
        return tryon

    drapes = api.data_dir / "tryons" / shop_a / "out" / "drapes"
    first = tried(outfit)
    assert [layer["garment"] for layer in first["outfit"]] == [
        "chinos-sand", "tee-white", "jacket-denim"]
    assert first["garment"] == "jacket-denim" and not first["size_advised"]
    assert all(layer["drape_failed"] is None for layer in first["outfit"]), first["outfit"]
    assert all(first["fit"]["gates"].values()) and first["files"]["front.png"]
    assert api("GET", first["files"]["draped.glb"]).data[:4] == b"glTF"
    made = {path: path.stat().st_mtime_ns for path in drapes.glob("*/fit.json")}
    assert len(made) == 3

    sizes = next(g["sizes"] for g in api("GET", "/v1/garments").get_json()["garments"]
                 if g["id"] == "jacket-denim")
    larger = sizes[sizes.index(first["size"]) + 1]
    second = tried([{"garment": "jacket-denim", "size": larger}, *outfit[1:]])
    assert second["size"] == larger and second["outfit"][:2] == first["outfit"][:2]
    after = {path: path.stat().st_mtime_ns for path in drapes.glob("*/fit.json")}
    assert len(after) == 4 and all(after[path] == made[path] for path in made)

    for refused in ([{"garment": "tee-white"}, {"garment": "tee-red"}],  # two tops
                    [{"garment": "dress-silk"}, {"garment": "chinos-sand"}],
                    [{"garment": "tee-white"}, {"garment": "tee-white"}]):
        _error(api("POST", "/v1/tryons", json={"avatar": folder.name, "garments": refused}),
               400)
    _error(api("POST", "/v1/tryons", json={"avatar": folder.name, "garment": "tee-red",
                                           "garments": outfit}), 400)


def test_a_photo_is_checked_before_the_fit_and_never_kept(api):
    """POST /v1/photo-checks: the example photo (one person, head to feet) passes; a blank
    one is refused with the reason, in the language asked for."""
    def check(payload: bytes, **headers):
        return api("POST", "/v1/photo-checks", headers=headers, data={
            "photo": (io.BytesIO(payload), "photo.png", "image/png"), "view": "front"})

    passed = check(PHOTO.read_bytes())
    assert passed.status_code == 200 and passed.get_json() == {"usable": True}
    refused = _error(check(_png(320, 480)), 422)
    assert refused["message"] == "no person found in the photo: the front photo"
    chinese = _error(check(_png(320, 480), **{"Accept-Language": "zh-CN,zh;q=0.9"}), 422)
    assert chinese["message"].startswith("正面照片中没有找到人物") and "detail" not in chinese
    assert not list(api.data_dir.rglob("*.png"))  # nothing of the photos was written


def test_errors_speak_the_language_asked_for_and_shops_add_their_own(api, tmp_path):
    """Accept-Language or ?lang= picks the catalog; a message no template matches gets its
    code's general text with the English as detail; a shop's catalogs add languages."""
    from recommender.api.messages import BUILT_IN, HOLE, catalog

    asked = {"Accept-Language": "zh-CN"}
    missing = api("GET", "/v1/tryons/nothing", headers=asked)
    assert _error(missing, 404)["message"] == "没有试穿 'nothing'"
    assert missing.headers["Content-Language"] == "zh-CN"
    assert _error(api("GET", "/v1/avatars/x?lang=zh-CN"), 404)["message"] == "没有形象 'x'"
    assert _error(api("GET", "/v1/tryons/nothing"), 404)["message"] == "no try-on 'nothing'"
    general = _error(api("PUT", "/v1/garments", headers=asked), 405)
    assert general["message"] == "不允许使用此方法" and general["detail"]
    english_only = _error(api("GET", "/v1/tryons/nothing", headers={"Accept-Language": "fr"}),
                          404)
    assert english_only["message"] == "no try-on 'nothing'"

    chinese = yaml.safe_load((BUILT_IN / "zh-CN.yaml").read_text(encoding="utf-8"))
    for english, translation in chinese["templates"].items():  # holes kept, none invented
        assert set(HOLE.findall(translation)) <= set(HOLE.findall(english)), english
    assert {"error", "not_found", "bad_request", "unusable_photo"} <= set(chinese["codes"])

    shop = tmp_path / "messages"
    shop.mkdir()
    (shop / "fr.yaml").write_text('templates:\n  "no try-on {tryon}": "pas d\'essayage {tryon}"'
                                  '\ncodes:\n  error: "erreur"\n', encoding="utf-8")
    settings = dataclasses.replace(api.app.extensions["tryon"]["settings"], messages_dir=shop)
    assert catalog("fr", shop).translate("no try-on 'x'", "not_found") == (
        "pas d'essayage 'x'", None)
    api.app.extensions["tryon"]["settings"] = settings
    french = api("GET", "/v1/tryons/nothing", headers={"Accept-Language": "fr-FR"})
    assert _error(french, 404)["message"] == "pas d'essayage 'nothing'"
