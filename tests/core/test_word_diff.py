"""Two versions of a text compared word by word, escaped."""

from core.text import word_diff


def test_changed_words_are_marked_in_each_version():
    before, after = word_diff(
        "Các hộ dân thôn Khuôn Ngàn.", "42 hộ dân thôn Khuôn Ngàn, hiến 1.500 m² đất."
    )
    assert before == "<del>Các</del> hộ dân thôn Khuôn <del>Ngàn.</del>"
    assert after == "<ins>42</ins> hộ dân thôn Khuôn <ins>Ngàn, hiến 1.500 m² đất.</ins>"


def test_a_run_of_changed_words_is_one_mark_and_spacing_is_kept():
    assert word_diff("Nguyễn Văn An", "Lò Thị Mai") == (
        "<del>Nguyễn Văn An</del>",
        "<ins>Lò Thị Mai</ins>",
    )
    before, after = word_diff("Dòng một\n  dòng hai", "Dòng một\n  dòng ba")
    assert before == "Dòng một\n  dòng <del>hai</del>"
    assert after == "Dòng một\n  dòng <ins>ba</ins>"


def test_empty_sides():
    assert word_diff("", "mới có") == ("", "<ins>mới có</ins>")
    assert word_diff("đã bỏ", "") == ("<del>đã bỏ</del>", "")


def test_markup_typed_into_a_field_is_shown_as_text():
    hostile = '<script>alert("x")</script> <img src=x onerror=alert(1)>'
    before, after = word_diff(f"{hostile} cũ", f"{hostile} mới & <b>")
    for html in (before, after):
        assert "<script" not in html and "<img" not in html and "<b>" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert before.endswith("<del>cũ</del>")
    assert after.endswith("<ins>mới &amp; &lt;b&gt;</ins>")
