"""On a 375 px phone the firm profile, the search results and the similar-parcel results read as stacked cards:
nothing scrolls sideways, not even inside a table, and no cell is squeezed into a column narrower than three
characters; the filter panels are folded away, saying how many filters are set."""
import os

import pytest

from tests.browser.conftest import AXE_SOURCE, assert_every_page_checked, check_page, journey_page, login

pytestmark = pytest.mark.browser

SUJING = "913205001KM2U9AL7Q"
PAGES = [f"/units/{SUJING}", "/search?q=苏净", "/search?q=焦化&province=32", "/similar?industry=C26&province=32",
         "/projects/D-126-0000001"]
# every element wider than the screen or scrolling sideways, and every table cell whose text wraps in a column
# narrower than three characters of its font
SQUEEZED = """() => {
  const wide = Array.from(document.querySelectorAll('main *')).filter(el => el.getClientRects().length
      && (el.getBoundingClientRect().right > innerWidth + 1 || el.scrollWidth > el.clientWidth + 1
          && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX))).map(el => el.tagName + '.' + el.className);
  const narrow = Array.from(document.querySelectorAll('main td, main th')).filter(cell => {
    const style = getComputedStyle(cell);
    const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return cell.getClientRects().length && cell.getBoundingClientRect().right > 0  // not moved off screen
        && cell.innerText.trim().length > 3
        && inner < 3 * parseFloat(style.fontSize);
  }).map(cell => cell.innerText.trim().slice(0, 20));
  return {scroll: document.scrollingElement.scrollWidth - innerWidth, wide, narrow};
}"""


def test_the_firm_search_and_similar_pages_are_stacked_cards_on_a_phone(browser, demo_server):
    phone = journey_page(browser, phone=True)
    found = {}
    for lang, html_lang in [("zh", "zh-CN"), ("en", "en")]:
        for path in PAGES:
            phone.goto(demo_server.url + path + f"&lang={lang}" if "?" in path else demo_server.url + path + f"?lang={lang}")
            check_page(phone, html_lang)
            layout = phone.evaluate(SQUEEZED)
            if layout["scroll"] > 0 or layout["wide"] or layout["narrow"]:
                found[f"{path} ({lang})"] = layout
            if os.environ.get("PHONE_SCREENSHOTS"):  # to look at them: a directory outside the repository
                name = path.strip("/").replace("/", "-").replace("?", "-").replace("&", "-")
                phone.screenshot(path=f"{os.environ['PHONE_SCREENSHOTS']}/{name}-{lang}.png", full_page=True)
    assert found == {}, found
    # the search's filters are folded away until one is set, and say how many are
    phone.goto(demo_server.url + "/search?q=苏净&lang=zh")
    check_page(phone)
    assert phone.locator("details.filter-panel").get_attribute("open") is None
    phone.goto(demo_server.url + "/search?q=焦化&province=32&industry=C25")
    check_page(phone)
    assert phone.locator("details.filter-panel").get_attribute("open") is not None
    assert "已设2项" in phone.locator("details.filter-panel summary").inner_text()
    assert_every_page_checked(phone)
    phone.context.close()


def test_every_table_header_of_the_regulators_project_page_has_a_name(browser, demo_server):
    # axe-core's "empty-table-header" (minor): the column of links to act on a review is named for screen readers
    page = journey_page(browser)
    login(page, demo_server.url, "regulator-suzhou")
    check_page(page)
    page.goto(demo_server.url + "/regulator/projects")
    check_page(page)
    projects = page.eval_on_selector_all("main a[href^='/regulator/projects/']", "links => links.map(a => a.href)")
    checked = 0
    for url in projects[:10]:
        page.goto(url)
        check_page(page)
        if not page.locator("main table th").count():
            continue  # no review recorded yet
        page.evaluate(AXE_SOURCE)
        found = page.evaluate("async () => (await axe.run(document, {runOnly: ['empty-table-header']})).violations")
        assert found == [], url
        checked += 1
    assert checked
    assert_every_page_checked(page)
    page.context.close()
