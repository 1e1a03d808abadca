"""Layout for everyone: the main pages fit a 375 px phone without sideways scrolling (every field still labelled),
and a firm profile prints on A4 without the site's navigation, header, footer or forms."""
import pytest

from tests.browser.conftest import assert_every_page_checked, check_page, docs_screenshot, journey_page, login, screenshot

pytestmark = pytest.mark.browser

SUJING = "913205001KM2U9AL7Q"
PUBLIC_PAGES = ["/", "/search?q=苏净", "/search?q=焦化&province=32&industry=C25", f"/units/{SUJING}",
                "/projects/D-126-0000001", "/similar?industry=C26&province=32", "/open-data", "/login",
                f"/compare?uscc={SUJING}&uscc=91120100YPRAC45T8A&uscc=91130100TX31B3EXGX&uscc=91510100K79DT6PK8H"
                "&industry=C26&min_area=1000",
                "/practitioner/register", "/practitioner/invitation"]
FIRM_PAGES = ["/practitioner/", "/practitioner/commitment", "/practitioner/details", "/practitioner/staff",
              "/practitioner/projects", "/practitioner/projects/new", "/practitioner/projects/D-126-0000001"]
REGULATOR_PAGES = ["/regulator/", "/regulator/projects", "/regulator/projects/1", "/regulator/units",
                   "/regulator/penalties", "/regulator/penalties/new", "/regulator/complaints",
                   "/regulator/persons/lookup", "/regulator/audit/project/1", "/regulator/withhold/project/1"]


def overflow(page) -> int:
    """How many CSS pixels the page is wider than the phone (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth") - 375


@pytest.fixture
def phone(browser):
    page = journey_page(browser, phone=True)
    yield page
    page.context.close()


def test_public_pages_fit_a_375_px_phone_in_both_languages(phone, demo_server):
    wide = {}
    for lang, html_lang in [("zh", "zh-CN"), ("en", "en")]:  # English words are longer
        for path in PUBLIC_PAGES:
            phone.goto(demo_server.url + path + ("&" if "?" in path else "?") + f"lang={lang}")
            check_page(phone, html_lang)
            if overflow(phone) > 0:
                wide[f"{path} ({lang})"] = overflow(phone)
    assert wide == {}
    phone.goto(demo_server.url + "/?lang=zh")  # back to Chinese, as the header link does
    check_page(phone)
    phone.goto(demo_server.url + f"/units/{SUJING}")
    person = phone.locator("main a[href^='/persons/']").first
    if person.count():
        person.click()
        check_page(phone)
        assert overflow(phone) <= 0, phone.url
    phone.goto(demo_server.url + f"/units/{SUJING}")
    check_page(phone)
    docs_screenshot(phone, "phone-firm-profile")
    assert_every_page_checked(phone)


def test_the_firms_and_the_regulators_pages_fit_a_375_px_phone_in_both_languages(phone, demo_server):
    wide = {}
    for username, paths in [(SUJING, FIRM_PAGES), ("regulator-suzhou", REGULATOR_PAGES)]:
        phone.context.clear_cookies()
        login(phone, demo_server.url, username)
        check_page(phone)  # the room's landing page
        for lang, html_lang in [("zh", "zh-CN"), ("en", "en")]:
            for path in paths:
                phone.goto(demo_server.url + path + f"?lang={lang}")
                check_page(phone, html_lang)
                if overflow(phone) > 0:
                    wide[f"{path} ({lang})"] = overflow(phone)
        phone.goto(demo_server.url + "/?lang=zh")  # back to Chinese for the next person
        check_page(phone)
    assert wide == {}
    phone.goto(demo_server.url + "/regulator/penalties/new")
    check_page(phone)
    screenshot(phone, "phone-penalty-form")
    assert_every_page_checked(phone)


def test_a_firm_profile_prints_on_a4_without_the_navigation(page, demo_server, tmp_path):
    page.goto(demo_server.url + f"/units/{SUJING}")
    check_page(page)
    page.emulate_media(media="print")
    hidden = page.evaluate("""() => ['header.site-header', 'header nav', 'footer.site-footer', '.skip-link', 'main form']
        .flatMap(s => Array.from(document.querySelectorAll(s)))
        .filter(el => getComputedStyle(el).display !== 'none').map(el => el.outerHTML.slice(0, 80))""")
    assert hidden == []
    assert page.locator("h1").is_visible() and "一、基本情况信息" in page.inner_text("main")
    # A4 less 15 mm margins is 180 mm, 680 CSS pixels: at that width nothing is cut off inside a scrolling box
    # (a scrollbar on paper hides the columns beyond it).
    page.set_viewport_size({"width": 680, "height": 960})
    clipped = page.evaluate("""() => Array.from(document.querySelectorAll('main *'))
        .filter(el => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
        .map(el => el.tagName + '.' + el.className)""")
    assert clipped == [] and page.evaluate("document.documentElement.scrollWidth") <= 680
    pdf = tmp_path / "profile.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and b"/MediaBox [0 0 595" in data  # A4 is 595 x 842 points
