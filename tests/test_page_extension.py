"""tools/sphinx_ext/gradlab_pages.py: the rewrites that make pages light."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from tests._book import ROOT

sys.path.insert(0, str(ROOT / "tools" / "sphinx_ext"))
import gradlab_pages

#: Unit tests of the build's tools (tools/): `make tool-tests`.
pytestmark = pytest.mark.tools

HEAD = (
    '<script defer src="../_static/scripts/fontawesome.js?digest=1"></script>\n'
    '<script src="../_static/searchtools.js"></script>\n'
    '<script src="../_static/language_data.js"></script>'
    '<script src="../searchindex.js"></script>\n'
    '<script src="../_static/doctools.js"></script>'
)


def test_head_loses_font_awesome_and_the_search_scripts():
    out = gradlab_pages.gradlab_head(HEAD)
    assert "fontawesome" not in out and "search" not in out and "language" not in out
    assert out.strip() == '<script src="../_static/doctools.js"></script>'


def test_search_as_you_type_keeps_the_search_scripts():
    out = gradlab_pages.gradlab_head(HEAD, search_as_you_type=True)
    assert "fontawesome" not in out
    assert out.count("<script src=") == 4


def test_icons_are_read_from_the_bundle_by_style_with_aliases():
    bundle = (
        'var a={github:[496,512,[],"f09b","M1 2z"]};d("fab",a);'
        'var b={sun:[512,512,[],"f185","M3 4z"]};d("far",b);'
        'var c={"backward-fast":[512,512,["fast-backward"],"f049","M5 6z"]};'
        'd("fas",c);'
    )
    icons = gradlab_pages.font_awesome_icons(bundle)
    assert icons["fab"]["github"] == (496, 512, "M1 2z")
    assert icons["far"]["sun"][2] == "M3 4z"
    assert icons["fas"]["fast-backward"] == icons["fas"]["backward-fast"]
    css = gradlab_pages.icons_css({("fas", "fast-backward"), ("fas", "nope")}, icons)
    assert ".fa-fast-backward {" in css and "M5 6z" in css and "nope" not in css


def test_used_icons_come_from_the_class_attributes(tmp_path: Path):
    (tmp_path / "a.html").write_text(
        '<i class="fa-brands fa-github"></i><i class="fa-solid fa-sun fa-lg"></i>'
        '<i class="fa fa-play"></i>'
    )
    assert gradlab_pages.used_icons(tmp_path) == {
        ("fab", "github"),
        ("fas", "sun"),
        ("fas", "play"),
    }


def test_wide_figures_scroll_on_phones_and_images_become_pictures():
    body = (
        '<figure class="align-default" id="f">\n<img alt="x" src="../_images/w.png" />'
        '<figure class="align-default" id="g">\n<img alt="y" src="../_images/n.png" />'
    )
    sizes = {"w.png": (1300, 400), "n.png": (600, 400)}
    out = gradlab_pages._pictures(gradlab_pages._wide_figures(body, sizes), sizes)
    assert 'class="align-default gradlab-wide" id="f" tabindex="0"' in out
    assert "--gradlab-phone-width: 780px" in out
    assert 'id="g">' in out  # a single panel is left alone
    assert out.count('<source srcset="../_images/') == 2
    assert 'width="600" height="400" loading="lazy"' in out


def test_svg_size_is_read_in_css_pixels_from_the_root_element():
    def size(text: str):
        return gradlab_pages.image_size(io.BytesIO(text.encode()))

    graphviz = '<?xml version="1.0"?>\n<!-- x -->\n<svg width="444pt" height="388pt"\n'
    assert size(graphviz + ' viewBox="0 0 443.5 388">') == (592, 517)
    assert size('<svg height="20px" width="30">') == (30, 20)
    assert size('<svg width="100%" height="20">') is None
    assert size('<svg viewBox="0 0 10 10">') is None


def test_svg_figures_are_sized_and_all_images_after_the_first_are_lazy():
    body = (
        '<img alt="a" src="../_images/a.svg" />'
        '<img alt="b" src="../_images/b.png" />'
        '<img alt="c" src="../_images/c.svg" class="x"/>'
    )
    sizes = {"a.svg": (153, 243), "b.png": (600, 400), "c.svg": (864, 345)}
    out = gradlab_pages._pictures(body, sizes)
    assert '<img alt="a" src="../_images/a.svg" width="153" height="243" />' in out
    assert (
        '<img alt="c" src="../_images/c.svg" class="x" width="864" height="345"'
        ' loading="lazy" />' in out
    )
    assert out.count("<picture>") == 1 and out.count('loading="lazy"') == 2
    assert "/ width" not in out


def test_inline_images_state_the_size_of_their_pixels():
    import base64
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (7, 3)).save(out, "WEBP", lossless=True)
    uri = "data:image/webp;base64," + base64.b64encode(out.getvalue()).decode()
    body = f'<img alt="a" src="{uri}" id="x">'
    sized = gradlab_pages.sized_data_images(body)
    assert sized == f'<img alt="a" src="{uri}" id="x" width="7" height="3">'
    assert gradlab_pages.sized_data_images(sized) == sized


def test_inline_pngs_become_lossless_webp_with_the_same_pixels():
    import base64
    import io

    from PIL import Image

    image = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    image.putpixel((3, 4), (200, 10, 30, 255))
    png = io.BytesIO()
    image.save(png, "PNG")
    data = base64.b64encode(png.getvalue()).decode()
    # matplotlib's animation writer breaks the string with backslash-newlines.
    body = f'frames[0] = "data:image/png;base64,{data[:20]}\\\n{data[20:]}";'
    out = gradlab_pages.webp_data_uris(body)
    webp = out.split("base64,")[1].split('"')[0]
    assert out.startswith('frames[0] = "data:image/webp;base64,')
    with Image.open(io.BytesIO(base64.b64decode(webp))) as back:
        assert back.format == "WEBP"
        assert back.convert("RGBA").tobytes() == image.tobytes()


def test_theme_scripts_are_held_for_after_the_first_paint_and_not_preloaded():
    end = (
        '<script defer src="../_static/scripts/bootstrap.js?digest=1"></script>\n'
        '<script defer src="../_static/scripts/pydata-sphinx-theme.js?digest=1">'
        "</script>"
    )
    held = gradlab_pages.gradlab_later(end)
    assert held.count('<script type="text/plain" data-gradlab-later src="') == 2
    assert gradlab_pages.gradlab_later(end, hold=False) == end
    preload = '<link rel="preload" as="script" href="../_static/scripts/b.js?d=1" />'
    assert gradlab_pages.gradlab_head(preload + "\n<p>") == "\n<p>"
