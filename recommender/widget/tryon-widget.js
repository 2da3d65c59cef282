// <tryon-widget key="PUBLISHABLE KEY" garment="GARMENT ID" api="https://...">: photos + height in,
// the try-on out (preview, renders, a 3D model to rotate and zoom), sizes with the advice, and
// "complete the look" recommendations. Talks to the storefront API (/v1); photos go straight to
// POST /v1/avatars and are never kept in the page.
import "./model-viewer.min.js";

const POLL_MS = 1000;

class TryOnWidget extends HTMLElement {
  connectedCallback() {
    this.api = (this.getAttribute("api") || "").replace(/\/$/, "");
    this.shopper = localStorage.getItem("tryon-shopper") || crypto.randomUUID();
    localStorage.setItem("tryon-shopper", this.shopper);
    this.innerHTML = `
      <form part="form">
        <label>Front photo, whole body <input name="front" type="file" accept="image/*" required></label>
        <label>Side photo (optional) <input name="side" type="file" accept="image/*"></label>
        <label>Height (cm) <input name="height_cm" type="number" min="100" max="230" required></label>
        <button type="submit">Try it on</button>
      </form>
      <p part="status" role="status"></p>
      <progress part="progress" max="1" value="0" hidden></progress>
      <section part="result" hidden>
        <label>Size <select part="sizes"></select></label>
        <p part="advice"></p>
        <img part="preview" alt="preview" width="128">
        <div part="renders"></div>
        <model-viewer part="model" camera-controls touch-action="pan-y" shadow-intensity="0.5"
                      style="width: 320px; height: 420px" hidden></model-viewer>
        <h2>Complete the look</h2>
        <ul part="look"></ul>
      </section>`;
    this.find = (name) => this.querySelector(`[part="${name}"]`);
    this.find("form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.fitAvatar(new FormData(event.target)).catch((error) => this.say(error.message, true));
    });
    this.find("sizes").addEventListener("change", (event) =>
      this.switchSize(event.target.value).catch((error) => this.say(error.message, true)));
  }

  async call(path, options = {}) {
    const headers = {Authorization: `Bearer ${this.getAttribute("key")}`, ...options.headers};
    const answer = await fetch(this.api + path, {...options, headers});
    if (!answer.ok) {
      const body = await answer.json().catch(() => ({}));
      throw new Error(body.error ? body.error.message : `${answer.status} ${answer.statusText}`);
    }
    return answer;
  }

  say(text, isError = false) {
    const status = this.find("status");
    status.textContent = text;
    status.dataset.error = isError ? "yes" : "";
  }

  async fitAvatar(form) {
    if (!form.get("side") || !form.get("side").size) form.delete("side");
    this.say("Measuring you from your photo...");
    const avatar = await (await this.call("/v1/avatars", {method: "POST", body: form})).json();
    this.avatar = avatar.id;
    this.find("form").reset();  // the photos leave the page
    const garment = await (await this.call(`/v1/garments/${this.getAttribute("garment")}`)).json();
    this.sizes = garment.sizes;
    this.draped = {};  // by size ("M"): {size, fit, files} of its drape
    this.advice = null;
    await this.tryOn("advise");
  }

  async tryOn(size) {
    this.dataset.state = "working";
    this.say("Dressing your avatar...");
    const progress = this.find("progress");
    progress.hidden = false;
    progress.value = 0;
    let tryon = await (await this.call("/v1/tryons", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({avatar: this.avatar, garment: this.getAttribute("garment"), size})})).json();
    this.find("result").hidden = false;
    this.showSizes(tryon);
    this.find("preview").src = await this.fileUrl(tryon.files["preview.png"]);
    this.logEvent("tryon");
    while (tryon.state === "queued" || tryon.state === "running") {
      progress.value = tryon.progress;
      this.say(`Draping and rendering... ${Math.round(100 * tryon.progress)} %`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      tryon = await (await this.call(`/v1/tryons/${tryon.id}`)).json();
    }
    progress.hidden = true;
    if (tryon.state !== "done") throw new Error(`the try-on failed: ${tryon.error}`);
    for (const entry of tryon.sizes) this.draped[base(entry.size)] = entry;
    this.advice = tryon.advice || this.advice;
    this.showSizes(tryon);
    await this.showResult(this.draped[base(tryon.size)]);
    await this.showLook();
    this.say(`Size ${tryon.size}: ready`);
    this.dataset.state = "done";
  }

  // A size draped already shows at once; any other is a new try-on.
  async switchSize(size) {
    const draped = this.draped[size];
    if (!draped) return this.tryOn(size);
    await this.showResult(draped);
    this.say(`Size ${draped.size}: ready`);
  }

  showSizes(tryon) {
    const advice = this.advice ? this.advice.size : tryon.size_advised ? tryon.size : "";
    const advised = base(advice);
    const select = this.find("sizes");
    select.innerHTML = this.sizes.map((size) =>
      `<option value="${size}" ${size === base(tryon.size) ? "selected" : ""}>` +
      `${size}${size === advised ? " (advised)" : ""}</option>`).join("");
  }

  // A size whose drape failed is still judged, but shown without pictures: the reason instead.
  async showResult({size, fit, files, no_picture}) {
    const renders = this.find("renders");
    renders.innerHTML = "";
    const model = this.find("model");
    model.hidden = Boolean(no_picture);
    if (no_picture) {
      const note = document.createElement("p");
      note.setAttribute("part", "no-picture");
      note.textContent = no_picture;
      renders.append(note);
    } else {
      for (const name of ["front.png", "back.png"]) {
        const image = document.createElement("img");
        image.alt = name.replace(".png", "");
        image.src = await this.fileUrl(files[name]);
        renders.append(image);
      }
      model.src = await this.fileUrl(files["draped.glb"]);
    }
    const verdicts = Object.entries(fit.regions)
      .filter(([, judged]) => judged.verdict !== "not covered")
      .map(([region, judged]) => `${region}: ${judged.verdict}`);
    const advised = this.advice && base(this.advice.size) === base(size);
    this.find("advice").textContent = `${advised ? "Advised size" : "Size"} ${size}. ` +
      verdicts.join(", ") + (this.advice ? `. Advice: ${this.advice.reason}` : "");
  }

  async showLook() {
    const answer = await (await this.call(
      `/v1/recommendations?shopper=${this.shopper}&avatar=${this.avatar}&k=4`)).json();
    const garments = (await (await this.call("/v1/garments")).json()).garments;
    const names = Object.fromEntries(garments.map((g) => [g.id, g.name]));
    this.find("look").innerHTML = answer.items
      .filter((row) => row.item !== this.getAttribute("garment"))
      .map((row) => `<li data-item="${row.item}">${names[row.item]}</li>`).join("");
  }

  async fileUrl(path) {
    return URL.createObjectURL(await (await this.call(path)).blob());
  }

  logEvent(type) {
    this.call("/v1/events", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({shopper: this.shopper, item: this.getAttribute("garment"), type,
                            avatar: this.avatar})}).catch(() => {});
  }
}

function base(size) {  // "M-L30" -> "M"
  return size.split("-")[0];
}

customElements.define("tryon-widget", TryOnWidget);
