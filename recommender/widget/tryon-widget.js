// <tryon-widget key="PUBLISHABLE KEY" garment="GARMENT ID" api="https://..." lang="en">: a
// guided fitting room in a modal dialog. Steps: how to take the photo; the photo (uploaded or
// taken with the camera, checked at once by the API) and the height; progress while the API
// measures the body and drapes the garment; the result: the 3D model with a fit-map toggle,
// the size advice in plain words, sizes as buttons, the renders, sharing, and "complete the
// look" cards that add a garment to the outfit. Talks to the storefront API (/v1); photos go
// straight to it and are never kept in the page.
//
// Styling: CSS custom properties on the element (--tryon-accent, --tryon-accent-text,
// --tryon-surface, --tryon-text, --tryon-muted, --tryon-radius, --tryon-font) and ::part()
// on launch, dialog, step, model, advice, sizes, size, renders, look, card, outfit, share.
// Language: the lang attribute, else the page's, else the browser's (MESSAGES keys).
import "./model-viewer.min.js";
import {MESSAGES} from "./widget-messages.js";

const POLL_MS = 1000;
const LOOK_ASKED = 12;  // recommendations asked for; those that complete the outfit come first
const LOOK_PER_PLACE = 2;
const LOOK_SHOWN = 6;
const STEPS = ["how", "photo", "fitting", "result"];
const HEIGHT_CM = [100, 230];
const LEGEND = "linear-gradient(90deg, #d90d05, #f2cc05, #0da626, #0073cc, #050d99)";
// the animations of moving.glb (neural.body.motions) and the message naming each
const MOTIONS = [["walk", "motionWalk"], ["arms down", "motionArmsDown"],
  ["hands on hips", "motionHandsOnHips"], ["weight on one leg", "motionWeight"],
  ["turn", "motionTurn"]];

