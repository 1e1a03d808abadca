"""The second factor in Chromium: the administrator signs in with the demo's second factor and creates a regulator; the
new regulator scans nothing but reads the key beside the QR code, turns the second factor on with a code, keeps
the ten recovery codes; signs in again with a recovery code, finds it used up the next time, and signs in with
the authenticator's code."""
import re

import pytest

from tests.browser.conftest import assert_every_page_checked, check_page, fresh_code, journey_page, login

pytestmark = pytest.mark.browser

USERNAME, PASSWORD = "regulator-wuxi", "wuxi-regulator-2026"


def sign_out(page) -> None:
    with page.expect_navigation():
        page.click("header button >> text=退出登录")
    check_page(page)


def password_step(page, url: str) -> None:
    login(page, url, USERNAME, PASSWORD, totp_secret="")  # stops on the code page: the journey types the code
    assert "/login/code" in page.url


def type_code(page, code: str) -> str:
    page.fill("#code", code)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    return check_page(page)


def test_a_regulator_turns_on_the_second_factor_and_signs_in_with_a_code_and_a_recovery_code(browser, demo_server):
    url = demo_server.url
    admin = journey_page(browser)
    login(admin, url, "admin")  # the demo's administrator: password, then the code of the printed key
    assert admin.url.endswith("/regulator/")
    check_page(admin)
    admin.goto(url + "/regulator/accounts")
    check_page(admin)
    for field, value in [("#username", USERNAME), ("#display_name", "周监管"), ("#authority_name", "无锡市生态环境局"),
                         ("#division_code", "320200"), ("#password", PASSWORD), ("#confirm", PASSWORD)]:
        admin.fill(field, value)
    with admin.expect_navigation():
        admin.click("main button >> text=创建账户")
    assert USERNAME in check_page(admin)
    assert_every_page_checked(admin)
    admin.context.close()

    page = journey_page(browser)
    login(page, url, USERNAME, PASSWORD)  # no second factor yet (outside production it is the official's choice)
    assert page.url.endswith("/regulator/")
    check_page(page)
    with page.expect_navigation():
        page.click("nav >> text=第二重验证")
    shown = check_page(page)
    assert "设置第二重验证" in shown
    assert page.locator("figure.qr svg").count() == 1  # the QR code, drawn on the server, no script
    secret = page.inner_text("#totp-secret")
    shown = type_code(page, fresh_code(secret, USERNAME))
    assert "您的恢复码" in shown and "剩余恢复码：10 个" in shown
    recovery = page.locator("#recovery-codes code").all_inner_texts()
    assert len(recovery) == 10 and all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in recovery)
    sign_out(page)

    password_step(page, url)
    assert "监管工作台" in type_code(page, recovery[0])  # the phone is elsewhere: a recovery code
    sign_out(page)

    password_step(page, url)
    assert "验证码不正确或已使用" in type_code(page, recovery[0])  # the same recovery code, a second time
    assert "监管工作台" in type_code(page, fresh_code(secret, USERNAME))
    assert page.url.endswith("/regulator/")
    assert_every_page_checked(page)
    page.context.close()
