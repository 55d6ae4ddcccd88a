"""The accessibility check itself: axe-core runs in the real browser and reports readably."""

from __future__ import annotations

from browsing import axe_violations, describe_violations


def test_the_accessibility_check_finds_an_unlabelled_field_and_names_it(browser):
    page = browser.new_page()
    try:
        page.set_content(
            "<!DOCTYPE html><html lang='en'><head><title>A form</title></head><body><main>"
            "<h1>A form</h1><input type='text' id='postcode'></main></body></html>"
        )
        found = axe_violations(page)
    finally:
        page.close()
    assert [v["id"] for v in found] == ["label"]
    report = describe_violations({"01-a-form": found})
    assert "01-a-form: label (critical): Form elements must have labels" in report
    assert "at #postcode" in report


def test_the_accessibility_check_passes_a_labelled_field(browser):
    page = browser.new_page()
    try:
        page.set_content(
            "<!DOCTYPE html><html lang='en'><head><title>A form</title></head><body><main>"
            "<h1>A form</h1><label for='postcode'>Postcode</label>"
            "<input type='text' id='postcode'></main></body></html>"
        )
        assert axe_violations(page) == []
    finally:
        page.close()