const STYLE = `
:host { --accent: var(--tryon-accent, #1f4fd1); --accent-text: var(--tryon-accent-text, #fff);
  --surface: var(--tryon-surface, #fff); --text: var(--tryon-text, #1b1b1f);
  --muted: var(--tryon-muted, #55575e); --radius: var(--tryon-radius, 12px);
  font: 16px/1.45 var(--tryon-font, system-ui, sans-serif); color: var(--text); }
* { box-sizing: border-box; }
button, input, select { font: inherit; }
button { cursor: pointer; border-radius: calc(var(--radius) / 1.5); padding: .6em 1.1em;
  border: 2px solid var(--accent); background: var(--surface); color: var(--accent);
  font-weight: 600; min-height: 44px; }
button.primary { background: var(--accent); color: var(--accent-text); }
button:disabled { opacity: .5; cursor: not-allowed; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
dialog { border: 0; border-radius: var(--radius); padding: 0; width: min(100vw, 960px);
  max-width: 100vw; max-height: 100dvh; background: var(--surface); color: var(--text); }
dialog::backdrop { background: rgb(0 0 0 / .55); }
header { display: flex; align-items: center; justify-content: space-between; gap: 1em;
  padding: .75em 1em; border-bottom: 1px solid #d9dae0; }
header h2 { margin: 0; font-size: 1.15em; }
.close { border: 0; font-size: 1.6em; line-height: 1; padding: .2em .5em; }
ol.progress-steps { display: flex; gap: .5em; list-style: none; margin: 0; padding: .75em 1em 0;
  color: var(--muted); font-size: .85em; }
ol.progress-steps li { flex: 1; border-top: 4px solid #d9dae0; padding-top: .3em; }
ol.progress-steps li[aria-current] { border-color: var(--accent); color: var(--text);
  font-weight: 600; }
section { padding: 1em; }
section h3 { margin: 0 0 .6em; font-size: 1.3em; }
section h3:focus { outline: none; }
.how { display: grid; gap: 1em; grid-template-columns: 1fr; align-items: center; }
.how svg { width: 140px; height: auto; justify-self: center; }
.how ul { margin: 0; padding-left: 1.2em; }
.how li + li { margin-top: .35em; }
.actions { display: flex; gap: .75em; flex-wrap: wrap; justify-content: flex-end;
  margin-top: 1em; }
fieldset { border: 1px solid #d9dae0; border-radius: var(--radius); margin: 0 0 1em;
  padding: .75em 1em; }
legend { font-weight: 600; padding: 0 .3em; }
.pick { display: flex; gap: .5em; flex-wrap: wrap; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
.check { margin: .5em 0 0; min-height: 1.45em; }
.check[data-ok="no"], .error { color: #a3140c; }
.check[data-ok="yes"] { color: #0b6b1f; }
video { width: 100%; max-height: 50dvh; background: #000; border-radius: var(--radius); }
.height input { width: 6em; padding: .5em; border: 1px solid #8a8c94; border-radius: 6px;
  min-height: 44px; }
.hint, .privacy { color: var(--muted); font-size: .9em; margin: .3em 0 0; }
progress { width: 100%; height: 12px; accent-color: var(--accent); }
.fitting { text-align: center; }
.fitting img { max-width: 160px; border-radius: var(--radius); margin-top: 1em; }
.result { display: grid; gap: 1em; grid-template-columns: 1fr; }
.stage { position: relative; }
model-viewer { width: 100%; height: min(62dvh, 560px); background: #f3f3f6;
  border-radius: var(--radius); --poster-color: transparent; }
.fitmap-toggle { position: absolute; top: .5em; right: .5em; }
.fitmap-toggle[aria-pressed="true"] { background: var(--accent); color: var(--accent-text); }
.legend { display: flex; align-items: center; gap: .5em; font-size: .85em; margin-top: .4em; }
.legend span.bar { flex: 1; height: 10px; border-radius: 5px; background: ${LEGEND}; }
.motions { display: flex; gap: .4em; flex-wrap: wrap; margin-top: .4em; }
.motions button[aria-pressed="true"] { background: var(--accent); color: var(--accent-text); }
.advice p { margin: 0 0 .4em; }
.advice .headline { font-size: 1.2em; font-weight: 700; }
details { margin-top: .4em; }
summary { cursor: pointer; color: var(--accent); font-weight: 600; min-height: 24px; }
.sizes { display: flex; gap: .5em; flex-wrap: wrap; margin: .5em 0; padding: 0; border: 0; }
.sizes button { min-width: 3.2em; padding: .4em .8em; }
.sizes button[aria-pressed="true"] { background: var(--accent); color: var(--accent-text); }
.sizes small { display: block; font-weight: 400; font-size: .7em; }
.renders { display: flex; gap: .5em; }
.renders img { width: calc(50% - .25em); max-width: 200px; border-radius: var(--radius);
  background: #f3f3f6; }
.outfit ul, .look ul { list-style: none; margin: 0; padding: 0; display: grid; gap: .6em; }
.outfit li { display: flex; align-items: center; gap: .5em; flex-wrap: wrap; }
.outfit li span { flex: 1; min-width: 8em; }
.outfit select { min-height: 44px; padding: 0 .5em; }
.look ul { grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); }
.card { border: 1px solid #d9dae0; border-radius: var(--radius); padding: .6em;
  display: flex; flex-direction: column; gap: .3em; }
.card img { width: 100%; aspect-ratio: 1; object-fit: contain; background: #f3f3f6;
  border-radius: calc(var(--radius) / 1.5); }
.card .name { font-weight: 600; }
.card a { color: var(--accent); }
.share input { width: 100%; padding: .5em; margin: .4em 0; }
[hidden] { display: none !important; }
@media (min-width: 720px) {
  .how { grid-template-columns: 180px 1fr; }
  .result { grid-template-columns: 3fr 2fr; }
  .result .wide { grid-column: 1 / -1; }
}
@media (prefers-reduced-motion: reduce) { * { transition: none !important;
  animation: none !important; scroll-behavior: auto !important; } }
`;

// A standing figure in a phone frame: head to feet inside, arms a little away from the body.
const FIGURE = `<svg viewBox="0 0 120 200" aria-hidden="true" focusable="false">
<rect x="4" y="4" width="112" height="192" rx="14" fill="#f3f3f6" stroke="#8a8c94" stroke-width="3"/>
<g fill="none" stroke="#1b1b1f" stroke-width="6" stroke-linecap="round">
<circle cx="60" cy="34" r="11" fill="#1b1b1f"/><path d="M60 48v62M60 58l-22 40M60 58l22 40
M60 110l-12 62M60 110l12 62"/></g>
<path d="M14 22v158M10 22h8M10 180h8" stroke="#0b6b1f" stroke-width="2.5"/></svg>`;

class TryOnWidget extends HTMLElement {
  static messages = MESSAGES;

