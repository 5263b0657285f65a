"""Certificates in a real browser: the enterprise downloads its certificate, and anyone, signed out, opens the
public verification page from the serial, sees it valid, and checks the downloaded PDF by uploading it."""
from playwright.sync_api import expect

from app.certificates.models import Certificate
from tests.browser.helpers import sign_in_ok, zh
from tests.conftest import PASSWORD
from tests.helpers.certificates import approve_year, issue


def test_enterprise_downloads_its_certificate_and_the_public_verifies_it(app, db, plant, regulator, open_page,
                                                                        tmp_path):
    approve_year(app, db, plant, regulator)
    cert = db.session.get(Certificate, issue(app, db, regulator, plant["org"]))
    serial, stored = cert.serial, cert.pdf

    page = open_page()
    sign_in_ok(page, plant["admin"].name, plant["admin"].email, PASSWORD)
    page.get_by_test_id("nav-certificates").click()
    row = page.locator(f'tr[data-serial="{serial}"]')
    expect(row).to_contain_text(zh("In force"))
    with page.expect_download() as info:
        row.get_by_test_id("download-certificate").click()
    saved = tmp_path / f"{serial}.pdf"
    info.value.save_as(saved)
    assert saved.read_bytes() == stored

    public = open_page()  # a stranger: no sign-in
    public.goto("/verify")
    public.get_by_test_id("serial-form").locator('input[name="serial"]').fill(serial)
    public.get_by_test_id("serial-form").locator('button[type="submit"]').click()
    expect(public.get_by_test_id("verify-status")).to_have_attribute("data-status", "valid")
    expect(public.get_by_test_id("verify-digest")).to_have_text(cert.digest)
    expect(public.get_by_test_id("certificate-stated")).to_contain_text(plant["org"].name)

    public.goto("/verify")
    public.get_by_test_id("upload-form").locator('input[name="pdf"]').set_input_files(str(saved))
    public.get_by_test_id("upload-form").locator('button[type="submit"]').click()
    expect(public.get_by_test_id("verify-outcome")).to_have_attribute("data-outcome", "genuine")
