// Katalog UMKM: the phone form of the "Daftarkan Usaha" page (daftar/). The form's markup is
// generated from the entry schema (generator/core/phoneform.py): every control says where its value goes
// (data-jalur), how the browser checks it (required, pattern, maxlength, type) and the schema's
// Indonesian message for each way it can be wrong (data-pesan-*). This script knows no field by
// name. It keeps a draft on the phone, opens "Perbarui data" prefilled with the business's
// published data, and composes one message: readable Indonesian plus the data block
// `umkm dari-pesan` reads back (format: generator/intake/message.py). No server, no framework.
// The published data comes from two places: the public fields from usaha/<slug>/formulir.json, the
// page-only ones (phone numbers, email, owner, address, map point) from the business page itself,
// which shows them; no data file anyone could fetch for every business holds them.

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BLOCK_START = "[MULAI DATA KATALOG UMKM]";
const BLOCK_END = "[AKHIR DATA KATALOG UMKM]";
const LINE = 64;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const DRAFT = "umkm-formulir:";

const root = document.querySelector("[data-umkm-daftar]");
if (root) start(root);

function start(root) {
  const form = root.querySelector("[data-umkm-formulir]");
  const reportForm = root.querySelector("[data-umkm-laporan]");
  const params = new URLSearchParams(location.search);
  const slug = params.get("perbarui") || params.get("laporkan") || "";
  const ctx = {
    root,
    form,
    words: { dinas: form.dataset.dinas, situs: form.dataset.situs },
    mode: params.get("laporkan") && SLUG.test(slug) ? "laporkan" : params.get("perbarui") && SLUG.test(slug) ? "perbarui" : "daftar",
    slug: SLUG.test(slug) ? slug : "",
    base: {},
    name: "",
    counter: 0,
    text: "",
  };
  root.querySelectorAll("[data-hanya-js]").forEach((el) => (el.hidden = false));
  root.querySelectorAll("[data-tanpa-js]").forEach((el) => (el.hidden = true));
  form.querySelectorAll("[data-kelompok]").forEach((group) => wireGroup(ctx, group));
  wireChecks(form);
  if (reportForm) wireChecks(reportForm);
  form.addEventListener("input", () => saveDraft(ctx));
  form.addEventListener("change", () => saveDraft(ctx));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    compose(ctx);
  });
  if (reportForm)
    reportForm.addEventListener("submit", (event) => {
      event.preventDefault();
      composeReport(ctx, reportForm);
    });
  root.querySelector("[data-hapus-draf]")?.addEventListener("click", () => resetForm(ctx));
  root.querySelector("[data-salin]")?.addEventListener("click", () => copyText(ctx));
  prepare(ctx).catch(() => say(ctx, "Data usaha tidak dapat dimuat. Periksa sambungan internet, lalu muat ulang halaman ini."));
}

async function prepare(ctx) {
  const { root, form } = ctx;
  const reportForm = root.querySelector("[data-umkm-laporan]");
  const notes = [];
  if (ctx.mode !== "daftar") {
    const url = form.dataset.dataUrl.replace("__SLUG__", ctx.slug);
    const fromPage = ctx.mode === "perbarui" ? readPage(ctx) : null; // fetched alongside formulir.json
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) {
      notes.push(`Usaha '${ctx.slug}' tidak ditemukan di katalog. Formulir di bawah mendaftarkan usaha baru.`);
      ctx.mode = "daftar";
      ctx.slug = "";
    } else {
      ctx.base = await response.json();
      ctx.name = ctx.base.nama || ctx.slug;
      const shown = await fromPage;
      if (shown === null) notes.push(`${pageLabels(ctx)} tidak dapat dimuat dari halaman usaha: isi hanya bila berubah.`);
      ctx.shown = (shown || []).filter(([path]) => getPath(ctx.base, path) === undefined);
      ctx.shown.forEach(([path, value]) => setPath(ctx.base, path, value));
    }
  }
  const heading = root.querySelector("[data-judul-formulir]");
  if (ctx.mode === "laporkan") {
    heading.textContent = `Laporkan kesalahan data: ${ctx.name}`;
    form.hidden = true;
    reportForm.hidden = false;
    return;
  }
  if (ctx.mode === "perbarui") {
    heading.textContent = `Perbarui data: ${ctx.name}`;
    root.querySelector("[data-petunjuk-perbarui]").hidden = false;
    writeState(ctx, ctx.base, true);
  }
  const draft = loadDraft(ctx);
  if (draft) {
    keepShown(ctx, draft);
    writeState(ctx, draft, false);
    notes.push("Draf yang tersimpan di ponsel ini dipulihkan.");
  }
  refreshChecks(form);
  if (notes.length) say(ctx, notes.join(" "));
}

