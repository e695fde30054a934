// Katalog UMKM: the "Cari Produk" page. Runs Pagefind (pagefind/pagefind.js, written by the
// build) over one record per business whose products are sections (generator/search.py).
// The state lives in the URL, in the same shape the page's plain GET form would produce:
//   ?q=keripik&kecamatan=Setu&sertifikasi=halal&urut=harga-naik
// Filters: values of one group are alternatives (any), groups combine (all). The count next to
// a value is how many results that value gives together with the other groups' filters.
// No framework, no inline script (the Content-Security-Policy forbids it), no innerHTML of data.

const PAGE_SIZE = 20;
const TYPING_DELAY_MS = 120;
const SORTS = {
  "harga-naik": { harga: "asc" },
  terbaru: { diperbarui: "desc" },
};

const app = document.querySelector("[data-umkm-cari]");
if (app) start(app);

async function start(app) {
  const form = app.querySelector("[data-cari-form]");
  const input = form.querySelector("#cari-q");
  const sortSelect = form.querySelector("#cari-urut");
  const panel = form.querySelector("[data-cari-panel]");
  const activeBadge = form.querySelector("[data-cari-active]");
  const status = app.querySelector("[data-cari-status]");
  const list = app.querySelector("[data-cari-results]");
  const more = app.querySelector("[data-cari-more]");
  const nojs = app.querySelector("[data-cari-nojs]");
  const boxes = [...form.querySelectorAll("input[type=checkbox]")];
  const groups = [...new Set(boxes.map((box) => box.name))];
  const root = new URL(app.dataset.root, location.href);
  const baseTitle = document.title;

  const pagefindOptions = { baseUrl: root.pathname, excerptLength: 24 };
  let pagefind;
  try {
    pagefind = await import(new URL("pagefind/pagefind.js", root).href);
    await pagefind.options(pagefindOptions);
    await pagefind.init();
  } catch (error) {
    nojs.querySelector("[data-cari-nojs-reason]").textContent = "Pencarian tidak dapat dimuat.";
    console.error("Pagefind:", error);
    return;
  }
  nojs.hidden = true;
  form.hidden = false;
  if (window.matchMedia("(min-width: 60em)").matches) panel.open = true;

  let run = 0; // the latest search; an older one that finishes late is dropped
  let shown = { results: [], next: 0, terms: [] };
  let counter = null; // a second Pagefind instance for the counts, made on first use
  let typingTimer = 0;

  // --- state <-> URL <-> form ------------------------------------------------------------
  function readUrl() {
    const params = new URLSearchParams(location.search);
    const state = { q: (params.get("q") || "").trim(), urut: params.get("urut") || "", filters: {} };
    if (!(state.urut in SORTS)) state.urut = "";
    for (const group of groups) {
      const allowed = new Set(boxes.filter((b) => b.name === group).map((b) => b.value));
      const values = params.getAll(group).filter((v) => allowed.has(v));
      if (values.length) state.filters[group] = [...new Set(values)];
    }
    return state;
  }

  function readForm() {
    const state = { q: input.value.trim(), urut: sortSelect.value, filters: {} };
    for (const box of boxes) {
      if (box.checked) (state.filters[box.name] ||= []).push(box.value);
    }
    return state;
  }

  function writeForm(state) {
    input.value = state.q;
    sortSelect.value = state.urut;
    for (const box of boxes) box.checked = (state.filters[box.name] || []).includes(box.value);
  }

  function toQuery(state) {
    const params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    for (const group of groups) for (const value of state.filters[group] || []) params.append(group, value);
    if (state.urut) params.set("urut", state.urut);
    const text = params.toString();
    return text ? `?${text}` : location.pathname;
  }

  function remember(state, push) {
    const url = toQuery(state);
    if (url === location.search || (url === location.pathname && !location.search)) return;
    if (push) history.pushState(null, "", url);
    else history.replaceState(null, "", url);
  }

  // --- searching ---------------------------------------------------------------------------
  function pagefindFilters(filters, without) {
    const out = {};
    for (const [group, values] of Object.entries(filters)) {
      if (group !== without && values.length) out[group] = { any: values };
    }
    return out;
  }

  function search(state) {
    const id = ++run;
    runSearch(id, state).catch((error) => {
      if (id !== run) return;
      console.error("Pagefind:", error);
      app.removeAttribute("aria-busy");
      status.textContent = "Pencarian gagal dimuat. Periksa sambungan internet lalu coba lagi.";
    });
  }

  async function runSearch(id, state) {
    const term = state.q || null;
    const options = { filters: pagefindFilters(state.filters), sort: SORTS[state.urut] || {} };
    app.setAttribute("aria-busy", "true");
    app.dataset.cari = "memuat"; // memuat → hasil (results shown) → siap (counts too); tests wait on it
    const first = () => {
      app.removeAttribute("aria-busy");
      app.dataset.cari = "hasil";
      performance.mark("cari:hasil");
    };
    if (!state.q && !Object.keys(state.filters).length && !state.urut) {
      // Nothing asked yet: listing all 10,000 businesses would cost a phone seconds for nothing.
      shown = { results: [], next: 0, terms: [] };
      list.replaceChildren();
      more.hidden = true;
      announce(state, null);
      document.title = baseTitle;
      first();
      await updateCounts(id, null, state);
      if (id === run) app.dataset.cari = "siap";
      return;
    }
    const response = await pagefind.search(term, options);
    if (id !== run || !response) return;
    shown = { results: response.results, next: 0, terms: words(state.q) };
    announce(state, response.results.length);
    document.title = state.q ? `${state.q} – ${baseTitle}` : baseTitle;
    await showMore(id, true, first);
    if (id !== run) return;
    await updateCounts(id, term, state);
    if (id === run) app.dataset.cari = "siap";
  }

  // Cards appear one by one as their data arrives (all fetched at once), so the first result
  // does not wait for the twentieth. A new search replaces the old cards only when it has one.
  async function showMore(id, fresh = false, onFirst = () => {}) {
    const batch = shown.results.slice(shown.next, shown.next + PAGE_SIZE);
    shown.next += batch.length;
    const pending = batch.map((r) => r.data());
    if (fresh && !pending.length) list.replaceChildren();
    for (const [i, promise] of pending.entries()) {
      const item = resultItem(await promise, shown.terms);
      if (id !== run) return;
      if (fresh && i === 0) list.replaceChildren(item);
      else list.append(item);
      if (i === 0) onFirst();
    }
    if (!pending.length) onFirst();
    more.hidden = shown.next >= shown.results.length;
  }

  // Counts come after the results, from a second Pagefind instance: they need every filter
  // index, and an instance that holds them all counts every value on every search, which would
  // slow down the results of the next word typed (about 100 ms for 10,000 businesses).
  async function updateCounts(id, term, state) {
    if (!counter) {
      counter = pagefind.createInstance(pagefindOptions);
      await counter.init();
    }
    const totals = await counter.filters();
    const active = Object.keys(state.filters).length > 0;
    const base = term || active ? (await counter.search(term, { filters: pagefindFilters(state.filters) })).filters : totals;
    const counts = {};
    for (const group of groups) {
      let source = base;
      if (state.filters[group]) source = (await counter.search(term, { filters: pagefindFilters(state.filters, group) })).filters;
      counts[group] = (source && source[group]) || {};
    }
    if (id !== run) return;
    // A value that would give no result is hidden (unless chosen), and so is an emptied group.
    for (const box of boxes) {
      const count = counts[box.name][box.value] || 0;
      box.closest("label").querySelector("[data-cari-count]").textContent = `(${count})`;
      box.closest("li").classList.toggle("umkm-saring__none", count === 0 && !box.checked);
    }
    for (const fieldset of form.querySelectorAll("fieldset")) {
      fieldset.classList.toggle("umkm-saring__group--empty", !fieldset.querySelector("li:not(.umkm-saring__none)"));
    }
  }

  function announce(state, total) {
    const chosen = Object.values(state.filters).reduce((n, values) => n + values.length, 0);
    activeBadge.textContent = chosen ? `(${chosen} dipilih)` : "";
    if (total === null) {
      status.textContent = "Ketik nama produk atau usaha, atau pilih saringan.";
      return;
    }
    const what = state.q ? ` untuk “${state.q}”` : "";
    const filtered = chosen ? " dengan saringan" : "";
    if (!total) {
      status.textContent = `Tidak ada hasil${what}${filtered}. Coba kata lain atau hapus saringan.`;
    } else {
      status.textContent = `${total.toLocaleString("id-ID")} usaha${what}${filtered}.`;
    }
  }

  // --- one result ----------------------------------------------------------------------------
  function resultItem(data, terms) {
    const meta = data.meta || {};
    const products = parseJson(meta.produk);
    const product = bestProduct(data, terms);
    const item = el("li", "umkm-result");
    const photoUrl = (product && products[product.anchor.id] && products[product.anchor.id][1]) || meta.image;
    if (photoUrl) {
      const img = el("img", "umkm-result__photo");
      img.src = new URL(photoUrl, root).href;
      img.alt = "";
      img.width = 160;
      img.height = 120;
      img.loading = "lazy";
      img.decoding = "async";
      item.append(img);
    } else {
      item.append(el("span", "umkm-result__photo umkm-result__photo--empty"));
    }
    const body = el("div", "umkm-result__body");
    const heading = el("h2", "umkm-result__title");
    const link = el("a", "umkm-result__link");
    link.href = product ? product.url : data.url;
    link.textContent = product ? product.title : meta.title;
    heading.append(link);
    body.append(heading);
    if (product) {
      body.append(el("p", "umkm-result__business", meta.title));
      const price = products[product.anchor.id] && products[product.anchor.id][0];
      if (price) body.append(el("p", "umkm-result__price", price));
    } else {
      if (meta.ringkasan) body.append(el("p", "umkm-result__summary", meta.ringkasan));
      if (meta.harga) body.append(el("p", "umkm-result__price", meta.harga));
    }
    body.append(el("p", "umkm-result__meta", [meta.sektor, meta.kecamatan].filter(Boolean).join(" · ")));
    const excerpt = product ? product.excerpt : terms.length ? data.excerpt : "";
    if (excerpt) body.append(excerptParagraph(excerpt));
    const badges = badgeList(meta);
    if (badges) body.append(badges);
    item.append(body);
    return item;
  }

  // The product to show for a business: the one whose section matches the most words of the
  // query, if it matches at least as many as the rest of the record (name, summary, story).
  // Pagefind matches stems ("batik" finds "membatik"): a query word counts as matched by a
  // word of the text when one contains the other.
  function bestProduct(data, terms) {
    if (!terms.length || !data.sub_results) return null;
    const text = (data.content || "").split(/[\r\n\s]+/g).map(normalise);
    const matched = (sub) => {
      const found = (sub.locations || []).map((i) => text[i]).filter(Boolean);
      return terms.filter((t) => found.some((w) => w.includes(t) || t.includes(w))).length;
    };
    let best = null;
    let bestScore = 0;
    let top = 0;
    for (const sub of data.sub_results) {
      const score = matched(sub);
      if (!sub.anchor || !/^produk-\d+$/.test(sub.anchor.id || "")) {
        top = Math.max(top, score);
      } else if (score > bestScore) {
        best = sub;
        bestScore = score;
      }
    }
    return best && bestScore >= top ? best : null;
  }

  function badgeList(meta) {
    const labels = [];
    if (meta.pengadaan) labels.push(["Siap pengadaan", "umkm-badge umkm-badge--pengadaan"]);
    if (meta.verifikasi) labels.push(["Terverifikasi", "umkm-badge umkm-badge--verifikasi"]);
    for (const label of (meta.sertifikat || "").split(" · ").filter(Boolean)) labels.push([label, "umkm-badge"]);
    if (!labels.length) return null;
    const ul = el("ul", "umkm-badges");
    ul.setAttribute("aria-label", "Lencana");
    for (const [text, cls] of labels) ul.append(el("li", cls, text));
    return ul;
  }

  // Pagefind's excerpt is escaped text with <mark> around the matches: keep only text and <mark>.
  function excerptParagraph(excerpt) {
    const p = el("p", "umkm-result__excerpt");
    const doc = new DOMParser().parseFromString(`<p>${excerpt}</p>`, "text/html");
    for (const node of doc.body.firstChild.childNodes) {
      if (node.nodeName === "MARK") p.append(el("mark", "", node.textContent));
      else p.append(document.createTextNode(node.textContent));
    }
    return p;
  }

  // --- events ----------------------------------------------------------------------------------
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(typingTimer);
    const state = readForm();
    remember(state, true);
    search(state);
  });
  input.addEventListener("input", () => {
    performance.mark("cari:ketik");
    app.dataset.cari = "memuat";
    // Fetch the index chunks for the words so far while waiting for typing to pause.
    const typed = input.value.trim();
    if (typed) pagefind.preload(typed, { filters: pagefindFilters(readForm().filters) }).catch(() => {});
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => {
      const state = readForm();
      remember(state, false); // typing replaces the entry; a submit or a filter adds one
      search(state);
    }, TYPING_DELAY_MS);
  });
  form.addEventListener("change", (event) => {
    if (event.target === input) return;
    const state = readForm();
    remember(state, true);
    search(state);
  });
  form.querySelector("[data-cari-reset]").addEventListener("click", () => {
    for (const box of boxes) box.checked = false;
    const state = readForm();
    remember(state, true);
    search(state);
  });
  more.addEventListener("click", async () => {
    const first = list.children.length;
    await showMore(run);
    const next = list.children[first];
    if (next) next.querySelector("a").focus();
  });
  window.addEventListener("popstate", () => {
    const state = readUrl();
    writeForm(state);
    search(state);
  });

  const initial = readUrl();
  writeForm(initial);
  search(initial);
}

// --- small helpers ---------------------------------------------------------------------------
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function normalise(word) {
  return word.toLocaleLowerCase("id").replace(/[^\p{L}\p{N}]+/gu, "");
}

function words(text) {
  return (text || "").split(/\s+/).map(normalise).filter(Boolean);
}

function parseJson(text) {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return {};
  }
}
