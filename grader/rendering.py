"""Turn trusted Markdown and untrusted code into safe HTML."""

from __future__ import annotations

from functools import lru_cache

import markdown
import nh3
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

# Markdown may carry raw HTML; nh3 keeps these tags and drops everything else (scripts,
# event handlers, javascript: links). `class` survives so code blocks keep their colours.
ALLOWED_TAGS = nh3.ALLOWED_TAGS | {"div", "span", "pre", "code", "table", "thead", "tbody",
                                   "tr", "th", "td", "hr", "sup", "sub", "img"}
ALLOWED_ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    "div": {"class"},
    "span": {"class"},
    "code": {"class"},
    "pre": {"class"},
    "th": {"align"},
    "td": {"align"},
    "img": {"src", "alt", "title"},
    "a": {"href", "title"},
    "h1": {"id"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
}
MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "codehilite", "toc", "sane_lists"]


@lru_cache(maxsize=32)
def render_markdown(text: str, heading_offset: int = 0) -> Markup:
    """Render Markdown to sanitised HTML, headings moved down heading_offset levels.

    A page has one h1 of its own: a README shown inside it starts at h2.
    """
    html = markdown.markdown(
        text,
        extensions=MARKDOWN_EXTENSIONS,
        extension_configs={"codehilite": {"css_class": "highlight", "guess_lang": False},
                           "toc": {"baselevel": 1 + heading_offset}},
    )
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES)
    # Code blocks scroll sideways: keyboard users must be able to focus them to scroll.
    return Markup(clean.replace("<pre>", '<pre tabindex="0">'))


def highlight_python(source: str) -> Markup:
    """Render Python source as highlighted, line-numbered HTML (Pygments escapes every byte)."""
    formatter = HtmlFormatter(cssclass="highlight", linenos="table", lineanchors="L")
    return Markup(highlight(source, PythonLexer(), formatter))


def scrollable(html: Markup, label: str) -> Markup:
    """Wrap html in a labelled box that keyboard users can focus and scroll."""
    return Markup('<div class="scroll-box" tabindex="0" role="region" aria-label="{}">{}</div>'
                  ).format(label, html)
