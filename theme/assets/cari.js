// Katalog UMKM: the "Cari Produk" page. Runs Pagefind (pagefind/pagefind.js, written by the
// build) over one record per business whose products are sections (generator/outputs/search.py).
// The state lives in the URL, in the same shape the page's plain GET form would produce:
//   ?q=keripik&kecamatan=Setu&sertifikasi=halal&urut=harga-naik
// Every change replaces the current history entry, so one Back leaves the page whatever was
// tapped; the scroll position and how many results were shown are kept in that entry, so Back
// from a business returns to the same place in the list.
// Filters: values of one group are alternatives (any), groups combine (all). The count next to
// a value is how many results that value gives together with the other groups' filters.
// A result is a business; when products matched, it lists every one of them (name, price,
// photo, a link to it). "Harga terendah" orders results by the cheapest price a result shows.
// Pagefind finds the words; filters, their counts and the sort orders come from the build's
// record files (pagefind/umkm/, generator/outputs/pagefind.py), fetched only when used: a plain
// search on a phone never downloads them. A record's number is in its Pagefind result id.
// No framework, no inline script (the Content-Security-Policy forbids it), no innerHTML of data.

const PAGE_SIZE = 20;
// The first results a phone's screen shows: fetched first, the rest of the page after them, so
// the first result waits for few fragments (each a request on a slow link).
const FIRST_SIZE = 6;
const TYPING_DELAY_MS = 120;
const SORTS = {
  "harga-naik": { key: "harga", descending: false },
  terbaru: { key: "diperbarui", descending: true },
};
const RECORD_FILES = "pagefind/umkm/";
const CODE_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
const PRODUCT_ANCHOR = /^produk-\d+$/;

const app = document.querySelector("[data-umkm-cari]");
if (app) start(app);

