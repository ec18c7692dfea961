from __future__ import annotations

from engine.forms.markdown import render_markdown


def test_paragraphs_are_split_on_blank_lines() -> None:
    assert render_markdown("a\nb\n\nc") == "<p>a b</p>\n<p>c</p>"


def test_bold_and_italic() -> None:
    assert render_markdown("**fet** og *kursiv*") == \
        "<p><strong>fet</strong> og <em>kursiv</em></p>"


def test_bulleted_list() -> None:
    assert render_markdown("- en\n- to") == "<ul><li>en</li><li>to</li></ul>"


def test_numbered_list() -> None:
    assert render_markdown("1. en\n2. to") == "<ol><li>en</li><li>to</li></ol>"


def test_heading_starts_at_level_two() -> None:
    assert render_markdown("# Tittel") == "<h2>Tittel</h2>"


def test_https_link_is_kept() -> None:
    assert render_markdown("[veileder](https://example.no/a?b=1&c=2)") == \
        '<p><a class="ds-link" href="https://example.no/a?b=1&amp;c=2">veileder</a></p>'


def test_site_path_link_is_kept() -> None:
    assert 'href="/oppgaver"' in render_markdown("[oppgaver](/oppgaver)")


def test_javascript_link_becomes_text() -> None:
    assert "href" not in render_markdown("[klikk](javascript:alert(1))")


def test_protocol_relative_link_becomes_text() -> None:
    assert "href" not in render_markdown("[x](//evil.example)")


def test_raw_html_is_escaped() -> None:
    assert render_markdown("<script>alert(1)</script>") == \
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


def test_quote_in_link_cannot_leave_attribute() -> None:
    html = render_markdown('[x](https://a.example/"onmouseover="alert(1))')
    assert '"onmouseover' not in html


def test_code_span_is_not_formatted() -> None:
    assert render_markdown("`**ikke fet**`") == "<p><code>**ikke fet**</code></p>"


def test_template_placeholder_is_kept_as_text() -> None:
    assert render_markdown("Hei {{ navn }}") == "<p>Hei {{ navn }}</p>"


def test_emphasis_marks_in_address_stay_text() -> None:
    assert render_markdown("[**lov**](https://example.no/a_b/_c_/**d**)") == \
        '<p><a class="ds-link" href="https://example.no/a_b/_c_/**d**"><strong>lov</strong>' \
        '</a></p>'


def test_bold_around_link_is_kept() -> None:
    assert render_markdown("**se [her](/oppgaver)**") == \
        '<p><strong>se <a class="ds-link" href="/oppgaver">her</a></strong></p>'


def test_code_span_in_link_label() -> None:
    assert render_markdown("[`kode`](/a)") == \
        '<p><a class="ds-link" href="/a"><code>kode</code></a></p>'


def test_unsafe_schemes_become_text() -> None:
    for source in ("[a](JaVaScRiPt:alert(1))", "[a](vbscript:x)", "[a](data:text/html,x)",
                   "[a](&#106;avascript:alert(1))", "[a](/\\evil.example)"):
        assert "href" not in render_markdown(source), source


def test_image_markup_is_escaped() -> None:
    assert render_markdown("<img src=x onerror=alert(1)>") == \
        "<p>&lt;img src=x onerror=alert(1)&gt;</p>"