// --- page-only fields, read from the business page -----------------------------------------------

// The page-only fields the form names (data-dari-halaman) as the business page shows them, in the
// elements its templates mark (data-formulir): [[path, value], ...], or null when the page could
// not be read. DOMParser runs none of the page's scripts. A field the page does not show stays empty.
async function readPage(ctx) {
  const wanted = new Set((ctx.form.dataset.dariHalaman || "").split(" ").filter(Boolean));
  try {
    const response = await fetch(ctx.form.dataset.halamanUrl.replace("__SLUG__", ctx.slug), { credentials: "same-origin" });
    if (!response.ok) return null;
    // Its style attributes (photo placeholder colours) go first: parsed here they would break this
    // page's policy (style-src-attr 'none'), which the browser reports as an error, though nothing runs.
    const html = (await response.text()).replace(/\sstyle="[^"]*"/g, "");
    const page = new DOMParser().parseFromString(html, "text/html");
    return [...page.querySelectorAll("[data-formulir]")]
      .filter((el) => wanted.has(el.dataset.formulir))
      .map((el) => [el.dataset.formulir.split("."), shownValue(el)])
      .filter(([, value]) => value);
  } catch (error) {
    return null;
  }
}

// A value as the owner writes it, from what the page shows: the number of a wa.me or tel: link
// (0812…, as core/phoneform.py writes numbers), a mailto: address, the point of a geo: link, else the text.
function shownValue(el) {
  const href = el.getAttribute("href") || "";
  let m;
  if ((m = href.match(/^(?:https:\/\/wa\.me\/|tel:\+)(\d+)/))) return m[1].startsWith("62") ? "0" + m[1].slice(2) : "+" + m[1];
  if ((m = href.match(/^mailto:([^?]+)/))) return decodeURIComponent(m[1]);
  if ((m = href.match(/^geo:(-?[\d.]+),(-?[\d.]+)/))) return `${m[1]}, ${m[2]}`;
  return href ? "" : el.textContent.trim();
}

// A draft saved while the business page could not be read (or before the form read it) never saw
// its page-only values: there an empty field means "not known", not "remove it", so the page's value
// fills it. What the owner typed there stays.
function keepShown(ctx, draft) {
  const seen = new Set(draft.__halaman || []);
  for (const [path, value] of ctx.shown || []) if (!seen.has(path.join(".")) && isEmpty(getPath(draft, path))) setPath(draft, path, value);
}

function pageLabels(ctx) {
  const names = (ctx.form.dataset.dariHalaman || "").split(" ").filter(Boolean);
  return names.map((name) => labelOf(ctx.form.querySelector(`[data-jalur="${name}"]`))).join(", ");
}

// --- checks: the browser's own, in the schema's words ------------------------------------------

function wireChecks(form) {
  form.addEventListener("input", (event) => check(event.target));
  form.addEventListener("change", (event) => check(event.target));
  refreshChecks(form);
}

function refreshChecks(form) {
  form.querySelectorAll("input, select, textarea").forEach(check);
}

// The native checks decide; the message is the schema's, set as the custom message of the failing state.
function check(el) {
  if (!el.setCustomValidity) return;
  el.setCustomValidity("");
  const d = el.dataset;
  const v = el.validity;
  let message = "";
  if (v.valueMissing) message = d.pesanWajib;
  else if (v.patternMismatch || v.typeMismatch || v.badInput) message = d.pesanPola;
  else if (v.tooLong) message = d.pesanPanjang;
  else if (d.pilihan && el.value.trim() && !choices(el).has(fold(el.value))) message = d.pesanPilihan;
  else if (d.barisMaks && !linesFit(el)) message = d.pesanBaris;
  if (message) el.setCustomValidity(message);
}

function choices(el) {
  if (!el._choices) el._choices = new Set([...document.getElementById(el.getAttribute("list")).options].map((o) => fold(o.value)));
  return el._choices;
}

function fold(text) {
  return text.trim().toLowerCase().replace(/[\s-]+/g, "");
}

function linesFit(el) {
  const lines = splitLines(el.value);
  return lines.length <= +el.dataset.barisMaks && lines.every((line) => line.length <= +el.dataset.panjangMaks);
}

function splitLines(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean);
}

