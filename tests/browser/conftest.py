"""Real-browser journeys: the app served by gunicorn on 127.0.0.1 (a free port, a fresh database), driven by
Debian's Chromium through Playwright. Skipped, saying why, where /usr/bin/chromium is missing; `.ci/run`
installs it, so CI always runs them.

`live_server` is one server per module (the demo data where the module sets `DEMO = True`); `demo_server` is one
demo server for the whole run, shared by the regulator's, the landowner's and the English journeys and the layout
checks. `check_page` is what every page must give everyone (lang, title, one h1, a label for every field, no
serious or critical axe-core violation);
`journey_page` + `assert_every_page_checked` prove it ran on every page a person landed on. README screenshots
go to docs/ through `docs_screenshot` (rewritten only with UPDATE_DOCS_SCREENSHOTS=1)."""
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import fresh_database
from tests.live_server import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    pytest.skip("Debian's Chromium is not installed (apt-get install -y chromium fonts-wqy-microhei)",
                allow_module_level=True)

# axe-core from the npm registry (`make axe`): every checked page must have no accessibility violation of impact
# "serious" or "critical" (moderate and minor ones are reported in the test's output, not failed on)
AXE = ROOT / "build" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
if not AXE.exists():
    pytest.skip("axe-core is not installed: `make axe` (needs npm)", allow_module_level=True)
AXE_SOURCE = AXE.read_text(encoding="utf-8")
FAILING_IMPACTS = ("serious", "critical")
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


@pytest.fixture(scope="module")
def module_database(database_template, tmp_path_factory):
    """A fresh, migrated database for one module of journeys."""
    workdir = tmp_path_factory.mktemp("live")
    with fresh_database(database_template, workdir, prefix="registry_live") as url:
        yield url, workdir


@pytest.fixture(scope="module")
def live_server(module_database, request):
    """The app under gunicorn; modules that set `DEMO = True` get the demo data set and accounts."""
    database_url, workdir = module_database
    server = LiveServer(database_url, workdir, demo=getattr(request.module, "DEMO", False))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def demo_server(database_template, tmp_path_factory):
    """One demo server (120 firms, the demo accounts) shared by the regulator's, the landowner's and the English
    journeys and the layout checks, so the demo is generated once per run."""
    workdir = tmp_path_factory.mktemp("demo")
    with fresh_database(database_template, workdir, prefix="registry_live") as url:
        server = LiveServer(url, workdir, demo=True)
        yield server
        server.stop()


_SHARED: dict = {"users": 0}


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run. Other folders import this fixture into their modules, which makes
    separate copies of it; they all share this one browser (Playwright allows one sync driver per thread)."""
    from playwright.sync_api import sync_playwright

    if _SHARED["users"] == 0:
        _SHARED["playwright"] = sync_playwright().start()
        _SHARED["browser"] = _SHARED["playwright"].chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    _SHARED["users"] += 1
    yield _SHARED["browser"]
    _SHARED["users"] -= 1
    if _SHARED["users"] == 0:
        _SHARED["browser"].close()
        _SHARED["playwright"].stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str, full_page: bool = True) -> Path:
    """Save a screenshot of a key step under test-artifacts/screenshots/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


DOCS = ROOT / "docs"
DEMO_PASSWORD = "demo-password-2026"
DEMO_TOTP_SECRET = "DEMOTOTPKEYFORSOILREGISTRYDEMOXX"  # printed by the demo, as the newcomer test checks

# Visible form controls that a screen reader could not name: no <label>, no aria-label, no aria-labelledby.
UNLABELLED_CONTROLS = """() => Array.from(document.querySelectorAll('input, select, textarea')).filter(el => {
  if (['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type)) return false;
  const style = getComputedStyle(el);
  if (style.display === 'none' || style.visibility === 'hidden' || el.getClientRects().length === 0) return false;
  if (el.closest('[aria-hidden="true"]')) return false;
  const byLabel = Array.from(el.labels || []).some(label => label.textContent.trim());
  const byAria = (el.getAttribute('aria-label') || '').trim() || (el.getAttribute('aria-labelledby') || '').trim();
  return !byLabel && !byAria;
}).map(el => el.outerHTML.slice(0, 160))"""


_VISITED: dict[int, list[str]] = {}
_WITHOUT_SCRIPTS: set[int] = set()
_CHECKED: dict[int, set[str]] = {}


def journey_page(browser, locale: str = "zh-CN", phone: bool = False, javascript: bool = True):
    """A page in its own browser context (its own cookies: one person) that remembers every page it lands on,
    so that `assert_every_page_checked` can prove `check_page` ran on each of them. `phone`: a 375 px touch
    screen at twice the pixel density; `javascript=False`: the page's scripts are switched off."""
    screen = dict(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, device_scale_factor=2) \
        if phone else dict(viewport={"width": 1280, "height": 900})
    page = browser.new_context(locale=locale, java_script_enabled=javascript, **screen).new_page()
    page.set_default_timeout(10_000)
    if not javascript:
        _WITHOUT_SCRIPTS.add(id(page))
    _VISITED[id(page)] = visited = []
    _CONSOLE_ERRORS[id(page)] = errors = []
    page.on("framenavigated", lambda frame: visited.append(frame.url) if frame.parent_frame is None else None)
    # The content security policy forbids inline scripts and styles; the browser reports each refusal here.
    page.on("console", lambda message: errors.append(f"{page.url}: {message.text}")
            if message.type == "error" and message.location.get("url") != page.url else None)  # (a page's own
    # status, such as the 404 of a withheld record, is the journey's to assert)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    return page