function start(app) {
  const form = app.querySelector("[data-cari-form]");
  const input = form.querySelector("#cari-q");
  const sortSelect = form.querySelector("#cari-urut");
  const panel = form.querySelector("[data-cari-panel]");
  const activeBadge = form.querySelector("[data-cari-active]");
  const status = app.querySelector("[data-cari-status]");
  const list = app.querySelector("[data-cari-results]");
  const more = app.querySelector("[data-cari-more]");
  const boxes = [...form.querySelectorAll("input[type=checkbox]")];
  const groups = [...new Set(boxes.map((box) => box.name))];
  const root = new URL(app.dataset.root, location.href);
  const standard = parseJson(app.dataset.ejaan); // spelling variant -> standard word (wilayah.yml `ejaan`)
  const baseTitle = document.title;
  const pagefindOptions = { baseUrl: root.pathname, excerptLength: 24 };

  if ("scrollRestoration" in history) history.scrollRestoration = "manual";
  const returning = readPlace(); // where the buyer was when they left this entry, if they did
  if (window.matchMedia("(min-width: 60em)").matches) panel.open = true;

  let run = 0; // the latest search; an older one that finishes late is dropped
  let shown = emptyShown();
  const recordFiles = {}; // name -> promise of the decoded file, fetched on first use
  let countedFor = null; // the state whose counts the panel shows; counts load only while it is open
  let typingTimer = 0;

  // The query shows in the box at once; the engine loads meanwhile and the status says so.
  const initial = readUrl();
  writeForm(initial);
  app.dataset.cari = "memuat";
  const engine = loadEngine();

  async function loadEngine() {
    try {
      const pagefind = await import(new URL("pagefind/pagefind.js", root).href);
      await pagefind.options(pagefindOptions);
      await pagefind.init();
      return pagefind;
    } catch (error) {
      console.warn("Pagefind:", error);
      app.removeAttribute("aria-busy");
      app.dataset.cari = "gagal";
      status.textContent = "Pencarian tidak dapat dimuat. Periksa sambungan internet lalu muat ulang halaman, atau telusuri katalog di bawah.";
      return null;
    }
  }

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

  // Always replaceState: a search is one place in the buyer's history, however it was refined.
  function remember(state) {
    const url = toQuery(state);
    if (url === location.search || (url === location.pathname && !location.search)) return;
    history.replaceState(null, "", url);
  }

  // --- where the buyer was: kept in the history entry, read back on return ---------------
  function readPlace() {
    const place = history.state && history.state.umkmCari;
    return place && typeof place.y === "number" && typeof place.n === "number" ? place : null;
  }

  function savePlace() {
    const place = { y: Math.round(window.scrollY), n: list.children.length };
    try {
      history.replaceState({ ...(history.state || {}), umkmCari: place }, "");
    } catch {
      // a browser that limits history writes: the list is simply shown from the top
    }
  }

  // --- the record files: filter values and sort ranks per record number ----------------------
  function recordFile(name) {
    // Revalidated on every visit (a cheap 304): record numbers must match the bundle's.
    recordFiles[name] ||= fetch(new URL(RECORD_FILES + name, root), { cache: "no-cache" })
      .then((response) => {
        if (!response.ok) throw new Error(`${name}: ${response.status}`);
        return response.json();
      })
      .then(decodeRecordFile)
      .catch((error) => {
        delete recordFiles[name]; // tried again on the next search
        throw error;
      });
    return recordFiles[name];
  }

  function columns() {
    return recordFile("saring.json");
  }

  function sortRanks(urut) {
    return recordFile(`urut-${SORTS[urut].key}.json`);
  }

  // The results of a search: Pagefind's for words, else every record (read from a record file).
  function everyRecord(file) {
    return Array.from({ length: file.count }, (_, n) => ({ n, order: n, data: () => loadFragment(file.stamp, n) }));
  }

  // A record's Pagefind fragment (its URL and shown values), fetched without the engine: a search
  // without words lists records straight from the record files.
  async function loadFragment(stamp, n) {
    const response = await fetch(new URL(`pagefind/fragment/${stamp}${n.toString(36)}.pf_fragment`, root));
    let bytes = new Uint8Array(await response.arrayBuffer());
    const signature = new TextEncoder().encode("pagefind_dcd");
    const signed = (data) => signature.every((byte, i) => data[i] === byte);
    if (!signed(bytes)) bytes = new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
    if (!signed(bytes)) throw new Error(`fragment ${n}: not a Pagefind fragment`);
    const fragment = JSON.parse(new TextDecoder().decode(bytes.slice(signature.length)));
    fragment.url = new URL(fragment.url.replace(/^\//, ""), root).pathname;
    return fragment;
  }

  function numbered(results, file) {
    for (const hit of results) {
      if (hit.n === undefined) hit.n = hit.id.startsWith(file.stamp) ? parseInt(hit.id.slice(file.stamp.length), 36) : -1;
    }
    return results;
  }

  // Values of one group are alternatives (any), groups combine (all).
  function passes(file, filters, without = null) {
    const tests = Object.entries(filters)
      .filter(([group, values]) => group !== without && values.length)
      .map(([group, values]) => valueTest(file, group, values));
    return (n) => n >= 0 && tests.every((test) => test(n));
  }

  function valueTest(file, group, values) {
    const column = file.columns[group];
    if (!column) return () => false;
    const chosen = values.map((v) => column.values.indexOf(v)).filter((i) => i >= 0);
    if (column.multi) return (n) => chosen.some((i) => hasBit(column.codes[n], i));
    const codes = new Set(chosen.map((i) => i + 1));
    return (n) => codes.has(column.codes[n]);
  }

  // The words searched for: the buyer's, each variant spelling read as its standard word, as
  // the index holds them ("kripik" -> "keripik").
  function searchWords(text) {
    return words(text).map((word) => standard[word] || word);
  }

  function search(state, restore = null) {
    const id = ++run;
    app.setAttribute("aria-busy", "true");
    app.dataset.cari = "memuat"; // memuat → hasil (results shown) → siap (counts too); tests wait on it
    runSearch(id, state, restore).catch((error) => {
      if (id !== run) return;
      console.warn("Pagefind:", error);
      app.removeAttribute("aria-busy");
      app.dataset.cari = "gagal";
      status.textContent = "Pencarian gagal dimuat. Periksa sambungan internet lalu coba lagi.";
    });
  }

  async function runSearch(id, state, restore) {
    const terms = searchWords(state.q);
    const term = terms.length ? terms.join(" ") : null;
    const filtered = Object.values(state.filters).some((values) => values.length);
    const first = () => {
      app.removeAttribute("aria-busy");
      app.dataset.cari = "hasil";
      app.dataset.cariSekali = ""; // the first results are placed: the browse links may show (umkm.css)
      performance.mark("cari:hasil");
    };
    if (!term && !filtered && !state.urut) {
      // Nothing asked yet: listing all 10,000 businesses would cost a phone seconds for nothing.
      if (!(await engine)) return; // the page already says the search could not load
      if (id !== run) return;
      shown = emptyShown();
      list.replaceChildren();
      more.hidden = true;
      announce(state, null);
      document.title = baseTitle;
      first();
      await updateCounts(id, state);
      if (id === run) app.dataset.cari = "siap";
      return;
    }
    // The files a search needs, all asked for at once; without words, Pagefind is not needed.
    const [pagefind, filterFile, sortFile] = await Promise.all([
      term ? engine : null,
      filtered ? columns() : null,
      state.urut ? sortRanks(state.urut) : null,
    ]);
    if (id !== run || (term && !pagefind)) return;
    let all;
    if (term) {
      const response = await pagefind.search(term);
      if (id !== run || !response) return;
      all = response.results.map((r, order) => ({ id: r.id, order, data: r.data }));
    } else {
      all = everyRecord(filterFile || sortFile);
    }
    let results = all;
    if (filterFile) {
      const keep = passes(filterFile, state.filters);
      results = numbered(all, filterFile).filter((hit) => keep(hit.n));
    }
    if (sortFile) {
      const ranks = sortFile.codes;
      const sign = SORTS[state.urut].descending ? -1 : 1;
      const rank = (hit) => (hit.n >= 0 ? sign * ranks[hit.n] : Infinity);
      results = numbered([...results], sortFile).sort((a, b) => rank(a) - rank(b) || a.order - b.order);
    }
    if (id !== run) return;
    shown = {
      ...emptyShown(),
      all,
      results,
      terms,
      bands: (state.filters.harga || []).map(parseBand),
      byPrice: state.urut === "harga-naik" && terms.length > 0,
    };
    announce(state, results.length);
    document.title = state.q ? `${state.q} – ${baseTitle}` : baseTitle;
    await showMore(id, true, first, FIRST_SIZE);
    if (id === run && hasMore()) await showMore(id, false, () => {}, PAGE_SIZE - FIRST_SIZE);
    while (restore && id === run && list.children.length < restore.n && hasMore()) await showMore(id);
    if (id !== run) return;
    if (restore) window.scrollTo(0, restore.y);
    await updateCounts(id, state);
    if (id !== run) return;
    if (restore) window.scrollTo(0, restore.y); // the counts may have hidden filter values above the list
    app.dataset.cari = "siap";
  }

  function emptyShown() {
    return { all: null, results: [], next: 0, terms: [], bands: [], byPrice: false, waiting: [], floor: -Infinity };
  }

  function hasMore() {
    return shown.next < shown.results.length || shown.waiting.length > 0;
  }

  // Cards appear one by one as their data arrives (all fetched at once), so the first result
  // does not wait for the twentieth. A new search replaces the old cards only when it has one.
  async function showMore(id, fresh = false, onFirst = () => {}, size = PAGE_SIZE) {
    let placed = 0;
    const place = (item) => {
      if (fresh && placed === 0) list.replaceChildren(item);
      else list.append(item);
      if (placed++ === 0) onFirst();
    };
    if (shown.byPrice) {
      for (const view of await cheapestShown(id, size)) {
        if (id !== run) return;
        place(resultItem(view));
      }
    } else {
      const batch = shown.results.slice(shown.next, shown.next + size);
      const base = shown.next;
      shown.next += batch.length;
      const pending = batch.map((r) => r.data());
      for (const [i, promise] of pending.entries()) {
        const view = resultView(await promise, base + i);
        if (id !== run) return;
        place(resultItem(view));
      }
    }
    if (id !== run) return;
    if (!placed) {
      if (fresh) list.replaceChildren();
      onFirst();
    }
    more.hidden = !hasMore();
  }

  // "Harga terendah" with a query: Pagefind orders businesses by their cheapest product, while a
  // result shows (and is ordered by) its cheapest *matching* product, which can only cost more.
  // So results are read in Pagefind's order and held back until no unread business can show a
  // lower price: an unread one's cheapest product costs at least as much as the last one read.
  async function cheapestShown(id, count) {
    const out = [];
    const byShown = (a, b) => a.shownPrice - b.shownPrice || a.order - b.order;
    for (;;) {
      shown.waiting.sort(byShown);
      const allRead = shown.next >= shown.results.length;
      while (out.length < count && shown.waiting.length && (allRead || shown.waiting[0].shownPrice <= shown.floor)) {
        out.push(shown.waiting.shift());
      }
      if (out.length >= count || allRead) return out;
      const batch = shown.results.slice(shown.next, shown.next + count);
      const base = shown.next;
      shown.next += batch.length;
      const data = await Promise.all(batch.map((r) => r.data()));
      if (id !== run) return out;
      for (const [i, item] of data.entries()) {
        const view = resultView(item, base + i);
        shown.waiting.push(view);
        shown.floor = Math.max(shown.floor, view.lowestPrice);
      }
    }
  }

  // Counts come after the results, from the filter columns (saring.json), fetched only while the
  // filter panel is open (on a phone it starts closed): numbers nobody sees with the panel shut
  // cost nothing. A value's count is how many of the search's results it would give together
  // with the other groups' filters.
  async function updateCounts(id, state) {
    if (!panel.open) return;
    const key = JSON.stringify([searchWords(state.q), state.filters]);
    if (countedFor === key) return;
    const file = await columns();
    if (id !== run) return;
    const counts = countValues(file, shown.all ? numbered(shown.all, file).map((hit) => hit.n) : everyRecord(file).map((hit) => hit.n), state.filters);
    countedFor = key;
    // A value that would give no result is hidden (unless chosen), and so is an emptied group.
    for (const box of boxes) {
      const count = (counts[box.name] && counts[box.name].get(box.value)) || 0;
      box.closest("label").querySelector("[data-cari-count]").textContent = `(${count})`;
      box.closest("li").classList.toggle("umkm-saring__none", count === 0 && !box.checked);
    }
    for (const fieldset of form.querySelectorAll("fieldset")) {
      fieldset.classList.toggle("umkm-saring__group--empty", !fieldset.querySelector("li:not(.umkm-saring__none)"));
    }
  }

  // Per group, value -> how many records of `numbers` have it and pass every other group's filter.
  function countValues(file, numbers, filters) {
    const active = Object.keys(filters).filter((group) => filters[group].length);
    const tests = active.map((group) => [group, passes(file, { [group]: filters[group] })]);
    const counts = {};
    for (const group of groups) counts[group] = new Map();
    const present = groups.filter((group) => file.columns[group]);
    for (const n of numbers) {
      if (n < 0) continue;
      let failed = null;
      let fails = 0;
      for (const [group, test] of tests) {
        if (!test(n) && ++fails > 1) break;
        if (fails === 1 && failed === null) failed = group;
      }
      if (fails > 1) continue;
      for (const group of fails ? [failed] : present) {
        const column = file.columns[group];
        if (!column) continue;
        for (const value of column.valuesOf(n)) counts[group].set(value, (counts[group].get(value) || 0) + 1);
      }
    }
    return counts;
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
      status.textContent = `Tidak ada hasil${what}${filtered}. Coba kata lain, hapus saringan, atau telusuri katalog di bawah.`;
    } else {
      status.textContent = `${thousands(total)} usaha${what}${filtered}.`;
    }
  }

  // --- one result ----------------------------------------------------------------------------
  // What a result shows, worked out once from its data: the matching products and the price
  // the result is ordered by under "Harga terendah".
  function resultView(data, order) {
    const meta = data.meta || {};
    const products = productTable(meta.produk);
    const prices = Object.values(products).map((p) => p.price).filter((p) => p !== null);
    const lowestPrice = prices.length ? Math.min(...prices) : Infinity;
    const matched = matchingProducts(data, products);
    const matchedPrices = matched.map((p) => p.price).filter((p) => p !== null);
    const shownPrice = matched.length ? (matchedPrices.length ? Math.min(...matchedPrices) : Infinity) : lowestPrice;
    if (shown.byPrice) matched.sort((a, b) => (a.price ?? Infinity) - (b.price ?? Infinity));
    return { data, meta, order, products: matched, lowestPrice, shownPrice };
  }

  // Every product whose section matches the most words of the query (Pagefind returns each
  // matching section as a sub-result); with a price filter, only those in a chosen band.
  // Pagefind matches stems ("batik" finds "membatik"): a query word counts as matched by a word
  // of the text when one contains the other.
  function matchingProducts(data, products) {
    const terms = shown.terms;
    if (!terms.length || !data.sub_results) return [];
    const text = (data.content || "").split(/[\r\n\s]+/g).map(normalise);
    const scored = [];
    for (const sub of data.sub_results) {
      const id = sub.anchor && sub.anchor.id;
      if (!id || !PRODUCT_ANCHOR.test(id) || !products[id]) continue;
      const found = (sub.locations || []).map((i) => text[i]).filter(Boolean);
      const score = terms.filter((t) => found.some((w) => w.includes(t) || t.includes(w))).length;
      if (score) scored.push({ ...products[id], score, url: `${data.url.split("#")[0]}#${id}` });
    }
    const best = Math.max(0, ...scored.map((p) => p.score));
    const chosen = scored.filter((p) => p.score === best);
    return shown.bands.length ? chosen.filter((p) => p.price !== null && shown.bands.some((band) => band(p.price))) : chosen;
  }

  function resultItem(view) {
    const { data, meta, products } = view;
    const item = el("li", products.length ? "umkm-result umkm-result--produk" : "umkm-result");
    const heading = el("h2", "umkm-result__title");
    const link = el("a", "umkm-result__link", meta.title);
    link.href = data.url;
    heading.append(link);
    const where = el("p", "umkm-result__meta", [meta.sektor, meta.kecamatan].filter(Boolean).join(" · "));
    const badges = badgeList(meta);
    if (products.length) {
      const head = el("div", "umkm-result__head");
      head.append(heading, where);
      if (badges) head.append(badges);
      const rows = el("ul", "umkm-result__products");
      rows.setAttribute("aria-label", `Produk ${meta.title} yang cocok`);
      for (const product of products) rows.append(productRow(product));
      item.append(head, rows);
      return item;
    }
    item.append(photo(meta.image, "umkm-result__photo"));
    const body = el("div", "umkm-result__body");
    body.append(heading);
    if (meta.ringkasan) body.append(el("p", "umkm-result__summary", meta.ringkasan));
    if (meta.harga) body.append(el("p", "umkm-result__price", meta.harga));
    body.append(where);
    if (shown.terms.length && data.excerpt) body.append(excerptParagraph(data.excerpt));
    if (badges) body.append(badges);
    item.append(body);
    return item;
  }

  function productRow(product) {
    const row = el("li", "umkm-result__product");
    row.append(photo(product.image, "umkm-result__thumb"));
    const text = el("div", "umkm-result__product-body");
    const link = el("a", "umkm-result__product-link", product.name);
    link.href = product.url;
    text.append(link);
    text.append(
      product.priceText
        ? el("p", "umkm-result__price", product.priceText)
        : el("p", "umkm-result__price umkm-result__price--none", "Harga: tanyakan ke penjual"),
    );
    row.append(text);
    return row;
  }

  function photo(url, className) {
    if (!url) return el("span", `${className} ${className}--empty`);
    const img = el("img", className);
    img.src = new URL(url, root).href;
    img.alt = "";
    img.width = 160;
    img.height = 120;
    img.loading = "lazy";
    img.decoding = "async";
    return img;
  }

  function badgeList(meta) {
    const labels = [];
    if (meta.pengadaan) labels.push(["Siap pengadaan", "umkm-badge umkm-badge--pengadaan"]);
    if (meta.verifikasi) labels.push(["Terverifikasi", "umkm-badge umkm-badge--verifikasi"]);
    for (const label of (meta.sertifikat || "").split(" · ").filter(Boolean)) labels.push([label, "umkm-badge"]);
    if (meta.kontak) labels.push([meta.kontak, "umkm-badge umkm-badge--tanpa-kontak"]);
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
    remember(state);
    search(state);
  });
  input.addEventListener("input", () => {
    performance.mark("cari:ketik");
    app.dataset.cari = "memuat";
    // Fetch the index chunks for the words so far while waiting for typing to pause.
    const typed = searchWords(input.value).join(" ");
    if (typed) engine.then((pagefind) => pagefind && pagefind.preload(typed)).catch(() => {});
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => {
      const state = readForm();
      remember(state);
      search(state);
    }, TYPING_DELAY_MS);
  });
  form.addEventListener("change", (event) => {
    if (event.target === input) return;
    const state = readForm();
    remember(state);
    search(state);
  });
  form.querySelector("[data-cari-reset]").addEventListener("click", () => {
    for (const box of boxes) box.checked = false;
    const state = readForm();
    remember(state);
    search(state);
  });
  panel.addEventListener("toggle", () => {
    if (!panel.open) return;
    // A search still on its way counts for itself once its results are in.
    if (app.dataset.cari !== "memuat") updateCounts(run, readForm()).catch((error) => console.warn("Pagefind:", error));
  });
  more.addEventListener("click", async () => {
    const first = list.children.length;
    await showMore(run);
    const next = list.children[first];
    if (next) next.querySelector("a").focus();
  });
  // Leaving for a business (or anywhere): remember the place, for Back.
  list.addEventListener("click", (event) => {
    if (event.target.closest("a")) savePlace();
  });
  window.addEventListener("pagehide", savePlace);
  window.addEventListener("popstate", () => {
    const state = readUrl();
    writeForm(state);
    search(state);
  });

  search(readForm(), returning); // the form, not the URL: a word typed while the engine loaded counts
}