// --- repeatable groups ----------------------------------------------------------------------------

function wireGroup(ctx, group) {
  group.querySelector("[data-tambah]").addEventListener("click", () => {
    const item = addItem(ctx, group);
    item.querySelector("input, select, textarea")?.focus();
    say(ctx, `${group.dataset.label} ${items(group).length} ditambahkan.`);
    saveDraft(ctx);
  });
  group.addEventListener("click", (event) => {
    const button = event.target.closest("[data-hapus]");
    if (!button) return;
    button.closest("[data-butir]").remove();
    renumber(group);
    group.querySelector("[data-tambah]").focus();
    say(ctx, `${group.dataset.label} dihapus.`);
    saveDraft(ctx);
  });
}

function items(group) {
  return [...group.querySelector("[data-butir-daftar]").children];
}

function addItem(ctx, group) {
  const item = group.querySelector("template").content.firstElementChild.cloneNode(true);
  const number = ++ctx.counter;
  item.querySelectorAll("[id], [for], [aria-describedby], [list]").forEach((el) => {
    for (const name of ["id", "for", "aria-describedby", "list"])
      if (el.hasAttribute(name)) el.setAttribute(name, el.getAttribute(name).replaceAll("__", number));
  });
  group.querySelector("[data-butir-daftar]").append(item);
  renumber(group);
  item.querySelectorAll("input, select, textarea").forEach(check);
  return item;
}

function renumber(group) {
  const all = items(group);
  all.forEach((item, i) => item.querySelectorAll("[data-nomor]").forEach((el) => (el.textContent = i + 1)));
  group.querySelector("[data-tambah]").disabled = all.length >= +group.dataset.maks;
}

// --- the form's state: the entry's shape, text values ------------------------------------------

function controls(scope) {
  return [...scope.querySelectorAll("[data-jalur]")].filter((el) => el.type !== "file");
}

function topControls(form) {
  return controls(form).filter((el) => !el.closest("[data-butir]"));
}

function valueOf(el) {
  return el.dataset.barisMaks ? splitLines(el.value) : el.value.trim();
}

function isEmpty(value) {
  return value === undefined || value === "" || (Array.isArray(value) && !value.length);
}

function readState(ctx) {
  const state = {};
  for (const el of topControls(ctx.form)) {
    const value = valueOf(el);
    if (!isEmpty(value)) setPath(state, el.dataset.jalur.split("."), value);
  }
  for (const group of ctx.form.querySelectorAll("[data-kelompok]")) {
    const list = [];
    for (const item of items(group)) {
      const record = {};
      for (const el of controls(item)) {
        const value = valueOf(el);
        if (!isEmpty(value)) record[el.dataset.jalur] = value;
      }
      if (Object.keys(record).length || item.dataset.asal) list.push({ ...record, ...(item.dataset.asal ? { __asal: item.dataset.asal } : {}) });
    }
    if (list.length) state[group.dataset.kelompok] = list;
  }
  return state;
}

function writeState(ctx, state, original) {
  for (const el of topControls(ctx.form)) {
    const value = getPath(state, el.dataset.jalur.split("."));
    el.value = Array.isArray(value) ? value.join("\n") : value || "";
  }
  for (const group of ctx.form.querySelectorAll("[data-kelompok]")) {
    items(group).forEach((item) => item.remove());
    for (const record of state[group.dataset.kelompok] || []) {
      const item = addItem(ctx, group);
      for (const el of controls(item)) {
        const value = record[el.dataset.jalur];
        el.value = Array.isArray(value) ? value.join("\n") : value || "";
      }
      const origin = original ? record[group.dataset.kunci] : record.__asal;
      if (origin) item.dataset.asal = origin;
    }
    renumber(group);
  }
  refreshChecks(ctx.form);
}

function getPath(data, path) {
  return path.reduce((node, key) => (node && typeof node === "object" ? node[key] : undefined), data);
}

function setPath(data, path, value) {
  let node = data;
  path.slice(0, -1).forEach((key) => (node = node[key] = node[key] || {}));
  node[path[path.length - 1]] = value;
}

// --- draft ------------------------------------------------------------------------------------------

function draftKey(ctx) {
  return DRAFT + ctx.mode + (ctx.slug ? ":" + ctx.slug : "");
}