  connectedCallback() {
    if (this.shadowRoot) return;
    this.api = (this.getAttribute("api") || "").replace(/\/$/, "");
    this.language = pickLanguage(this, Object.keys(TryOnWidget.messages));
    this.shopper = localStorage.getItem("tryon-shopper") || crypto.randomUUID();
    localStorage.setItem("tryon-shopper", this.shopper);
    this.photos = {};  // name -> File that passed its check; never stored
    this.outfit = [];  // [{garment, size}]: the garments worn, in no particular order
    this.draped = {};  // by size: {size, fit, files, no_picture} of the product's drapes
    this.attachShadow({mode: "open"}).innerHTML = `<style>${STYLE}</style>${this.markup()}`;
    this.bind();
    this.dataset.state = "closed";
  }

  t(key, values = {}) {
    const text = (TryOnWidget.messages[this.language] || {})[key] ?? MESSAGES.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");
  }

  $(selector) {
    return this.shadowRoot.querySelector(selector);
  }

  markup() {
    const t = (key, values) => escape(this.t(key, values));
    const steps = STEPS.map((step, index) => `<li data-step="${step}">
      <span class="visually-hidden">${t("stepOf", {n: index + 1, total: STEPS.length})}: </span>
      ${t("step" + step[0].toUpperCase() + step.slice(1))}</li>`).join("");
    const photoField = (name, required) => `<fieldset part="photo-${name}">
      <legend>${t(name)}</legend>
      <div class="pick">
        <button type="button" data-upload="${name}">${t("upload")}</button>
        <button type="button" data-camera="${name}">${t("camera")}</button>
      </div>
      <input class="visually-hidden" type="file" name="${name}" accept="image/*" tabindex="-1"
        aria-label="${t(name)}: ${t("upload")}" ${required ? "required" : ""}>
      <input class="visually-hidden" type="file" name="${name}-capture" accept="image/*"
        capture="environment" tabindex="-1" aria-label="${t(name)}: ${t("camera")}">
      <p class="check" data-check="${name}" role="status"></p></fieldset>`;
    return `
      <button part="launch" class="primary launch" type="button">${t("launch")}</button>
      <dialog part="dialog" aria-labelledby="title">
        <header><h2 id="title">${t("title")}</h2>
          <button class="close" type="button" aria-label="${t("close")}">×</button></header>
        <ol class="progress-steps" aria-label="${t("steps")}">${steps}</ol>
        <section part="step" data-step="how" aria-labelledby="how-title">
          <h3 id="how-title" tabindex="-1">${t("howTitle")}</h3>
          <div class="how"><figure role="img" aria-label="${t("figure")}">${FIGURE}</figure>
            <ul>${["tipStand", "tipWhole", "tipAlone", "tipFitted", "tipSide"]
              .map((tip) => `<li>${t(tip)}</li>`).join("")}</ul></div>
          <div class="actions"><button class="primary" type="button" data-go="photo">
            ${t("next")}</button></div>
        </section>
        <section part="step" data-step="photo" aria-labelledby="photo-title" hidden>
          <h3 id="photo-title" tabindex="-1">${t("photoTitle")}</h3>
          <form novalidate>
            ${photoField("front", true)}${photoField("side", false)}
            <div class="camera" hidden><video playsinline muted aria-label="${t("cameraView")}">
              </video><div class="actions"><button type="button" data-snap>${t("snap")}</button>
              <button type="button" data-uncamera>${t("cancel")}</button></div></div>
            <div class="height"><label for="height">${t("height")}</label>
              <input id="height" name="height_cm" type="number" inputmode="decimal"
                min="${HEIGHT_CM[0]}" max="${HEIGHT_CM[1]}" step="0.5" required
                aria-describedby="height-hint"> <span aria-hidden="true">${t("cm")}</span>
              <p class="hint" id="height-hint">${t("heightHint",
                {low: HEIGHT_CM[0], high: HEIGHT_CM[1]})}</p></div>
            <p class="privacy">${t("privacy")}</p>
            <p class="error" role="alert" data-form-error></p>
            <div class="actions"><button type="button" data-go="how">${t("back")}</button>
              <button class="primary" type="submit">${t("submit")}</button></div>
          </form>
        </section>
        <section part="step" data-step="fitting" class="fitting" aria-labelledby="fitting-title"
          hidden>
          <h3 id="fitting-title" tabindex="-1">${t("fittingTitle")}</h3>
          <p part="status" role="status" aria-live="polite"></p>
          <progress part="progress" max="1" value="0" aria-labelledby="fitting-title"></progress>
          <img part="preview" alt="" hidden>
        </section>
        <section part="step" data-step="result" aria-labelledby="result-title" hidden>
          <h3 id="result-title" tabindex="-1">${t("resultTitle")}</h3>
          <div class="result">
            <div class="stage">
              <model-viewer part="model" camera-controls touch-action="pan-y"
                shadow-intensity="0.5" interaction-prompt="none"></model-viewer>
              <button class="fitmap-toggle" type="button" aria-pressed="false"
                part="fitmap">${t("fitMap")}</button>
              <p class="legend" hidden role="img" aria-label="${t("legend")}: ${t("legendClose")}
                – ${t("legendLoose")}"><span aria-hidden="true">${t("legendClose")}</span>
                <span class="bar"></span><span aria-hidden="true">${t("legendLoose")}</span></p>
              <div part="motions" class="motions" role="group" aria-label="${t("motions")}">
                ${MOTIONS.map(([name, key]) => `<button type="button" data-motion="${name}"
                  aria-pressed="false">${t(key)}</button>`).join("")}</div>
              <p part="no-picture" hidden></p>
            </div>
            <div>
              <div part="advice" class="advice" aria-live="polite"></div>
              <div part="sizes" class="sizes" role="group" aria-label="${t("sizes")}"></div>
              <div part="renders" class="renders"></div>
              <div part="outfit" class="outfit" hidden><h4>${t("outfit")}</h4><ul></ul></div>
              <div part="share" class="share"><button type="button" data-share>${t("share")}
                </button><div hidden><p></p><label class="visually-hidden" for="link">
                ${t("link")}</label><input id="link" readonly><button type="button" data-copy>
                ${t("copy")}</button> <span role="status"></span></div></div>
              <p part="message" class="error" role="alert"></p>
            </div>
            <div part="look" class="look wide"><h4>${t("lookTitle")}</h4><ul></ul></div>
          </div>
        </section>
      </dialog>`;
  }