// --- small helpers ---------------------------------------------------------------------------
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// 1234567 -> "1.234.567", as id-ID writes it; toLocaleString would load the locale's number
// formats first, a long task on a slow phone for one number.
function thousands(number) {
  return String(number).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
}

// Lower case without a locale: Indonesian has no special casing, and loading one costs time.
function normalise(word) {
  return word.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
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

// meta.produk: {"produk-1": [name, price text, price in rupiah or null, thumbnail URI]}.
function productTable(text) {
  const table = {};
  for (const [id, row] of Object.entries(parseJson(text))) {
    if (!Array.isArray(row)) continue;
    const [name, priceText, price, image] = row;
    table[id] = { name: name || "", priceText: priceText || "", price: typeof price === "number" ? price : null, image: image || "" };
  }
  return table;
}

// A price band's filter value ("25000-100000", "500000-") as a test of a price.
function parseBand(value) {
  const [low, high] = value.split("-");
  const from = Number(low) || 0;
  const to = high ? Number(high) : Infinity;
  return (price) => price >= from && price < to;
}

// A record file (generator/outputs/pagefind.py, write_record_files) with its codes read as numbers:
// per filter group one code per record (a value's number + 1, or one bit per value), per sort key
// one rank per record.
function decodeRecordFile(file) {
  const read = (text, width) => {
    const out = new Float64Array(text.length / width); // up to 52 bits a code: no 32-bit bitwise operators
    for (let n = 0; n < out.length; n++) {
      let code = 0;
      for (let i = n * width; i < (n + 1) * width; i++) code = code * CODE_DIGITS.length + CODE_DIGITS.indexOf(text[i]);
      out[n] = code;
    }
    return out;
  };
  const decoded = { stamp: file.stamp, count: file.count, columns: {}, codes: null };
  if (typeof file.codes === "string") decoded.codes = read(file.codes, file.width);
  for (const [group, column] of Object.entries(file.columns || {})) {
    const codes = read(column.codes, column.width);
    const values = column.values;
    const valuesOf = column.multi
      ? (n) => values.filter((_, i) => hasBit(codes[n], i))
      : (n) => (codes[n] > 0 ? [values[codes[n] - 1]] : []);
    decoded.columns[group] = { values, multi: column.multi, codes, valuesOf };
  }
  return decoded;
}

function hasBit(code, i) {
  return Math.floor(code / 2 ** i) % 2 === 1;
}