// Saved at every change, not later: a phone may close the tab the moment after a keystroke.
function saveDraft(ctx) {
  if (ctx.mode === "laporkan") return;
  try {
    const state = readState(ctx);
    state.__setuju = [...ctx.form.querySelectorAll("[data-setuju]")].filter((box) => box.checked).map((box) => box.dataset.setuju);
    state.__halaman = (ctx.shown || []).map(([path]) => path.join("."));
    localStorage.setItem(draftKey(ctx), JSON.stringify(state));
  } catch (error) {
    /* storage full or disabled: the form still works, without a draft */
  }
}

function loadDraft(ctx) {
  try {
    const draft = JSON.parse(localStorage.getItem(draftKey(ctx)) || "null");
    if (draft) ctx.form.querySelectorAll("[data-setuju]").forEach((box) => (box.checked = (draft.__setuju || []).includes(box.dataset.setuju)));
    return draft;
  } catch (error) {
    return null;
  }
}

function resetForm(ctx) {
  try {
    localStorage.removeItem(draftKey(ctx));
  } catch (error) {
    /* nothing stored */
  }
  ctx.form.reset();
  writeState(ctx, ctx.mode === "perbarui" ? ctx.base : {}, true);
  ctx.root.querySelector("[data-hasil]").hidden = true;
  say(ctx, "Draf dihapus; formulir kembali seperti semula.");
}

// --- composing the message ----------------------------------------------------------------------

function labelOf(el) {
  return el.dataset.label;
}

function shown(el, value) {
  if (el.tagName === "SELECT") return [...el.options].find((o) => o.value === value)?.textContent.trim() || value;
  return Array.isArray(value) ? value.join(", ") : value;
}

// What changed from `base` (the published data, or nothing for a new business), in the schema's
// paths: [[path, value], ...]. A list item is picked by its first field as it was before ([key,
// value]); its changed fields travel together ({field: value}, the key last), null removes it.
// `lines` say the same for a person; `brief` leaves long texts to the data block.
function changes(ctx, base, state, brief) {
  const ops = [];
  const lines = [];
  const say = (el, value) => (isEmpty(value) ? "(dihapus)" : brief && isLong(el) ? "(diubah, lihat bagian data)" : shown(el, value));
  for (const el of topControls(ctx.form)) {
    const path = el.dataset.jalur.split(".");
    const before = getPath(base, path);
    const after = getPath(state, path);
    if (same(before, after)) continue;
    ops.push([path, isEmpty(after) ? null : after]);
    lines.push(`${labelOf(el)}: ${say(el, after)}`);
  }
  for (const group of ctx.form.querySelectorAll("[data-kelompok]")) {
    const name = group.dataset.kelompok;
    const key = group.dataset.kunci;
    const now = state[name] || [];
    const template = group.querySelector("template").content;
    const control = (field) => template.querySelector(`[data-jalur="${field}"]`);
    const before = base[name] || [];
    const kept = now.filter((record) => !isEmpty(record[key])); // an item whose first field was emptied is removed
    for (const old of before) {
      if (!kept.some((record) => record.__asal === old[key])) {
        ops.push([[name, [key, old[key]]], null]);
        lines.push(`${group.dataset.label} «${shown(control(key), old[key])}»: dihapus`);
      }
    }
    const fields = [...template.querySelectorAll("[data-jalur]")].filter((el) => el.type !== "file").map((el) => el.dataset.jalur);
    kept.forEach((record) => {
      const old = before.find((b) => record.__asal !== undefined && b[key] === record.__asal) || {};
      const handle = record.__asal !== undefined ? record.__asal : record[key];
      const changed = {};
      const said = [];
      for (const field of [...fields.filter((f) => f !== key), key]) {
        if (same(old[field], record[field])) continue;
        changed[field] = isEmpty(record[field]) ? null : record[field];
        if (field !== key || record.__asal !== undefined) said.push(`${labelOf(control(field))}: ${say(control(field), record[field])}`);
      }
      if (!Object.keys(changed).length) return;
      ops.push([[name, [key, handle]], changed]);
      const title = `${group.dataset.label} «${shown(control(key), record[key])}»`;
      lines.push(record.__asal === undefined ? `${title} (baru)${said.length ? ": " + said.join("; ") : ""}` : `${title}: ${said.join("; ")}`);
    });
  }
  return { ops, lines };
}

// Free text and lists of text: what a brief message leaves to the data block.
function isLong(el) {
  return el.tagName === "TEXTAREA";
}

function same(a, b) {
  return JSON.stringify(isEmpty(a) ? "" : a) === JSON.stringify(isEmpty(b) ? "" : b);
}

