"""The built sample catalog in headless Chromium: search, filters, URL state, mobile width, keyboard, axe-core.

One site is built per test process and served from 127.0.0.1 with the Content-Security-Policy
the build published for it, so the search is shown to work under it; Playwright drives Debian's
Chromium (`make browser` installs it; Playwright never downloads a browser here). Expected
results come from the catalog through our own stages, not from the index the page searches.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import re
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.builder.pipeline import check_catalog, enrich_businesses
from generator.cli import load_settings
from generator.core.problems import errors_in
from generator.outputs.search import SearchRecord, search_records
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, TODAY

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium (run `make browser`)"
)

MOBILE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
TIMEOUT_MS = 15_000


class _Site(http.server.SimpleHTTPRequestHandler):
    """Serves the built site with the Content-Security-Policy the build wrote for it (`_headers`)."""

    policy = ""

    def end_headers(self) -> None:
        if self.policy:
            self.send_header("Content-Security-Policy", self.policy)
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def published_policy(site: Path) -> str:
    headers = site / "_headers"
    lines = headers.read_text(encoding="utf-8").splitlines() if headers.is_file() else []
    return next((line.split(":", 1)[1].strip() for line in lines if line.strip().startswith("Content-Security-Policy:")), "")


@pytest.fixture(scope="module")
def sample(sample_project: Path) -> Iterator[tuple[str, list[SearchRecord]]]:
    """The sample catalog, built (once per run) and served: (base URL, the search records it was built from)."""
    project = sample_project
    settings = load_settings(str(project / "mkdocs.yml"), TODAY.isoformat())
    catalog, problems = check_catalog(settings, photos=False)
    assert catalog is not None and not errors_in(problems)
    records = search_records(enrich_businesses(settings, catalog), {})
    handler = type("Handler", (_Site,), {"policy": published_policy(project / "site")})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(project / "site")))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", records
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=MOBILE, locale="id-ID")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []  # script errors and console errors (a blocked script or fetch among them)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page
    context.close()
    assert errors == []


# --- helpers -----------------------------------------------------------------------------------


def open_search(page: Any, base: str, query: str = "") -> None:
    page.goto(f"{base}cari/{query}")
    wait_ready(page)


def wait_ready(page: Any) -> None:
    """Until the results and the filter counts of the latest search are on the page."""
    page.wait_for_selector('[data-umkm-cari][data-cari="siap"]')


def total(page: Any) -> int:
    text = page.locator("[data-cari-status]").inner_text()
    if text.startswith("Tidak ada hasil"):
        return 0
    match = re.match(r"([\d.]+) usaha", text)
    assert match, text
    return int(match.group(1).replace(".", ""))


def shown_urls(page: Any) -> list[str]:
    return [href.split("#")[0] for href in page.locator(".umkm-result__link").evaluate_all("links => links.map(a => a.pathname)")]


def option_count(page: Any, group: str, value: str) -> int:
    label = page.locator(f'input[name="{group}"][value="{value}"]').locator("xpath=..")
    text = label.text_content() or ""  # the panel may be closed: text_content, not inner_text
    match = re.search(r"\((\d+)\)", text)
    assert match, text
    return int(match.group(1))


def matching(records: list[SearchRecord], **chosen: list[str]) -> set[str]:
    """URL paths of the records that pass the filters: any value within a group, every group."""
    return {f"/{r.url}" for r in records if all(set(values) & set(dict(r.filters).get(group, ())) for group, values in chosen.items())}


def groups_on_page(page: Any) -> dict[str, list[str]]:
    pairs = page.locator("[data-cari-form] input[type=checkbox]").evaluate_all("boxes => boxes.map(b => [b.name, b.value])")
    groups: dict[str, list[str]] = {}
    for name, value in pairs:
        groups.setdefault(name, []).append(value)
    return groups


def open_filters(page: Any) -> None:
    """Open the filter panel and wait for its counts (fetched only while it is open)."""
    panel = page.locator("[data-cari-panel]")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    page.wait_for_function("() => [...document.querySelectorAll('[data-cari-count]')].every((c) => c.textContent !== '')")


# --- search ------------------------------------------------------------------------------------


def test_a_query_shows_the_matching_product_first_with_its_business(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, _ = sample
    open_search(page, base, "?q=keripik+balado")
    first = page.locator(".umkm-result").first
    assert first.locator(".umkm-result__title").inner_text() == "Keripik Sari Rasa"
    product = first.locator(".umkm-result__product").first
    assert product.locator(".umkm-result__product-link").inner_text() == "Keripik Singkong Balado"
    assert product.locator(".umkm-result__price").inner_text().startswith("Rp18.000")
    assert product.locator("img").get_attribute("src").endswith(".webp")
    link = product.locator(".umkm-result__product-link")
    assert link.get_attribute("href") == "/usaha/keripik-sari-rasa/#produk-1"
    link.click()
    page.wait_for_url("**/usaha/keripik-sari-rasa/#produk-1")
    assert page.locator("#produk-1 h3").inner_text() == "Keripik Singkong Balado"


def products_with(records: list[SearchRecord], word: str) -> dict[str, list[str]]:
    """Per business URL path, the names of its products whose name or description holds `word`."""
    found: dict[str, list[str]] = {}
    for r in records:
        names = [s.title for s in r.sections if word in f"{s.title} {s.text}".lower()]
        if names:
            found[f"/{r.url}"] = names
    return found


def shown_products(page: Any) -> dict[str, list[str]]:
    return page.locator(".umkm-result").evaluate_all(
        """items => Object.fromEntries(items.map(item => [
            item.querySelector('.umkm-result__link').pathname,
            [...item.querySelectorAll('.umkm-result__product-link')].map(a => a.textContent),
        ]))"""
    )


def test_every_matching_product_is_listed_under_its_business(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, records = sample
    open_search(page, base, "?q=keripik")
    expected = products_with(records, "keripik")
    assert any(len(names) > 1 for names in expected.values())  # the sample has a business with two
    shown = shown_products(page)
    assert {url: sorted(names) for url, names in shown.items() if names} == {url: sorted(names) for url, names in expected.items()}
    assert total(page) == len(shown)  # one result per business, its products inside it


def shown_prices(page: Any) -> list[int]:
    """The price each result is ordered by: its cheapest product shown (else its price range's low end)."""
    texts = page.locator(".umkm-result").evaluate_all(
        """items => items.map(item => [...item.querySelectorAll('.umkm-result__price')].map(p => p.textContent))"""
    )
    prices = []
    for item in texts:
        found = [int(m.replace(".", "")) for text in item for m in re.findall(r"Rp([\d.]+)", text)[:1]]
        prices.append(min(found) if found else 10**12)
    return prices


@pytest.mark.parametrize("query", ["keripik", "jamur", "batik"])
def test_cheapest_first_orders_by_the_price_each_result_shows(page: Any, sample: tuple[str, list[SearchRecord]], query: str) -> None:
    base, _ = sample
    open_search(page, base, f"?q={query}&urut=harga-naik")
    prices = shown_prices(page)
    assert len(prices) >= 1 and prices == sorted(prices), prices
    open_search(page, base, f"?q={query}")  # the same results, whatever the order
    assert total(page) == len(prices)


def test_a_shared_link_with_words_filters_and_order_opens_as_it_was(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, records = sample
    open_search(page, base, "?q=pesanan")
    found = set(shown_urls(page))
    # A filter value that keeps more than one result but not all of them.
    group, value, kept = next(
        (g, v, found & matching(records, **{g: [v]}))
        for g, values in groups_on_page(page).items()
        for v in values
        if 1 < len(found & matching(records, **{g: [v]})) < len(found)
    )
    query = f"?q=pesanan&{group}={value}&urut=harga-naik"
    open_search(page, base, query)
    assert page.input_value("#cari-q") == "pesanan" and page.input_value("#cari-urut") == "harga-naik"
    assert page.is_checked(f'input[name="{group}"][value="{value}"]')
    assert set(shown_urls(page)) == kept
    prices = shown_prices(page)
    assert prices == sorted(prices), prices
    assert page.url.endswith(query)


def test_a_spelling_variant_finds_the_standard_word(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, records = sample
    expected = products_with(records, "keripik")
    for variant in ("kripik", "KRIPIK", "keripk"):
        open_search(page, base, f"?q={variant}")
        assert set(shown_urls(page)) == set(expected), variant
        assert {url: sorted(n) for url, n in shown_products(page).items()} == {url: sorted(n) for url, n in expected.items()}
    assert page.input_value("#cari-q") == "keripk"  # the buyer's own word stays in the box
    assert "“keripk”" in page.locator("[data-cari-status]").inner_text()


def test_the_header_search_box_leads_to_results_without_script(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, _ = sample
    page.goto(base)
    assert page.locator("script[src$='cari.js']").count() == 0  # only the search page loads it
    page.fill("#umkm-searchbar-q", "batiknya")  # Indonesian stemming: -nya is a suffix
    page.press("#umkm-searchbar-q", "Enter")
    page.wait_for_url("**/cari/?q=batiknya")
    wait_ready(page)
    assert "/usaha/griya-batik-lumbung-padi/" in shown_urls(page)
    assert page.input_value("#cari-q") == "batiknya"


def test_no_result_is_said_in_indonesian(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, _ = sample
    open_search(page, base, "?q=zzzyyyxxx")
    assert page.locator("[data-cari-status]").inner_text().startswith("Tidak ada hasil untuk “zzzyyyxxx”")
    assert page.locator(".umkm-result").count() == 0


# --- filters -----------------------------------------------------------------------------------


def test_each_filter_narrows_the_results_to_the_count_it_shows(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, records = sample
    open_search(page, base)
    # Nothing asked yet: a prompt, no list of every business; the counts are the catalog's.
    assert page.locator("[data-cari-status]").inner_text() == "Ketik nama produk atau usaha, atau pilih saringan."
    assert page.locator(".umkm-result").count() == 0
    everything = len(records)
    open_filters(page)
    groups = groups_on_page(page)
    assert set(groups) == {"sektor", "kecamatan", "sertifikasi", "platform", "pengadaan", "verifikasi", "harga"}
    for group, values in groups.items():
        # A value that narrows: fewer than all, more than none (the sample has one in each group).
        value = next(v for v in values if 0 < len(matching(records, **{group: [v]})) < everything)
        expected = matching(records, **{group: [value]})
        assert option_count(page, group, value) == len(expected), (group, value)
        page.check(f'input[name="{group}"][value="{value}"]')
        wait_ready(page)
        assert total(page) == len(expected), (group, value)
        assert set(shown_urls(page)) == expected, (group, value)
        page.uncheck(f'input[name="{group}"][value="{value}"]')
        wait_ready(page)
        assert page.locator(".umkm-result").count() == 0


def test_filters_combine_across_groups_and_add_up_within_one(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, records = sample
    open_search(page, base, "?sektor=kuliner")
    kuliner = matching(records, sektor=["kuliner"])
    fesyen = matching(records, sektor=["fesyen"])
    assert total(page) == len(kuliner)
    open_filters(page)
    # The other sectors still show what they would add: values of one group are alternatives.
    assert option_count(page, "sektor", "fesyen") == len(fesyen)
    page.check('input[name="sektor"][value="fesyen"]')
    wait_ready(page)
    assert total(page) == len(kuliner | fesyen)
    # Another group narrows the union down.
    halal = matching(records, sektor=["kuliner", "fesyen"], sertifikasi=["halal"])
    assert 0 < len(halal) < len(kuliner | fesyen)
    assert option_count(page, "sertifikasi", "halal") == len(halal)
    page.check('input[name="sertifikasi"][value="halal"]')
    wait_ready(page)
    assert set(shown_urls(page)) == halal
    assert "sektor=kuliner&sektor=fesyen&sertifikasi=halal" in page.url


def test_a_filter_only_url_opens_filtered(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, records = sample
    open_search(page, base, "?q=keripik&kecamatan=Setu")
    assert page.is_checked('input[name="kecamatan"][value="Setu"]')
    assert page.input_value("#cari-q") == "keripik"
    assert shown_urls(page) == ["/usaha/jamur-tiram-setu/"]
    fetched: list[str] = []
    page.on("requestfinished", lambda request: fetched.append(request.url))
    open_search(page, base, "?kecamatan=Setu&sertifikasi=pirt")
    setu = matching(records, kecamatan=["Setu"], sertifikasi=["pirt"])
    assert set(shown_urls(page)) == setu and total(page) == len(setu)
    # Without words no index chunk is needed (Pagefind's filter-only search fetched all of them).
    assert not [url for url in fetched if "/pagefind/index/" in url]
    open_filters(page)
    page.check('input[name="pengadaan"][value="ya"]')
    wait_ready(page)
    assert page.url.endswith("?kecamatan=Setu&sertifikasi=pirt&pengadaan=ya")


def record_files(fetched: list[str]) -> list[str]:
    """The record files (filter columns, sort ranks) among the URLs the page fetched."""
    return sorted({url.split("/pagefind/umkm/")[1] for url in fetched if "/pagefind/umkm/" in url})


def test_filter_counts_are_fetched_only_while_the_panel_is_open(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, _ = sample
    fetched: list[str] = []
    page.on("requestfinished", lambda request: fetched.append(request.url))
    open_search(page, base, "?q=keripik")  # a phone: the panel starts closed
    page.wait_for_timeout(300)
    assert record_files(fetched) == []  # a plain first search: neither filter columns nor sort ranks
    assert not [url for url in fetched if "/pagefind/filter/" in url]  # nor Pagefind's filter index
    assert page.locator("[data-cari-count]").first.text_content() == ""
    open_filters(page)
    assert record_files(fetched) == ["saring.json"]
    assert total(page) == len(page.locator(".umkm-result").all())


def test_a_sort_order_is_fetched_only_when_chosen(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, _ = sample
    fetched: list[str] = []
    page.on("requestfinished", lambda request: fetched.append(request.url))
    open_search(page, base, "?q=batik")
    unsorted = shown_urls(page)
    assert record_files(fetched) == []
    page.select_option("#cari-urut", "terbaru")
    wait_ready(page)
    assert record_files(fetched) == ["urut-diperbarui.json"]  # that order alone, no filter columns
    assert sorted(shown_urls(page)) == sorted(unsorted)  # the same results, in another order


def test_counts_follow_the_query_and_the_ticked_filters(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, records = sample
    open_search(page, base, "?q=keripik")
    found = set(shown_urls(page))
    assert total(page) == len(found) > 1
    open_filters(page)
    groups = groups_on_page(page)
    for group, values in groups.items():
        for value in values:
            assert option_count(page, group, value) == len(found & matching(records, **{group: [value]})), (group, value)
    # Ticking a value: the other groups count within it, its own group still counts alternatives.
    value = next(v for v in groups["kecamatan"] if 0 < len(found & matching(records, kecamatan=[v])) < len(found))
    page.check(f'input[name="kecamatan"][value="{value}"]')
    wait_ready(page)
    within = found & matching(records, kecamatan=[value])
    assert set(shown_urls(page)) == within
    for group, values in groups.items():
        for other in values:
            expected = found & matching(records, **{group: [other]}) if group == "kecamatan" else within & matching(records, **{group: [other]})
            assert option_count(page, group, other) == len(expected), (group, other)


def test_one_back_leaves_the_search_page_however_it_was_refined(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, _ = sample
    page.goto(base + "sektor/")
    page.fill("#umkm-searchbar-q", "keripik")
    page.press("#umkm-searchbar-q", "Enter")
    page.wait_for_url("**/cari/?q=keripik")
    wait_ready(page)
    open_filters(page)
    for group, value in (("sektor", "kuliner"), ("sektor", "pertanian"), ("kecamatan", "Setu")):
        page.check(f'input[name="{group}"][value="{value}"]')
        wait_ready(page)
    page.uncheck('input[name="kecamatan"][value="Setu"]')
    wait_ready(page)
    page.select_option("#cari-urut", "harga-naik")
    wait_ready(page)
    page.fill("#cari-q", "keripik balado")
    page.press("#cari-q", "Enter")
    wait_ready(page)
    assert page.url.endswith("?q=keripik+balado&sektor=kuliner&sektor=pertanian&urut=harga-naik")
    page.go_back()
    page.wait_for_url(base + "sektor/")


def test_back_from_a_business_returns_to_the_same_place_in_the_results(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, records = sample
    open_search(page, base, "?urut=harga-naik")
    assert total(page) == len(records)
    target = page.locator(".umkm-result").nth(len(records) - 3)
    target.scroll_into_view_if_needed()
    page.mouse.wheel(0, 120)
    page.wait_for_function("() => window.scrollY > 400")
    before = page.evaluate("() => window.scrollY")
    href = target.locator(".umkm-result__link").get_attribute("href")
    target.locator(".umkm-result__link").click()
    page.wait_for_url(f"**{href}")
    page.go_back()
    wait_ready(page)
    page.wait_for_function(f"() => Math.abs(window.scrollY - {before}) <= 2")
    assert page.locator(".umkm-result").count() == len(records)


def test_results_arriving_do_not_shift_the_page(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, _ = sample
    page.add_init_script(
        """window.umkmShift = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.umkmShift += entry.value;
        }).observe({ type: "layout-shift", buffered: true });"""
    )
    for query in ("?q=keripik", "?q=batik&urut=harga-naik", ""):
        open_search(page, base, query)
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.umkmShift") < 0.05, query  # Lighthouse's "good" is under 0.1
        assert page.locator(".umkm-cari__browse").is_visible()  # the browse links, once the results are placed


def test_while_the_search_engine_loads_the_page_says_so(browser: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, _ = sample
    context = browser.new_context(viewport=MOBILE, locale="id-ID")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    held: list[Any] = []  # a slow link: the engine's files arrive only once let through
    through = threading.Event()
    page.route("**/pagefind/**", lambda route: route.continue_() if through.is_set() else held.append(route))
    page.goto(base + "cari/?q=keripik", wait_until="domcontentloaded")
    page.wait_for_function("() => document.querySelector('[data-umkm-cari]').dataset.cari === 'memuat'")
    assert page.locator("[data-cari-status]").inner_text() == "Memuat pencarian…"
    assert page.locator("[data-umkm-cari]").get_attribute("aria-busy") == "true"
    assert page.input_value("#cari-q") == "keripik"  # the query is in the box already
    assert page.locator("#cari-q").is_visible()
    assert "memerlukan JavaScript" not in page.locator("main").inner_text()
    assert held  # the engine was asked for, and is still on its way
    through.set()
    for route in held:
        route.continue_()
    wait_ready(page)
    assert total(page) >= 1
    context.close()


def test_sorting_by_price_and_by_last_update(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, records = sample
    sort = {f"/{r.url}": dict(r.sort) for r in records}
    open_search(page, base, "?urut=harga-naik")
    assert page.input_value("#cari-urut") == "harga-naik"
    cheapest = [sort[url]["harga"] for url in shown_urls(page)]
    assert cheapest == sorted(cheapest) and len(cheapest) == len(records)
    page.select_option("#cari-urut", "terbaru")
    wait_ready(page)
    assert page.url.endswith("?urut=terbaru")
    newest = [sort[url]["diperbarui"] for url in shown_urls(page)]
    assert newest == sorted(newest, reverse=True)


# --- phone, keyboard, no script, accessibility ---------------------------------------------


def test_a_360px_phone_never_scrolls_sideways(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, _ = sample
    for path in ("", "usaha/griya-batik-lumbung-padi/", "sektor/kuliner/", "cari/", "cari/?q=keripik"):
        page.goto(base + path)
        if path.startswith("cari/"):
            wait_ready(page)
            open_filters(page)
        width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1] == MOBILE["width"], (path, width)
    assert page.locator(".umkm-result").count() > 0


def test_the_first_screen_of_every_business_page_holds_its_whatsapp_button(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, records = sample
    checked = 0
    for record in records:
        page.goto(base + record.url)
        button = page.locator(".umkm-hero .umkm-button--whatsapp")
        if not button.count():
            continue
        box = button.bounding_box()
        assert box is not None and box["y"] + box["height"] <= MOBILE["height"], (record.url, box)
        checked += 1
    assert checked >= len(records) // 2


def test_the_home_page_shows_products_with_photo_and_price_in_the_first_screen(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, _ = sample
    page.goto(base)
    page.wait_for_load_state("load")
    cards = page.locator(".umkm-pcard")
    in_view = 0
    for i in range(cards.count()):
        card = cards.nth(i)
        box = card.bounding_box()
        if box is None or box["y"] >= MOBILE["height"]:
            break
        price = card.locator(".umkm-pcard__price").bounding_box()
        if price is not None and price["y"] + price["height"] <= MOBILE["height"]:
            assert card.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
            assert card.locator(".umkm-pcard__title").inner_text() and card.locator(".umkm-pcard__price").inner_text().startswith("Rp")
            in_view += 1
    assert in_view >= 2
    assert page.locator(".umkm-pcard__link").first.get_attribute("href").startswith("usaha/")


def first_view_bytes(browser: Any, base: str, path: str) -> tuple[int, list[str]]:
    """What a phone downloads to show a page (as Lighthouse's mobile preset: 412×823 at 1.75x),
    text gzip-compressed as a static host sends it; photos lazily loaded below the fold that the
    browser fetches early count too."""
    context = browser.new_context(viewport={"width": 412, "height": 823}, device_scale_factor=1.75, locale="id-ID")
    page = context.new_page()
    urls: list[str] = []
    page.on("requestfinished", lambda request: urls.append(request.url))
    page.goto(base + path, wait_until="networkidle")
    context.close()
    total = 0
    for url in urls:
        with urllib.request.urlopen(url) as response:  # our own test server, on 127.0.0.1
            data, kind = response.read(), response.headers.get_content_type()
        text = kind.startswith("text/") or kind in ("application/javascript", "application/json", "image/svg+xml", "application/manifest+json")
        total += len(gzip.compress(data, compresslevel=6)) if text else len(data)
    return total, urls


def test_a_business_page_first_view_is_at_most_150_kb(browser: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, records = sample
    sizes = {r.url: first_view_bytes(browser, base, r.url)[0] for r in records}
    assert max(sizes.values()) <= 150 * 1024, sorted(sizes.items(), key=lambda item: -item[1])[:3]


def no_sideways_scroll(page: Any) -> list[int]:
    return page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")


@pytest.mark.parametrize("text_size", [110, 200])
def test_larger_text_never_scrolls_sideways(page: Any, sample: tuple[str, list[SearchRecord]], text_size: int) -> None:
    base, _ = sample
    # The browser's own text size setting (Android's and Chrome's "text scaling"), as a buyer sets it.
    standard = round(16 * text_size / 100)
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": standard, "fixed": round(13 * text_size / 100)}})
    for path in ("", "cari/?q=keripik", "usaha/keripik-sari-rasa/", "sektor/kuliner/", "statistik/", "data/", "kecamatan/"):
        page.goto(base + path)
        if path.startswith("cari/"):
            wait_ready(page)
            open_filters(page)
        assert page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)") == pytest.approx(standard * 1.25)
        width = no_sideways_scroll(page)
        assert width[0] <= width[1] == MOBILE["width"], (path, text_size, width)
    # The search box keeps room for a query of a dozen letters.
    open_search(page, base, "?q=keripik")
    box = page.locator("#cari-q").bounding_box()
    letters = page.evaluate("() => { const s = getComputedStyle(document.querySelector('#cari-q')); return parseFloat(s.fontSize); }")
    assert box["width"] >= 6 * letters, (box, letters)


def tab_until(page: Any, selector: str, limit: int = 40) -> list[str]:
    """Press Tab until `selector` has focus; what took focus on the way."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => document.activeElement.matches({selector!r})"):
            return seen
        seen.append(page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)"))
    raise AssertionError(f"{selector} never took focus: {seen}")


def test_keyboard_reaches_the_search_box_and_the_content_first(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, _ = sample
    page.goto(base + "usaha/keripik-sari-rasa/")
    page.keyboard.press("Tab")
    skip = page.evaluate("() => [document.activeElement.textContent.trim(), document.activeElement.getAttribute('href')]")
    assert skip == ["Lewati ke isi", "#konten"]
    assert page.locator(".md-skip").is_visible()  # shown while it has focus
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('article') !== null")  # straight into the content
    page.goto(base + "usaha/keripik-sari-rasa/")
    before = tab_until(page, "#umkm-searchbar-q")
    assert len(before) <= 3, before  # skip link, colour scheme switch: never the closed side menu
    assert not any("md-nav__link" in html for html in before)
    # The closed drawer's links take no focus at all on a phone; the hidden back-to-top button neither.
    between = tab_until(page, ".umkm-feedback a, .md-footer-meta a")
    assert not any("md-nav__link" in html or "md-top" in html for html in between), between


def test_filter_checkboxes_show_where_the_focus_is(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, _ = sample
    open_search(page, base, "?q=keripik")
    open_filters(page)
    page.locator("[data-cari-panel] summary").focus()
    page.keyboard.press("Tab")
    style = page.evaluate("() => { const s = getComputedStyle(document.activeElement); return [document.activeElement.type, s.outlineStyle, parseFloat(s.outlineWidth)]; }")
    assert style[0] == "checkbox" and style[1] != "none" and style[2] >= 2, style


def test_search_and_filters_work_from_the_keyboard(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, _ = sample
    open_search(page, base)
    page.focus("#cari-q")
    page.keyboard.type("batik")
    page.keyboard.press("Enter")
    wait_ready(page)
    assert page.url.endswith("?q=batik")
    page.keyboard.press("Tab")  # the Cari button
    page.keyboard.press("Tab")  # the filter panel's summary
    assert page.evaluate("() => document.activeElement.textContent.trim().startsWith('Saring')")
    page.keyboard.press("Enter")
    open_filters(page)  # open now: its counts arrive, and values that would give nothing are hidden
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.name, document.activeElement.value]")
    page.keyboard.press("Space")
    wait_ready(page)
    assert page.url.endswith(f"?q=batik&{focused[0]}={focused[1]}")
    assert total(page) >= 1


def test_without_javascript_the_search_page_leads_to_the_browse_pages(browser: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, _ = sample
    context = browser.new_context(viewport=MOBILE, java_script_enabled=False)
    page = context.new_page()
    page.goto(base)
    page.fill("#umkm-searchbar-q", "keripik")  # the header box is a plain form: it leads here without script
    page.press("#umkm-searchbar-q", "Enter")
    page.wait_for_url("**/cari/?q=keripik")
    assert page.locator("[data-cari-nojs]").is_visible()
    assert "Pencarian kata memerlukan JavaScript" in page.locator("[data-cari-nojs]").inner_text()
    assert not page.locator("[data-cari-form]").is_visible()
    assert not page.locator("[data-cari-status]").is_visible()  # no "loading" that never ends
    hrefs = page.locator(".umkm-cari__browse a").evaluate_all("links => links.map(a => a.pathname)")
    assert {"/sektor/", "/kecamatan/", "/sertifikasi/", "/sektor/kuliner/"} <= set(hrefs)
    context.close()


@pytest.mark.parametrize(
    ("path", "viewport", "scheme"),
    [
        ("", MOBILE, "light"),
        ("usaha/keripik-sari-rasa/", MOBILE, "light"),
        ("sektor/kuliner/", MOBILE, "light"),
        ("cari/?q=keripik", MOBILE, "light"),
        ("cari/?sertifikasi=halal", DESKTOP, "light"),
        ("statistik/", MOBILE, "light"),
        ("data/", MOBILE, "light"),
        ("daftar/", MOBILE, "light"),
        ("kecamatan/", DESKTOP, "light"),
        # Dark mode: Material follows the phone's setting; the search-term highlight among others.
        ("", MOBILE, "dark"),
        ("cari/?q=keripik+balado", MOBILE, "dark"),
        ("cari/?q=sari", MOBILE, "dark"),
        ("usaha/keripik-sari-rasa/", MOBILE, "dark"),
    ],
)
def test_axe_finds_no_serious_accessibility_problem(
    browser: Any, sample: tuple[str, list[SearchRecord]], path: str, viewport: dict[str, int], scheme: str
) -> None:
    import axe_playwright_python

    base, _ = sample
    context = browser.new_context(viewport=viewport, locale="id-ID", bypass_csp=True, color_scheme=scheme)  # bypass: to inject axe
    page = context.new_page()
    page.goto(base + path)
    if path.startswith("cari/"):
        wait_ready(page)
        open_filters(page)
        if "q=" in path:
            assert page.locator(".umkm-result").count() > 0
    if scheme == "dark":
        assert page.evaluate("() => document.body.dataset.mdColorScheme") == "slate"
    page.add_script_tag(path=str(Path(axe_playwright_python.__file__).parent / "axe.min.js"))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    context.close()
    serious = [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_gallery_lightbox_opens_steps_and_closes(browser: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, _ = sample
    context = browser.new_context(viewport=MOBILE, has_touch=True, locale="id-ID")
    page = context.new_page()
    page.goto(base + "usaha/griya-batik-lumbung-padi/")
    links = page.locator("[data-umkm-gallery] a.umkm-gallery__link")
    assert links.count() >= 2
    links.first.click()
    dialog = page.locator("dialog.umkm-lightbox")
    dialog.wait_for(state="visible")
    first = page.locator(".umkm-lightbox__image").evaluate("img => img.src")
    assert first == links.first.evaluate("a => new URL(a.dataset.umkmFull, document.baseURI).href")
    assert first.endswith(".webp") and links.first.get_attribute("href").endswith(".jpg")  # the JPEG is for browsing without script
    caption = page.locator(".umkm-lightbox__caption")
    assert caption.inner_text().endswith(f"1 / {links.count()}")
    page.keyboard.press("ArrowRight")
    assert caption.inner_text().endswith(f"2 / {links.count()}")
    page.locator(".umkm-lightbox__prev").tap()
    assert caption.inner_text().endswith(f"1 / {links.count()}")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.url.endswith("usaha/griya-batik-lumbung-padi/")  # never navigated away
    context.close()


def test_back_closes_the_photo_viewer_and_then_leaves_the_page(browser: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, _ = sample
    context = browser.new_context(viewport=MOBILE, has_touch=True, locale="id-ID")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(base + "sektor/fesyen/")
    page.goto(base + "usaha/griya-batik-lumbung-padi/")
    dialog = page.locator("dialog.umkm-lightbox")
    page.locator("[data-umkm-gallery] a.umkm-gallery__link").first.tap()
    dialog.wait_for(state="visible")
    page.go_back()  # the phone's Back button
    dialog.wait_for(state="hidden")
    assert page.url == base + "usaha/griya-batik-lumbung-padi/"
    # Closed with its own button, the viewer leaves no step behind: one Back leaves the page.
    page.locator("[data-umkm-gallery] a.umkm-gallery__link").nth(1).tap()
    dialog.wait_for(state="visible")
    page.locator(".umkm-lightbox__close").tap()
    dialog.wait_for(state="hidden")
    page.wait_for_function("() => !(history.state && history.state.umkmGaleri)")
    page.go_back()
    page.wait_for_url(base + "sektor/fesyen/")
    context.close()


def test_print_documents_work_under_the_policy_and_print_on_paper(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    # A flyer, a sticker and a printed catalog opened from the site: no blocked script or style
    # (the `page` fixture fails on any console error), the print button shown by assets/cetak.js,
    # the print date filled in for the page margins, and a page of paper laid out by @page.
    base, _ = sample
    for path in ("cetak/flyer/keripik-sari-rasa/", "cetak/stiker/keripik-sari-rasa/", "cetak/katalog/sektor/kuliner/"):
        page.goto(base + path)
        page.locator("[data-umkm-cetak] button").wait_for(state="visible")
        printed = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--umkm-dicetak')")
        assert re.fullmatch(r'"Dicetak \d{1,2} \w+ \d{4}"', printed.strip()), printed
        data = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--umkm-data-per')")
        assert data.strip().startswith('"Data per '), data
    page.emulate_media(media="print")
    assert not page.locator("[data-umkm-cetak]").is_visible()  # the button is not printed
    pdf = page.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    # The business page links its QR code, which is served as an image.
    page.goto(base + "usaha/keripik-sari-rasa/")
    qr = page.locator('img[src$="qr/keripik-sari-rasa.svg"]')
    qr.scroll_into_view_if_needed()  # loaded lazily, below the fold
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    assert page.locator('a[download="qr-keripik-sari-rasa.svg"]').inner_text() == "Unduh QR"


# --- the phone form (daftar/): no account, no server -------------------------------------------------

# What the owner types into the form, and the same business written by hand as an entry.
HAND_WRITTEN = """---
nama: Warung Bu Tini *Asli*
sektor: kuliner
kecamatan: Karangbahagia
desa: Karangsatu
ringkasan: Kue basah dan nasi kuning untuk acara, dibuat setiap pagi.
berdiri: 2014
nib: "9120400112233"
kapasitas: 300 kotak per hari
kontak:
  whatsapp: "0857-1111-2233"
  instagram: warung_bu_tini
toko_online:
  - platform: shopee
    url: https://shopee.co.id/warung_bu_tini
sertifikasi:
  - jenis: pirt
    nomor: 2063216010123-28
    produk: [Kue Cucur "Gula Aren", Nasi Kuning]
produk:
  - nama: Kue Cucur "Gula Aren"
    harga: 2500
    satuan: buah
    deskripsi: Gula aren asli, _tanpa_ pengawet, ~manis~ pas.
  - nama: Nasi Kuning
    harga: 15000
    satuan: kotak
diperbarui: 2026-11-28
persetujuan: 2026-11-28
---
Warung kami berdiri sejak 2014 di Karangsatu.

Pesanan acara:

- arisan dan pengajian
- rapat kantor
"""


def form_item(page: Any, group: str, number: int) -> Any:
    """The `number`-th item (1-based) of a repeatable group, added when it is not there yet."""
    items = page.locator(f"[data-kelompok={group}] [data-butir]")
    while items.count() < number:
        page.click(f"[data-kelompok={group}] [data-tambah]")
    return items.nth(number - 1)


def fill_item(item: Any, values: dict[str, str]) -> None:
    for path, value in values.items():
        control = item.locator(f'[data-jalur="{path}"]')
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)


def compose_message(page: Any) -> str:
    """Send the form's "Susun pesan" and return the text the WhatsApp link carries."""
    from urllib.parse import parse_qs, urlsplit

    page.click("[data-umkm-formulir] button[type=submit]")
    page.wait_for_selector("[data-hasil]:not([hidden])")
    href = page.get_attribute("[data-kirim-wa]", "href")
    budget = int(page.get_attribute("[data-umkm-formulir]", "data-batas"))
    assert href.startswith("https://wa.me/6281200000000?text=") and len(href) <= budget, len(href)
    return parse_qs(urlsplit(href).query)["text"][0]


def agree(page: Any) -> None:
    for box in page.locator("[data-setuju]").all():
        box.check()


def phone_project(tmp_path: Path, slugs: tuple[str, ...] = ()) -> Path:
    project = tmp_path / "proyek"
    project.mkdir(parents=True)
    for name in ("mkdocs.yml", "wilayah.yml"):
        shutil.copy(ROOT / name, project / name)
    for folder in ("theme", "halaman"):
        shutil.copytree(ROOT / folder, project / folder)
    (project / "catalog").mkdir()
    for slug in slugs:
        shutil.copytree(ROOT / "catalog" / slug, project / "catalog" / slug)
    return project


def run_from_pesan(project: Path, text: str, *args: str) -> int:
    from generator import cli

    (project / "pesan.txt").write_text(text, encoding="utf-8")
    return cli.main(["-f", str(project / "mkdocs.yml"), "dari-pesan", str(project / "pesan.txt"), "--tanggal", TODAY.isoformat(), *args])


def validated(project: Path, slug: str) -> Any:
    import dataclasses

    settings = load_settings(str(project / "mkdocs.yml"), TODAY.isoformat())
    catalog, problems = check_catalog(settings, only=[project / "catalog" / slug], photos=False)
    assert catalog is not None and not errors_in(problems), problems
    return dataclasses.replace(catalog.entries[0], source=Path("index.md"))


def test_the_phone_form_becomes_the_entry_written_by_hand(
    page: Any, sample: tuple[str, list[SearchRecord]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.core.phoneform import web_form
    from generator.core.region import load_region
    from tests.conftest import whatsapp

    base, _ = sample
    region, _ = load_region(ROOT / "wilayah.yml")
    assert region is not None
    nib_message = next(dict(p.messages)["pola"] for p in web_form(region, site_name="").parts if getattr(p, "path", ()) == ("nib",))
    page.goto(base + "daftar/")
    page.wait_for_selector("[data-umkm-formulir]:not([hidden])")
    page.fill("#f-nama", "Warung Bu Tini *Asli*")
    page.select_option("#f-sektor", "kuliner")
    page.fill("#f-kecamatan", "Karang Bahagia")  # a spelling the region file lists as a variant
    page.fill("#f-ringkasan", "Kue basah dan nasi kuning untuk acara, dibuat setiap pagi.")
    page.fill("#f-nib", "9120 4001")
    agree(page)
    # One invalid field: the browser refuses to compose, with the schema's own message.
    page.click("[data-umkm-formulir] button[type=submit]")
    assert page.eval_on_selector("#f-nib", "el => el.validationMessage") == nib_message
    assert page.is_hidden("[data-hasil]")
    page.fill("#f-nib", "9120 4001 12233")
    fill_item(form_item(page, "produk", 1), {"nama": 'Kue Cucur "Gula Aren"', "harga": "2500", "satuan": "buah"})
    page.wait_for_function("() => (localStorage.getItem('umkm-formulir:daftar') || '').includes('buah')")
    # The connection drops, the tab is closed: the draft comes back.
    page.reload()
    page.wait_for_function("() => document.querySelector('#f-nama').value !== ''")
    assert page.input_value("#f-nama") == "Warung Bu Tini *Asli*"
    assert page.input_value("#f-nib") == "9120 4001 12233"
    assert form_item(page, "produk", 1).locator('[data-jalur="nama"]').input_value() == 'Kue Cucur "Gula Aren"'
    assert "Draf yang tersimpan di ponsel ini dipulihkan." in page.inner_text("[data-status]")
    assert page.is_checked("[data-setuju='1']")
    page.fill("#f-desa", "Karangsatu")
    page.fill("#f-berdiri", "2014")
    page.fill("#f-kapasitas", "300 kotak per hari")
    page.fill("#f-kontak-whatsapp", "0857-1111-2233")
    page.fill("#f-kontak-instagram", "warung_bu_tini")
    fill_item(form_item(page, "produk", 1), {"deskripsi": "Gula aren asli, _tanpa_ pengawet, ~manis~ pas."})
    fill_item(form_item(page, "produk", 2), {"nama": "Nasi Kuning", "harga": "15000", "satuan": "kotak"})
    fill_item(form_item(page, "toko_online", 1), {"platform": "shopee", "url": "https://shopee.co.id/warung_bu_tini"})
    fill_item(form_item(page, "sertifikasi", 1), {"jenis": "pirt", "nomor": "2063216010123-28", "produk": 'Kue Cucur "Gula Aren"\nNasi Kuning'})
    page.fill("#f-cerita", "Warung kami berdiri sejak 2014 di Karangsatu.\n\nPesanan acara:\n\n- arisan dan pengajian\n- rapat kantor")
    width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1] == MOBILE["width"]
    text = compose_message(page)
    assert text.startswith("Halo Dinas Koperasi dan UKM Kabupaten Bekasi, saya ingin mendaftarkan usaha ke Katalog UMKM Kabupaten Bekasi.")
    assert "Kecamatan: Karang Bahagia" in text and "Sektor usaha: Kuliner" in text
    # What WhatsApp does on the way: markers, curly quotes, collapsed blank lines, wrapped lines, forwarded.
    monkeypatch.chdir(tmp_path)
    project = phone_project(tmp_path)
    assert run_from_pesan(project, whatsapp(text, width=31)) == 0
    by_hand = phone_project(tmp_path / "tangan")
    (by_hand / "catalog" / "warung-bu-tini-asli").mkdir()
    (by_hand / "catalog" / "warung-bu-tini-asli" / "index.md").write_text(HAND_WRITTEN, encoding="utf-8")
    assert validated(project, "warung-bu-tini-asli") == validated(by_hand, "warung-bu-tini-asli")


def from_business_page(page: Any, sample: tuple[str, list[SearchRecord]], button: str, mode: str) -> None:
    """Keripik Sari Rasa's page, then one of its buttons, which opens the phone form for it."""
    base, _ = sample
    page.goto(base + "usaha/keripik-sari-rasa/")
    page.click(f"text={button}")
    page.wait_for_url(f"**/daftar/?{mode}=keripik-sari-rasa")


# Keripik Sari Rasa's page-only fields as its page shows them (catalog/keripik-sari-rasa/index.md),
# by the id of the form's input, as an owner writes them.
SHOWN_ON_PAGE = {
    "#f-kontak-whatsapp": "081219345521",  # wa.me/6281219345521, "0812-1934-5521" in the entry
    "#f-kontak-telepon": "02188321457",  # tel:+622188321457
    "#f-kontak-email": "keripiksarirasa@example.id",
    "#f-alamat": "Kp. Pulo Sirih RT 03/RW 07",
    "#f-pemilik": "Ibu Rohimah",
    "#f-lokasi": "-6.2712, 107.0851",
}


def open_update(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    """"Perbarui data" from Keripik Sari Rasa's page: the form prefilled with everything the page publishes.

    The public fields come from usaha/keripik-sari-rasa/formulir.json; the page-only ones (phone
    numbers, email, owner, address, map point), which no data file holds, from the business page."""
    loaded: list[str] = []  # pages and fetched files: what a scraper of the form would get
    page.on("request", lambda request: request.resource_type in ("document", "fetch", "xhr") and loaded.append(request.url))
    from_business_page(page, sample, "Perbarui data", "perbarui")
    page.wait_for_function("() => document.querySelector('#f-nama').value === 'Keripik Sari Rasa'")
    assert page.inner_text("[data-judul-formulir]") == "Perbarui data: Keripik Sari Rasa"
    assert {selector: page.input_value(selector) for selector in SHOWN_ON_PAGE} == SHOWN_ON_PAGE
    assert "tidak dapat dimuat" not in page.inner_text("[data-status]")
    # Only that business's data: its formulir.json and its page, nothing of any other business.
    base, _ = sample
    assert {url.removeprefix(base) for url in loaded if url.startswith(base + "usaha/")} == {
        "usaha/keripik-sari-rasa/", "usaha/keripik-sari-rasa/formulir.json",
    }  # fmt: skip


@pytest.fixture
def update_message(page: Any, sample: tuple[str, list[SearchRecord]]) -> str:
    """"Perbarui data" from Keripik Sari Rasa's page: its published data prefilled, one price and one product changed."""
    open_update(page, sample)
    first = form_item(page, "produk", 1)
    assert first.locator('[data-jalur="nama"]').input_value() == "Keripik Singkong Balado"
    first.locator('[data-jalur="harga"]').fill("20000")
    products = page.locator("[data-kelompok=produk] [data-butir]").count()
    fill_item(form_item(page, "produk", products + 1), {"nama": "Emping Melinjo", "harga": "12000", "satuan": "bungkus"})
    agree(page)
    text = compose_message(page)
    assert "Yang diubah:\n• Produk «Keripik Singkong Balado»: Harga (rupiah): 20000\n• Produk «Emping Melinjo» (baru): Harga (rupiah): 12000; Satuan: bungkus\n" in text
    return text


def test_an_update_from_the_number_on_file_is_written(update_message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import whatsapp

    monkeypatch.chdir(tmp_path)
    project = phone_project(tmp_path, ("keripik-sari-rasa",))
    before = validated(project, "keripik-sari-rasa")
    assert run_from_pesan(project, whatsapp(update_message), "--dari", "+62 812-1934-5521") == 0
    after = validated(project, "keripik-sari-rasa")
    assert after.produk[0].harga == 20000 and after.produk[-1].nama == "Emping Melinjo"
    # Nothing else changed: the form sent only what the owner changed.
    assert (after.nama, after.kontak, after.toko_online, after.sertifikasi, after.cerita, after.produk[1:-1]) == (
        before.nama, before.kontak, before.toko_online, before.sertifikasi, before.cerita, before.produk[1:],
    )  # fmt: skip


def test_an_owner_clears_a_page_only_field_and_only_that_field_is_removed(
    page: Any, sample: tuple[str, list[SearchRecord]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The phone number prefilled from the business page, cleared by its owner: the message says it is
    removed like any other field, and the entry written back lacks it and is otherwise identical."""
    import dataclasses

    from generator.intake.message import read_message
    from tests.conftest import whatsapp

    open_update(page, sample)
    page.fill("#f-kontak-telepon", "")
    agree(page)
    text = compose_message(page)
    assert "Yang diubah:\n• Nomor telepon: (dihapus)\n\n" in text
    assert read_message(text).changes == ((("kontak", "telepon"), None),)
    monkeypatch.chdir(tmp_path)
    project = phone_project(tmp_path, ("keripik-sari-rasa",))
    before = validated(project, "keripik-sari-rasa")
    assert before.kontak.telepon == "622188321457"
    assert run_from_pesan(project, whatsapp(text), "--dari", "+62 812-1934-5521") == 0
    after = validated(project, "keripik-sari-rasa")
    assert after == dataclasses.replace(before, kontak=dataclasses.replace(before.kontak, telepon=""), diperbarui=after.diperbarui)
    assert after.diperbarui == TODAY


def test_when_the_business_page_cannot_be_read_nothing_is_removed(browser: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    """The connection drops before the form reads the business page: the page-only fields stay empty,
    the form says so, and an empty field the owner did not touch removes nothing, then or later, when
    the draft comes back on a page that could be read."""
    from generator.intake.message import read_message

    base, _ = sample
    context = browser.new_context(viewport=MOBILE, locale="id-ID")  # not `page`: the failed fetch is a console error
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    business_page = "**/usaha/keripik-sari-rasa/"
    page.route(business_page, lambda route: route.abort() if route.request.resource_type == "fetch" else route.continue_())
    page.goto(base + "daftar/?perbarui=keripik-sari-rasa")
    page.wait_for_function("() => document.querySelector('[data-status]').textContent.includes('tidak dapat dimuat')")
    assert page.inner_text("[data-status]") == (
        "Alamat, Lokasi di peta, Nama pemilik, Nomor WhatsApp, Nomor telepon, Email tidak dapat dimuat dari halaman usaha: isi hanya bila berubah."
    )
    assert page.input_value("#f-nama") == "Keripik Sari Rasa"  # the public fields did load
    assert {selector: page.input_value(selector) for selector in SHOWN_ON_PAGE} == dict.fromkeys(SHOWN_ON_PAGE, "")
    form_item(page, "produk", 1).locator('[data-jalur="harga"]').fill("20000")
    agree(page)
    changes = read_message(compose_message(page)).changes
    assert [path[0] for path, _ in changes] == ["produk"]
    # Back online, the tab reopened: the draft returns, and the fields it never saw come from the page.
    page.unroute(business_page)
    page.reload()
    page.wait_for_function("() => document.querySelector('[data-status]').textContent.includes('dipulihkan')")
    assert {selector: page.input_value(selector) for selector in SHOWN_ON_PAGE} == SHOWN_ON_PAGE
    assert form_item(page, "produk", 1).locator('[data-jalur="harga"]').input_value() == "20000"
    assert read_message(compose_message(page)).changes == changes
    context.close()


def test_an_update_from_another_number_needs_verification(
    update_message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import whatsapp

    monkeypatch.chdir(tmp_path)
    project = phone_project(tmp_path, ("keripik-sari-rasa",))
    before = (project / "catalog" / "keripik-sari-rasa" / "index.md").read_text()
    assert run_from_pesan(project, whatsapp(update_message), "--dari", "0857-0000-1111") == 3
    assert (project / "catalog" / "keripik-sari-rasa" / "index.md").read_text() == before
    err = capsys.readouterr().err
    assert "PERLU VERIFIKASI" in err and "https://wa.me/6281219345521?text=" in err


# A busy food business as owners describe it: ten products with their own words, a story of a few paragraphs.
TEN_PRODUCTS = [
    ("Keripik Singkong Balado Pedas", "Singkong dari petani Cikarang, diiris tipis, digoreng minyak baru dan dibalur bumbu balado cabai merah."),
    ("Keripik Pisang Cokelat Lumer", "Pisang kepok matang dengan lapisan cokelat, renyah dan tidak terlalu manis, cocok untuk oleh-oleh."),
    ("Rempeyek Kacang Tanah", "Rempeyek tipis dengan kacang tanah utuh dan daun jeruk, digoreng dua kali agar tahan lama."),
    ("Kue Bawang Renyah", "Kue bawang gurih dari tepung terigu dan bawang putih asli, tanpa pengawet dan tanpa penyedap buatan."),
    ("Sambal Bawang Botol 200 ml", "Sambal bawang pedas dalam botol kaca steril, tahan tiga bulan di suhu ruang setelah dibuka."),
    ("Kerupuk Kulit Sapi", "Kerupuk kulit sapi pilihan, dijemur matahari dan digoreng pasir sehingga tidak berminyak."),
    ("Emping Melinjo Manis Pedas", "Emping melinjo dari Banten dengan gula merah dan cabai, renyah dan manisnya pas untuk camilan."),
    ("Dodol Betawi Ketan Hitam", "Dodol diaduk delapan jam di kuali tembaga, ketan hitam dan santan kelapa tua, dibungkus daun pisang."),
    ("Kacang Bawang Gurih", "Kacang tanah kupas digoreng dengan bawang putih dan daun jeruk, dikemas dalam toples plastik food grade."),
    ("Stik Keju Edam", "Stik keju dari keju edam asli dan tepung terigu protein sedang, gurih dan renyah, tanpa MSG."),
]
STORY = (
    "Sumber Rejeki berdiri pada 2015 di dapur rumah Ibu Sri di Karangasih. Awalnya hanya keripik singkong untuk warung "
    "tetangga; kini sepuluh produk dikirim ke toko oleh-oleh di Jabodetabek dan kantin kawasan industri Cikarang.\n\n"
    "Bahan dibeli langsung dari petani sekitar, digoreng setiap pagi dengan minyak baru, dan dikemas dalam kemasan "
    "bertanggal. Kami menerima pesanan bingkisan kantor, hantaran dan titip jual di koperasi karyawan."
)


def test_ten_products_three_certificates_and_three_shops_fit_in_the_whatsapp_link(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    from generator.intake.message import read_message

    base, _ = sample
    page.goto(base + "daftar/")
    page.wait_for_selector("[data-umkm-formulir]:not([hidden])")
    page.fill("#f-nama", "Aneka Olahan Pangan Sumber Rejeki Cikarang")
    page.select_option("#f-sektor", "kuliner")
    page.fill("#f-kecamatan", "Cikarang Utara")
    page.fill("#f-desa", "Karangasih")
    page.fill("#f-alamat", "Jl. Raya Industri No. 12, RT 03/RW 05")
    page.fill("#f-ringkasan", "Keripik, kue kering dan sambal kemasan dari bahan lokal, untuk oleh-oleh dan pengadaan kantor.")
    page.fill("#f-pemilik", "Ibu Sri Wahyuningsih")
    page.fill("#f-berdiri", "2015")
    page.fill("#f-nib", "9120301745899")
    page.fill("#f-kapasitas", "5.000 bungkus per bulan")
    page.fill("#f-kontak-whatsapp", "0812-3456-7890")
    page.fill("#f-kontak-email", "sumberrejeki.cikarang@example.id")
    page.fill("#f-kontak-instagram", "sumberrejeki_cikarang")
    for n, (nama, deskripsi) in enumerate(TEN_PRODUCTS, 1):
        fill_item(form_item(page, "produk", n), {"nama": nama, "harga": str(12000 + 1500 * n), "satuan": "bungkus 250 g", "deskripsi": deskripsi})
    for n, (jenis, nomor) in enumerate([("halal", "ID32110000145680399"), ("pirt", "2063216010123-29"), ("bpom", "MD 224510001234")], 1):
        fill_item(form_item(page, "sertifikasi", n), {"jenis": jenis, "nomor": nomor, "produk": f"{TEN_PRODUCTS[n][0]}\n{TEN_PRODUCTS[n + 3][0]}"})
    shops = [("tokopedia", "https://www.tokopedia.com/sumberrejeki"), ("shopee", "https://shopee.co.id/sumberrejeki"), ("padi-umkm", "https://padiumkm.id/toko/sumberrejeki")]
    for n, (platform, url) in enumerate(shops, 1):
        fill_item(form_item(page, "toko_online", n), {"platform": platform, "url": url})
    page.fill("#f-cerita", STORY)
    agree(page)
    text = compose_message(page)  # the link holds the whole message within the budget (asserted there)
    message = read_message(text)
    assert [c[0][1][1] for c in message.changes if c[0][0] == "produk"] == [nama for nama, _ in TEN_PRODUCTS]
    assert [c[0][1][1] for c in message.changes if c[0][0] == "sertifikasi"] == ["halal", "pirt", "bpom"]
    assert message.story == STORY


def test_reporting_wrong_data_needs_no_account_either(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    from urllib.parse import parse_qs, urlsplit

    from_business_page(page, sample, "Laporkan kesalahan", "laporkan")
    page.wait_for_selector("[data-umkm-laporan]:not([hidden])")
    assert page.inner_text("[data-judul-formulir]") == "Laporkan kesalahan data: Keripik Sari Rasa"
    assert page.is_hidden("[data-umkm-formulir]")
    page.click("[data-umkm-laporan] button[type=submit]")
    assert page.eval_on_selector("#f-masalah", "el => el.validationMessage") == "Apa yang salah? wajib diisi."
    page.fill("#f-masalah", "Nomor WhatsApp sudah tidak aktif sejak Oktober.")
    page.click("[data-umkm-laporan] button[type=submit]")
    page.wait_for_selector("[data-hasil]:not([hidden])")
    text = parse_qs(urlsplit(page.get_attribute("[data-kirim-wa]", "href")).query)["text"][0]
    assert text.startswith("Halo Dinas Koperasi dan UKM Kabupaten Bekasi, saya ingin melaporkan kesalahan data usaha Keripik Sari Rasa (keripik-sari-rasa)")
    assert "Apa yang salah?:\nNomor WhatsApp sudah tidak aktif sejak Oktober." in text
    assert page.get_attribute("[data-kirim-email]", "href").startswith("mailto:katalog.umkm@example.com?subject=Laporan%20kesalahan%3A%20Keripik%20Sari%20Rasa&body=")


def test_without_javascript_the_form_page_says_so_and_offers_the_other_ways(browser: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    base, _ = sample
    context = browser.new_context(viewport=MOBILE, java_script_enabled=False)
    page = context.new_page()
    page.goto(base + "daftar/")
    assert page.locator("[data-tanpa-js]").is_visible() and not page.locator("[data-umkm-formulir]").is_visible()
    assert page.locator("#cara-dinas").is_visible()
    context.close()


def test_the_phone_form_works_from_the_keyboard(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    """Adding and removing a product by keyboard keeps the focus where a screen-reader user expects
    it, and sending with a required field empty takes the focus to that field, with its message."""
    base, _ = sample
    page.goto(base + "daftar/")
    page.wait_for_selector("[data-umkm-formulir]:not([hidden])")
    page.focus("[data-kelompok=produk] [data-tambah]")
    page.keyboard.press("Enter")
    first = form_item(page, "produk", 1)
    assert page.evaluate("() => document.activeElement.dataset.jalur") == "nama"
    assert first.locator('[data-jalur="nama"]').evaluate("el => el === document.activeElement")
    page.keyboard.type("Nasi Uduk")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.dataset.jalur") == "harga"
    page.wait_for_function("() => document.querySelector('[data-status]').textContent.includes('ditambahkan')")
    first.locator("[data-hapus]").focus()
    page.keyboard.press("Enter")
    assert page.locator("[data-kelompok=produk] [data-butir]").count() == 0
    assert page.evaluate("() => document.activeElement.hasAttribute('data-tambah')")
    page.focus("[data-umkm-formulir] button[type=submit]")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "f-nama"
    assert page.eval_on_selector("#f-nama", "el => el.validationMessage") == "Nama usaha wajib diisi."
    assert page.is_hidden("[data-hasil]")


def test_salin_copies_the_whole_message_for_a_chat_or_an_email(page: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    """Without WhatsApp on the phone, the owner copies the message (or sends it by email): the same text as the link's."""
    from urllib.parse import parse_qs, urlsplit

    base, _ = sample
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base.rstrip("/"))
    page.goto(base + "daftar/")
    page.wait_for_selector("[data-umkm-formulir]:not([hidden])")
    page.fill("#f-nama", "Dapur Mpok Siti")
    page.select_option("#f-sektor", "kuliner")
    page.fill("#f-kecamatan", "Tambun Selatan")
    page.fill("#f-ringkasan", "Nasi uduk dan kue basah Betawi.")
    agree(page)
    text = compose_message(page)
    page.click("[data-salin]")
    page.wait_for_function("() => document.querySelector('[data-status]').textContent.startsWith('Pesan disalin.')")
    assert page.evaluate("() => navigator.clipboard.readText()") == text
    mail = urlsplit(page.get_attribute("[data-kirim-email]", "href"))
    assert mail.scheme == "mailto" and mail.path == "katalog.umkm@example.com"
    assert parse_qs(mail.query)["subject"] == ["Daftar usaha: Dapur Mpok Siti"]
    assert parse_qs(mail.query)["body"][0].replace("\r\n", "\n") == text


def test_the_light_dark_switch_follows_the_phone_then_the_buyer(browser: Any, sample: tuple[str, list[SearchRecord]]) -> None:
    """Our switch (assets/palette.js) in place of Material's palette component: the phone's dark
    setting on a first visit, a tap switches and is remembered on the next page, Enter switches
    back; and the page's colours are not re-applied when nothing changes (issue 17: blocking time)."""
    base, _ = sample
    context = browser.new_context(viewport=MOBILE, locale="id-ID", color_scheme="dark")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base + "sektor/kuliner/")
    scheme = "() => document.body.dataset.mdColorScheme"
    assert page.evaluate(scheme) == "slate"
    visible = page.locator("[data-umkm-palette] label:not([hidden])")
    assert visible.count() == 1
    assert visible.get_attribute("title") == "Mode terang"
    visible.click()
    assert page.evaluate(scheme) == "default"
    assert page.locator("[data-umkm-palette] label:not([hidden])").get_attribute("title") == "Mode gelap"

    # The next page opens light although the phone says dark, and nothing rewrites <body>'s colours.
    page.add_init_script(
        "new MutationObserver((changes) => { window.__colourWrites = (window.__colourWrites || 0) + changes.length; })"
        ".observe(document, {subtree: true, attributes: true, attributeFilter: ['data-md-color-scheme', 'data-md-color-primary', 'data-md-color-switching']});"
    )
    page.goto(base + "cari/?q=keripik")
    wait_ready(page)
    assert page.evaluate(scheme) == "default"
    # Material's inline script sets the stored colours once, before the first paint; no second write.
    assert page.evaluate("() => window.__colourWrites || 0") <= 2

    page.locator("[data-umkm-palette] input:checked").focus()
    page.keyboard.press("Enter")
    assert page.evaluate(scheme) == "slate"
    assert errors == []
    context.close()