_CONSOLE_ERRORS: dict[int, list[str]] = {}


def assert_every_page_checked(page) -> None:
    """Every page the journey landed on had its `lang` and its labels checked, and none made the browser report
    an error (a refused inline style or script, a missing file)."""
    unchecked = {u.split("#")[0] for u in _VISITED.pop(id(page), [])} - _CHECKED.pop(id(page), set())
    assert unchecked == set(), f"pages never checked: {sorted(unchecked)}"
    assert _CONSOLE_ERRORS.pop(id(page), []) == []


def accessibility_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as shown (its source is evaluated through the
    browser's debugging protocol, which the page's content security policy does not govern, and it leaves the
    page's own scripts alone); the moderate and minor ones are printed."""
    if id(page) in _WITHOUT_SCRIPTS:
        # axe waits on timers, which never fire where scripts are off: the same page, as shown (its HTML, with
        # its styles through a <base>), is examined in a page of its own where they run
        scratch = page.context.browser.new_context(viewport=page.viewport_size).new_page()
        try:
            base = f'<base href="{page.url}">'
            scratch.set_content(page.content().replace("<head>", "<head>" + base, 1))
            return accessibility_violations(scratch)
        finally:
            scratch.context.close()
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    violations = page.evaluate(RUN_AXE)
    for v in violations:
        if v["impact"] not in FAILING_IMPACTS:
            print(f"axe ({v['impact']}) {v['id']} on {page.url}: {v['nodes']}")
    return [v for v in violations if v["impact"] in FAILING_IMPACTS]


def check_page(page, lang: str = "zh-CN") -> str:
    """What every page of a journey must give everyone: a `lang`, a title, one main heading, and a name for every
    visible field.
    Returns the main text, for the journey's own assertions."""
    from playwright.sync_api import Error

    for attempt in range(3):  # a click may still be committing its navigation: wait for the new page
        page.wait_for_load_state()
        try:
            shown_lang = page.evaluate("document.documentElement && document.documentElement.lang")
        except Error:
            shown_lang = None
        if shown_lang is not None:
            break
        time.sleep(0.2)
    assert shown_lang == lang, page.url
    assert page.evaluate(UNLABELLED_CONTROLS) == [], page.url
    assert page.title().strip() and page.locator("h1").count() == 1, page.url  # a title and one main heading
    assert accessibility_violations(page) == [], page.url
    _CHECKED.setdefault(id(page), set()).add(page.url.split("#")[0])
    main = page.inner_text("main")
    if lang == "zh-CN":  # Chinese sentences follow each other without a space (an English join shows as "。 ")
        assert not re.search(r"。 +[\u4e00-\u9fff]", main), (page.url, re.findall(r".{0,12}。 +\S.{0,8}", main))
    return main


def login(page, url: str, username: str, password: str = DEMO_PASSWORD, totp_secret: str = DEMO_TOTP_SECRET) -> None:
    """Sign in through the login page, as a person would; a regulator or administrator then types the code of
    the authenticator app (computed from the key the demo prints) on the second page; with no key, the sign-in
    stops there."""
    page.goto(url + "/login")
    check_page(page, page.evaluate("document.documentElement.lang"))
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    if "/login/code" in page.url and totp_secret:
        check_page(page, page.evaluate("document.documentElement.lang"))
        page.fill("#code", fresh_code(totp_secret, (url, username)))
        with page.expect_navigation():
            page.click("main button[type=submit]")


_LAST_STEP: dict = {}


def fresh_code(secret: str, account) -> str:
    """The authenticator's code, waiting for the next half-minute when this account already used this one
    (a code signs in once)."""
    import pyotp

    totp = pyotp.TOTP(secret)
    while int(time.time() // totp.interval) <= _LAST_STEP.get(account, -1):
        time.sleep(0.5)
    _LAST_STEP[account] = int(time.time() // totp.interval)
    return totp.at(_LAST_STEP[account] * totp.interval)


def tab_to(page, selector: str, limit: int = 80) -> int:
    """Press Tab until the element matching `selector` has the focus (the keyboard's own path through the page);
    returns how many presses it took, and fails if the element is never reached."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} never received the focus by Tab on {page.url}")


def focused_label(page) -> str:
    """The visible label (or aria-label) of the element that has the focus."""
    return page.evaluate("""() => { const el = document.activeElement;
      const label = Array.from(el.labels || []).map(l => l.textContent.trim()).join(' ');
      return label || el.getAttribute('aria-label') || el.textContent.trim(); }""")


def docs_screenshot(page, name: str, full_page: bool = False) -> Path:
    """A README screenshot of a real page: always saved under test-artifacts/, and written to docs/NAME.png
    when UPDATE_DOCS_SCREENSHOTS=1 or when docs/ does not have it yet (so a normal run never rewrites docs/)."""
    path = screenshot(page, "docs-" + name, full_page=full_page)
    target = DOCS / f"{name}.png"
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1" or not target.exists():
        DOCS.mkdir(exist_ok=True)
        shutil.copyfile(path, target)
    return target


def press_and_follow(page, key: str = "Enter") -> None:
    """Press a key that submits a form or follows a link, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def choose_by_keyboard(page, option_text: str, limit: int = 200) -> None:
    """On the focused <select>, press ArrowDown until the option reading `option_text` is chosen."""
    for _ in range(limit):
        chosen = page.evaluate("() => document.activeElement.selectedOptions[0].textContent.trim()")
        if chosen == option_text:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {option_text!r} in the focused list on {page.url}")
