"""An account admin invites a colleague; the invitation email lands in the mail-drop folder, and the
colleague follows its link, chooses a password, and is signed in with the navigation of their role."""
import re

from support import wait_for_email


def test_invited_colleague_follows_the_emailed_link(browser, mail_dir):
    browser.sign_in("admin@bluefin.example")
    browser.open("/settings/users", "users")
    form = browser.find('form[action="/settings/users"]')
    form.find_element("css selector", "#invite-email").send_keys("noor@bluefin.example")
    form.find_element("css selector", "#invite-name").send_keys("Noor Haddad")
    browser.find('input[name="role"][value="1:incentives_user"]').click()
    browser.click_and_wait(browser.submit_button(form, "Create invitation"), "after inviting")
    assert "Invitation emailed to noor@bluefin.example" in (browser.text(".flash") or "")
    browser.sign_out()

    mail = wait_for_email(mail_dir, "noor@bluefin.example", "invitation")
    assert "Alex Morgan" in mail.subject and "Bluefin Consulting" in mail.subject
    link = re.search(r"https?://\S+/invitations/[A-Za-z0-9_-]{43}", mail.body).group(0)
    path = "/" + link.split("/", 3)[3]
    assert browser.open(path, "the emailed invitation link") == 200
    browser.find("#password").send_keys("a long enough password")
    browser.find("#password_confirmation").send_keys("a long enough password")
    form = browser.find('form[method="post"][action^="/invitations/"]')
    browser.click_and_wait(browser.submit_button(form, "Join and sign in"), "after accepting")
    assert browser.maybe("header.site-header .whoami") is not None, "signed in"
    assert "Noor Haddad" in browser.text("header.site-header .whoami")
    assert browser.nav_texts() == ["Home", "Engagements", "Customer claims", "Eligibility", "Payee profiles", "Enrollment", "Earnings"]