  bind() {
    const dialog = this.$("dialog");
    this.$(".launch").addEventListener("click", () => {
      dialog.showModal();
      this.show(this.dataset.state === "closed" ? "how" : this.step);
    });
    this.$(".close").addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => this.stopCamera());
    this.shadowRoot.querySelectorAll("[data-go]").forEach((button) =>
      button.addEventListener("click", () => this.show(button.dataset.go)));
    for (const name of ["front", "side"]) {
      const upload = this.$(`input[name=${name}]`);
      this.$(`[data-upload=${name}]`).addEventListener("click", () => upload.click());
      upload.addEventListener("change", () => this.checkPhoto(name, upload.files[0]));
      const capture = this.$(`input[name=${name}-capture]`);
      capture.addEventListener("change", () => this.checkPhoto(name, capture.files[0]));
      this.$(`[data-camera=${name}]`).addEventListener("click", () => this.startCamera(name));
    }
    this.$("[data-snap]").addEventListener("click", () => this.snap());
    this.$("[data-uncamera]").addEventListener("click", () => this.stopCamera());
    this.$("form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.start().catch((error) => this.fail(error));
    });
    this.$("[part=fitmap]").addEventListener("click", () => this.toggleFitMap());
    this.shadowRoot.querySelectorAll("[data-motion]").forEach((button) =>
      button.addEventListener("click", () =>
        this.playMotion(button.dataset.motion).catch((error) => this.fail(error))));
    this.$("[data-share]").addEventListener("click", () =>
      this.share().catch((error) => this.fail(error)));
    this.$("[data-copy]").addEventListener("click", async () => {
      await navigator.clipboard.writeText(this.$("#link").value).catch(() => {});
      this.$(".share [role=status]").textContent = this.t("copied");
    });
  }

  // Shows one step, marks it in the step list and moves the focus to its heading.
  show(step) {
    this.step = step;
    for (const section of this.shadowRoot.querySelectorAll("section[data-step]")) {
      section.hidden = section.dataset.step !== step;
    }
    for (const item of this.shadowRoot.querySelectorAll(".progress-steps li")) {
      if (item.dataset.step === step) item.setAttribute("aria-current", "step");
      else item.removeAttribute("aria-current");
    }
    this.dataset.step = step;
    this.$(`section[data-step=${step}] h3`).focus();
  }

  async call(path, options = {}) {
    const headers = {Authorization: `Bearer ${this.getAttribute("key")}`,
                     "Accept-Language": this.language, ...options.headers};
    const answer = await fetch(this.api + path, {...options, headers});
    if (!answer.ok) {
      const body = await answer.json().catch(() => ({}));
      throw new Error(body.error ? body.error.message : `${answer.status} ${answer.statusText}`);
    }
    return answer;
  }

  // The API checks each photo as soon as it is chosen: one person, whole body.
  async checkPhoto(name, file) {
    const note = this.$(`[data-check=${name}]`);
    delete this.photos[name];
    if (!file) return;
    note.dataset.ok = "";
    note.textContent = this.t("checking");
    const form = new FormData();
    form.append("photo", file);
    form.append("view", name);
    try {
      await this.call("/v1/photo-checks", {method: "POST", body: form});
      this.photos[name] = file;
      note.dataset.ok = "yes";
      note.textContent = this.t("photoOk");
    } catch (error) {
      note.dataset.ok = "no";
      note.textContent = this.t("photoBad", {reason: error.message});
    }
    for (const input of this.shadowRoot.querySelectorAll(`input[name^=${name}]`)) input.value = "";
  }

  // Mobile: the file input's own camera; desktop: the camera in the dialog.
  async startCamera(name) {
    if (matchMedia("(pointer: coarse)").matches || !navigator.mediaDevices) {
      return this.$(`input[name=${name}-capture]`).click();
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "user"}});
    } catch {
      this.$(`[data-check=${name}]`).textContent = this.t("noCamera");
      return;
    }
    this.cameraFor = name;
    const video = this.$("video");
    video.srcObject = this.stream;
    this.$(".camera").hidden = false;
    await video.play();
    this.$("[data-snap]").focus();
  }

  snap() {
    const video = this.$("video");
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    const name = this.cameraFor;
    canvas.toBlob((blob) => {
      this.checkPhoto(name, new File([blob], `${name}.jpg`, {type: "image/jpeg"}));
    }, "image/jpeg", 0.92);
    this.stopCamera();
    this.$(`[data-camera=${name}]`).focus();
  }

  stopCamera() {
    if (this.stream) this.stream.getTracks().forEach((track) => track.stop());
    this.stream = null;
    this.$(".camera").hidden = true;
  }

  // Measures the shopper from the checked photos, then tries the product on.
  async start() {
    const error = this.$("[data-form-error]");
    const height = this.$("#height");
    error.textContent = "";
    if (!this.photos.front) {
      error.textContent = this.t("needFront");
      return this.$("[data-upload=front]").focus();
    }
    if (!height.checkValidity() || !height.value) {
      error.textContent = this.t("needHeight");
      return height.focus();
    }
    const form = new FormData();
    for (const [name, file] of Object.entries(this.photos)) form.append(name, file);
    form.append("height_cm", height.value);
    this.show("fitting");
    this.dataset.state = "working";
    this.say(this.t("measuring"), 0);
    let avatar = await (await this.call("/v1/avatars", {method: "POST", body: form})).json();
    this.photos = {};  // the photos leave the page
    while (avatar.state === "fitting") {  // the fit runs off the request: poll it
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      avatar = await (await this.call(`/v1/avatars/${avatar.id}`)).json();
    }
    if (avatar.state === "failed") throw new Error(avatar.error.message);
    this.avatar = avatar.id;
    this.$("form").reset();
    for (const note of this.shadowRoot.querySelectorAll(".check")) note.textContent = "";
    const garments = (await (await this.call("/v1/garments")).json()).garments;
    this.catalog = Object.fromEntries(garments.map((garment) => [garment.id, garment]));
    this.product = this.catalog[this.getAttribute("garment")];
    this.outfit = [{garment: this.product.id, size: "advise"}];
    await this.tryOn();
  }

  say(text, progress) {
    this.$("[part=status]").textContent = text;
    this.$("[part=progress]").value = progress;
  }

  // One try-on of the outfit (one garment: with size advice unless a size is asked for).
  async tryOn() {
    this.show("fitting");
    this.dataset.state = "working";
    this.say(this.t("sewing"), 0);
    const body = this.outfit.length > 1 ? {avatar: this.avatar, garments: this.outfit}
      : {avatar: this.avatar, garment: this.outfit[0].garment, size: this.outfit[0].size};
    let tryon = await (await this.call("/v1/tryons", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify(body)})).json();
    const preview = this.$("[part=preview]");
    preview.src = await this.fileUrl(tryon.files["preview.png"]);
    preview.hidden = false;
    this.logEvent("tryon", tryon.garment);
    while (tryon.state === "queued" || tryon.state === "running") {
      const percent = this.percent(tryon.progress);
      this.say(this.t(tryon.progress < 0.6 ? "draping" : "rendering", {percent}),
               tryon.progress);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      tryon = await (await this.call(`/v1/tryons/${tryon.id}`)).json();
    }
    if (tryon.state !== "done") throw new Error(this.t("failed", {reason: tryon.error || ""}));
    this.tryon = tryon;
    if (tryon.outfit) {
      this.outfit = tryon.outfit.map(({garment, size}) => ({garment, size}));
    } else {
      this.outfit = [{garment: tryon.garment, size: tryon.size}];
    }
    if (this.productAlone()) {
      if (tryon.advice) this.advice = tryon.advice;
      for (const entry of tryon.sizes) this.draped[base(entry.size)] = entry;
    }
    this.show("result");
    await this.showResult(tryon.sizes.find((entry) => entry.size === tryon.size));
    await this.showLook();
    this.dataset.state = "done";
  }

  // The result of one size draped: model, renders, advice, sizes, outfit.
  async showResult(entry) {
    const shown = this.catalog[this.tryon.garment];
    this.shown = entry;
    const named = {garment: shown.name, size: entry.size};
    const model = this.$("[part=model]");
    const note = this.$("[part=no-picture]");
    const renders = this.$("[part=renders]");
    renders.innerHTML = "";
    note.hidden = !entry.no_picture;
    note.textContent = entry.no_picture ? this.t("noPicture") : "";
    model.hidden = this.$("[part=fitmap]").hidden = this.$("[part=motions]").hidden =
      Boolean(entry.no_picture);
    if (!entry.no_picture) {
      model.alt = this.t("model", named);
      this.setFitMap(false);
      for (const [file, key] of [["front.png", "fromFront"], ["back.png", "fromBack"]]) {
        const image = document.createElement("img");
        image.alt = this.t(key, named);
        image.src = await this.fileUrl(entry.files[file]);
        renders.append(image);
      }
    }
    this.$(".share > div").hidden = true;
    this.showAdvice(entry);
    this.showSizes(entry.size);
    this.showOutfit();
    this.$("[part=message]").textContent = "";
    this.dataset.shown = entry.size;
  }

  // Worn alone, the product has its sizes and advice; in an outfit each garment has a size.
  productAlone() {
    return this.outfit.length === 1 && this.outfit[0].garment === this.product.id;
  }

  showAdvice(entry) {
    const alone = this.productAlone();
    const advised = alone && this.advice && base(this.advice.size) === base(entry.size);
    const worn = this.outfit.map((w) => `${this.catalog[w.garment].name} ${w.size}`);
    const lines = [`<p class="headline">${escape(advised
      ? this.t("recommend", {size: entry.size}) : alone || worn.length === 1
        ? this.t("showing", {size: entry.size}) : worn.join(" + "))}</p>`];
    if (alone) {
      for (const other of Object.values(this.draped)) {
        if (other.size === entry.size) continue;
        for (const verdict of ["tight", "loose"]) {
          const regions = Object.entries(other.fit.regions)
            .filter(([, judged]) => judged.verdict === verdict).map(([region]) => this.t(region));
          if (regions.length) {
            lines.push(`<p>${escape(this.t(verdict + "At",
              {size: other.size, regions: regions.join(this.t("and"))}))}</p>`);
          }
        }
      }
      const span = this.advice && this.advice.span;
      if (span && span.straddles) {
        const [low, high] = span.interval_cm.map((cm) => this.number(cm));
        lines.push(`<p>${escape(this.t("between", {small: span.sizes[0], large: span.sizes[1],
          measurement: this.t(span.measurement.replace("_girth", "")), low, high}))}</p>`);
      }
    }
    const details = Object.entries(entry.fit.regions).map(([region, judged]) =>
      `<li>${escape(judged.verdict === "not covered"
        ? this.t("regionUncovered", {region: this.t(region)})
        : this.t("regionLine", {region: this.t(region), verdict: this.t(judged.verdict),
                               ease: this.cm(judged.ease_cm),
                               cut: this.cm(judged.cut_for_ease_cm)}))}</li>`).join("");
    this.$("[part=advice]").innerHTML = lines.join("") +
      `<details><summary>${escape(this.t("why"))}</summary><ul>${details}</ul></details>`;
  }

  showSizes(current) {
    const sizes = this.$("[part=sizes]");
    sizes.hidden = !this.productAlone();
    const advised = this.advice && base(this.advice.size);
    sizes.innerHTML = this.product.sizes.map((size) => `<button type="button" part="size"
      data-size="${size}" aria-pressed="${size === base(current)}">${size}${size === advised
        ? ` <small>${escape(this.t("advised"))}</small>` : ""}</button>`).join("");
    for (const button of sizes.querySelectorAll("button")) {
      button.addEventListener("click", () =>
        this.switchSize(button.dataset.size).catch((error) => this.fail(error)));
    }
  }

  // A size draped already shows at once; any other is a new try-on of that size.
  async switchSize(size) {
    const draped = this.draped[size];
    if (!draped) {
      this.outfit = [{garment: this.product.id, size}];
      return this.tryOn();
    }
    await this.showResult(draped);
    this.$(`[part=sizes] [data-size="${size}"]`).focus();
  }

  // The outfit's garments, each with its size to change and a button to take it off.
  showOutfit() {
    const box = this.$("[part=outfit]");
    box.hidden = this.productAlone();
    const list = box.querySelector("ul");
    list.innerHTML = "";
    this.outfit.forEach((worn, index) => {
      const garment = this.catalog[worn.garment];
      const item = document.createElement("li");
      const id = `outfit-${index}`;
      item.innerHTML = `<span id="${id}">${escape(garment.name)}</span>
        <select aria-label="${escape(this.t("sizeOf", {garment: garment.name}))}">${
          garment.sizes.map((size) => `<option ${size === base(worn.size) ? "selected" : ""}>${
            size}</option>`).join("")}</select>
        <button type="button" aria-label="${escape(this.t("remove", {garment: garment.name}))}"
          >×</button>`;
      item.querySelector("select").addEventListener("change", (event) => {
        this.outfit[index] = {garment: worn.garment, size: event.target.value};
        this.tryOn().catch((error) => this.fail(error));
      });
      item.querySelector("button").addEventListener("click", () => {
        this.outfit.splice(index, 1);
        this.tryOn().catch((error) => this.fail(error));
      });
      list.append(item);
    });
  }

  setFitMap(on) {
    this.markFitMap(on);
    this.markMotion(null);
    return this.showModel(on ? "fitmap.glb" : "draped.glb");
  }

  markFitMap(on) {
    this.$("[part=fitmap]").setAttribute("aria-pressed", String(on));
    this.$(".legend").hidden = !on;
  }

  markMotion(name) {
    this.shadowRoot.querySelectorAll("[data-motion]").forEach((button) =>
      button.setAttribute("aria-pressed", String(button.dataset.motion === name)));
  }

  // One of the shown size's models on the viewer, once loaded.
  async showModel(file) {
    const model = this.$("[part=model]");
    model.dataset.file = file;
    const url = await this.fileUrl(this.shown.files[file]);
    if (model.dataset.file !== file) return;  // another model was asked for meanwhile
    const loaded = new Promise((resolve) => model.addEventListener("load", resolve, {once: true}));
    model.src = url;
    await loaded;
  }

  // A motion of moving.glb (the drape skinned to the body), played by the viewer itself.
  async playMotion(name) {
    const model = this.$("[part=model]");
    this.markMotion(name);
    if (model.dataset.file !== "moving.glb") {
      this.markFitMap(false);
      await this.showModel("moving.glb");
    }
    model.animationName = name;
    model.play();
  }

  toggleFitMap() {
    const on = this.$("[part=fitmap]").getAttribute("aria-pressed") !== "true";
    this.setFitMap(on).catch((error) => this.fail(error));
  }

  async share() {
    const link = await (await this.call(`/v1/tryons/${this.tryon.id}/share`, {
      method: "POST", headers: {"Content-Type": "application/json"}, body: "{}"})).json();
    const box = this.$(".share > div");
    const date = new Intl.DateTimeFormat(this.language, {dateStyle: "long"})
      .format(new Date(link.expires_at));
    box.querySelector("p").textContent = this.t("shared", {date});
    box.querySelector("input").value = link.url;
    box.hidden = false;
    box.querySelector("input").select();
    box.querySelector("input").focus();
  }

  // "Complete the look": recommended garments as cards, those worn where the outfit has
  // nothing yet first; one tap adds a garment to the outfit (in place of one worn there).
  async showLook() {
    const answer = await (await this.call(
      `/v1/recommendations?shopper=${this.shopper}&avatar=${this.avatar}&k=${LOOK_ASKED}`))
      .json();
    const worn = new Set(this.outfit.map((entry) => entry.garment));
    const completes = (garment) => !worn.has(garment.id) && !this.outfit.some((entry) =>
      clashes(this.catalog[entry.garment].category, garment.category));
    const garments = answer.items.map((row) => this.catalog[row.item]).filter(Boolean);
    const first = [];  // up to LOOK_PER_PLACE of each place the outfit leaves empty
    for (const garment of garments.filter(completes)) {
      if (first.filter((g) => g.category === garment.category).length < LOOK_PER_PLACE) {
        first.push(garment);
      }
    }
    const list = this.$("[part=look] ul");
    list.innerHTML = "";
    for (const garment of [...first, ...garments.filter((g) => !first.includes(g))]
      .slice(0, LOOK_SHOWN)) {
      const replaced = this.outfit.find((entry) =>
        clashes(this.catalog[entry.garment].category, garment.category));
      const card = document.createElement("li");
      card.className = "card";
      card.setAttribute("part", "card");
      card.dataset.item = garment.id;
      const price = garment.price ? new Intl.NumberFormat(this.language, {style: "currency",
        currency: garment.price.currency}).format(garment.price.amount) : "";
      const label = replaced && replaced.garment !== garment.id
        ? this.t("swapNamed", {garment: garment.name,
                               other: this.catalog[replaced.garment].name})
        : this.t("addNamed", {garment: garment.name});
      const id = `card-${garment.id}`;
      card.innerHTML = `<img alt="" src="">
        <span class="name" id="${id}">${escape(garment.name)}</span>
        <span>${escape(price)}</span>
        ${garment.url ? `<a href="${escape(garment.url)}" aria-describedby="${id}">${
          escape(this.t("view"))}</a>` : ""}
        <button type="button" title="${escape(label)}" aria-describedby="${id}" ${
          worn.has(garment.id) ? "disabled" : ""}>${
          escape(this.t(worn.has(garment.id) ? "inOutfit" : "add"))}</button>`;
      this.fileUrl(garment.images.picture).then((url) => { card.querySelector("img").src = url; })
        .catch(() => {});
      card.querySelector("button").addEventListener("click", () =>
        this.addToOutfit(garment).catch((error) => this.fail(error)));
      list.append(card);
    }
  }

  async addToOutfit(garment) {
    this.outfit = this.outfit.filter((entry) =>
      !clashes(this.catalog[entry.garment].category, garment.category));
    this.outfit.push({garment: garment.id, size: "advise"});
    this.logEvent("add_to_outfit", garment.id);
    await this.tryOn();
  }

  fail(error) {
    this.dataset.state = "failed";
    const text = this.t("error", {reason: error.message});
    if (this.step === "result") {
      this.$("[part=message]").textContent = text;
    } else {
      this.show("photo");
      this.$("[data-form-error]").textContent = text;
    }
  }

  async fileUrl(path) {
    return URL.createObjectURL(await (await this.call(path)).blob());
  }

  percent(fraction) {
    return new Intl.NumberFormat(this.language, {style: "percent"}).format(fraction);
  }

  number(value) {
    return new Intl.NumberFormat(this.language, {maximumFractionDigits: 1}).format(value);
  }

  cm(value) {
    return `${this.number(value)} ${this.t("cm")}`;
  }

  logEvent(type, item) {
    this.call("/v1/events", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({shopper: this.shopper, item, type, avatar: this.avatar})})
      .catch(() => {});
  }
}

// The language: the element's lang, the page's, or the browser's; the first known one whose
// tag or primary subtag matches ("zh" and "zh-Hans-CN" find "zh-CN"), else English.
function pickLanguage(element, known) {
  const wanted = [element.closest("[lang]")?.lang, ...navigator.languages].filter(Boolean);
  for (const tag of wanted) {
    const exact = known.find((lang) => lang.toLowerCase() === tag.toLowerCase());
    const primary = known.find((lang) => lang.split("-")[0] === tag.split("-")[0]);
    if (exact || primary) return exact || primary;
  }
  return "en";
}

// Two garments clash when both are worn in the same place (a dress takes top and bottom).
function clashes(a, b) {
  return a === b || (a === "full" && b !== "outer") || (b === "full" && a !== "outer");
}

function base(size) {  // "M-L30" -> "M"
  return size.split("-")[0];
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

customElements.define("tryon-widget", TryOnWidget);