function readPhotos(ctx, state) {
  const photos = [];
  const top = [...ctx.form.querySelectorAll('input[type="file"][data-jalur]')].find((el) => !el.closest("[data-butir]"));
  if (top && top.files.length) photos.push({ ke: [top.dataset.jalur], nama: [...top.files].map((f) => f.name), label: labelOf(top) });
  for (const group of ctx.form.querySelectorAll("[data-kelompok]")) {
    const key = group.dataset.kunci;
    for (const item of items(group)) {
      const input = item.querySelector('input[type="file"]');
      const record = readRecord(item);
      if (!input || !input.files.length || !record[key]) continue;
      const handle = item.dataset.asal || record[key];
      photos.push({ ke: [group.dataset.kelompok, [key, handle], input.dataset.jalur], nama: [...input.files].map((f) => f.name), label: `${group.dataset.label} «${record[key]}»` });
    }
  }
  return photos;
}

function readRecord(item) {
  return Object.fromEntries(controls(item).map((el) => [el.dataset.jalur, valueOf(el)]));
}

function describeNew(ctx, state, brief) {
  const lines = [];
  const say = (el, value) => (brief && isLong(el) ? "(lihat bagian data)" : shown(el, value));
  for (const el of topControls(ctx.form)) {
    const value = getPath(state, el.dataset.jalur.split("."));
    if (!isEmpty(value) && el.dataset.jalur !== "cerita") lines.push(`${labelOf(el)}: ${say(el, value)}`);
  }
  for (const group of ctx.form.querySelectorAll("[data-kelompok]")) {
    const records = state[group.dataset.kelompok] || [];
    if (!records.length) continue;
    const template = group.querySelector("template").content;
    lines.push("", `${group.dataset.label}:`);
    records.forEach((record, i) => {
      const parts = [...template.querySelectorAll("[data-jalur]")]
        .filter((el) => el.type !== "file" && !isEmpty(record[el.dataset.jalur]) && !(brief && isLong(el)))
        .map((el) => (el.dataset.jalur === group.dataset.kunci ? shown(el, record[el.dataset.jalur]) : `${labelOf(el)}: ${shown(el, record[el.dataset.jalur])}`));
      lines.push(`${i + 1}) ${parts.join("; ")}`);
    });
  }
  return lines;
}

async function compose(ctx) {
  const { form } = ctx;
  const state = readState(ctx);
  const story = (state.cerita || "").trim();
  delete state.cerita;
  const base = { ...ctx.base };
  const storyBefore = (base.cerita || "").trim();
  delete base.cerita;
  const { ops } = changes(ctx, base, state, false);
  const photos = readPhotos(ctx, state);
  const consent = [...form.querySelectorAll("[data-setuju]")].filter((box) => box.checked).map((box) => +box.dataset.setuju);
  const storyChanged = story !== storyBefore;
  if (ctx.mode === "perbarui" && !ops.length && !storyChanged && !photos.length) {
    say(ctx, "Belum ada yang diubah. Ubah data yang salah atau sudah berubah, lalu susun pesan lagi.");
    return;
  }
  const payload = { v: 1, jenis: ctx.mode === "perbarui" ? "perbarui" : "daftar" };
  if (ctx.mode === "perbarui") payload.slug = ctx.slug;
  payload.ubah = ops;
  if (storyChanged) payload.cerita = story;
  if (photos.length) payload.foto = photos.map(({ ke, nama }) => ({ ke, nama }));
  payload.setuju = consent;
  payload.dibuat = new Date().toISOString().slice(0, 10);
  const block = await dataBlock(payload);
  // The whole message when the WhatsApp link can carry it; else long texts stay in the data block only.
  let text = readable(ctx, state, base, { story, storyChanged, photos }, false) + block;
  if (form.dataset.wa && waLink(form, text).length > +form.dataset.batas) text = readable(ctx, state, base, { story, storyChanged, photos }, true) + block;
  show(ctx, text, ctx.mode === "perbarui" ? `Perbarui data: ${ctx.name}` : `Daftar usaha: ${state.nama || ""}`);
}

function readable(ctx, state, base, { story, storyChanged, photos }, brief) {
  const { form, words } = ctx;
  const storyLabel = labelOf(form.querySelector('[data-jalur="cerita"]'));
  const text = [];
  if (ctx.mode === "perbarui") {
    text.push(`Halo ${words.dinas}, saya ingin memperbarui data usaha ${ctx.name} (${ctx.slug}) di ${words.situs}.`, "", "Yang diubah:");
    text.push(...changes(ctx, base, state, brief).lines.map((line) => `• ${line}`));
    if (storyChanged) text.push(`• ${storyLabel}: ${story ? (brief ? "diganti (lihat bagian data)" : "diganti (lihat di bawah)") : "(dihapus)"}`);
  } else {
    text.push(`Halo ${words.dinas}, saya ingin mendaftarkan usaha ke ${words.situs}.`, "", ...describeNew(ctx, state, brief));
    if (story && brief) text.push(`${storyLabel}: (lihat bagian data)`);
  }
  if (storyChanged && story && !brief) text.push("", `${storyLabel}:`, story);
  if (photos.length) {
    let number = 0;
    const listed = photos.map(({ nama, label }) => {
      const first = number + 1;
      number += nama.length;
      return `${first === number ? first : `${first}-${number}`}: ${label}`;
    });
    text.push("", `Foto: saya kirim ${number} foto di chat ini, urut: ${listed.join("; ")}.`);
  }
  text.push("", "Pernyataan yang saya centang:");
  form.querySelectorAll("[data-setuju]").forEach((box) => box.checked && text.push(`• ${box.dataset.teks}`));
  text.push("", "Bagian di bawah ini dibaca otomatis oleh petugas; mohon tidak diubah.", "");
  return text.join("\n");
}

function waLink(form, text) {
  return `https://wa.me/${form.dataset.wa}?text=${encodeURIComponent(text)}`;
}

function composeReport(ctx, reportForm) {
  const { words } = ctx;
  const text = [`Halo ${words.dinas}, saya ingin melaporkan kesalahan data usaha ${ctx.name} (${ctx.slug}) di ${words.situs}.`];
  for (const el of reportForm.querySelectorAll("textarea")) if (el.value.trim()) text.push("", `${el.dataset.label}:`, el.value.trim());
  show(ctx, text.join("\n"), `Laporan kesalahan: ${ctx.name}`);
}

async function dataBlock(payload) {
  const data = new TextEncoder().encode(JSON.stringify(payload));
  let body = data;
  let flags = 0;
  if (typeof CompressionStream === "function") {
    try {
      const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("deflate-raw"));
      body = new Uint8Array(await new Response(stream).arrayBuffer());
      flags = 1;
    } catch (error) {
      body = data;
    }
  }
  const crc = crc32(data);
  const frame = new Uint8Array(7 + body.length);
  frame.set([0x55, 1, flags, (crc >>> 24) & 255, (crc >>> 16) & 255, (crc >>> 8) & 255, crc & 255]);
  frame.set(body, 7);
  const letters = base32(frame);
  const lines = [];
  for (let i = 0; i < letters.length; i += LINE) lines.push(letters.slice(i, i + LINE));
  return [BLOCK_START, ...lines, BLOCK_END].join("\n");
}

function base32(bytes) {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

let crcTable;
function crc32(bytes) {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 255] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// --- sending --------------------------------------------------------------------------------------

function show(ctx, text, subject) {
  const { form, root } = ctx;
  ctx.text = text;
  const result = root.querySelector("[data-hasil]");
  result.querySelector("[data-pesan]").value = text;
  const wa = result.querySelector("[data-kirim-wa]");
  const long = result.querySelector("[data-terlalu-panjang]");
  if (form.dataset.wa) {
    const url = waLink(form, text);
    const fits = url.length <= +form.dataset.batas;
    wa.href = fits ? url : `https://wa.me/${form.dataset.wa}`;
    wa.hidden = false;
    long.hidden = fits;
  }
  const mail = result.querySelector("[data-kirim-email]");
  if (form.dataset.email) {
    mail.href = `mailto:${form.dataset.email}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(text.replace(/\n/g, "\r\n"))}`;
    mail.hidden = false;
  }
  result.hidden = false;
  result.querySelector("h2").focus();
}

function copyText(ctx) {
  const area = ctx.root.querySelector("[data-pesan]");
  const done = () => say(ctx, "Pesan disalin. Tempel di chat WhatsApp atau email ke Dinas.");
  const fallback = () => {
    area.select();
    document.execCommand("copy") ? done() : say(ctx, "Tidak dapat menyalin otomatis: tekan lama teks pesan, pilih semua, lalu Salin.");
  };
  if (navigator.clipboard) navigator.clipboard.writeText(ctx.text).then(done, fallback);
  else fallback();
}

function say(ctx, text) {
  const status = ctx.root.querySelector("[data-status]");
  status.textContent = "";
  setTimeout(() => (status.textContent = text), 50);
}
