"""WCAG AA contrast, measured in the browser on the colours a listener actually sees."""

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

# For every element with its own text: its colour against the first opaque background behind it,
# and whether the text is large (AA asks 4.5:1 for normal text, 3:1 for large).
MEASURE = """() => {
  const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = (c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const background = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== "none") return null;
      const colour = rgb(style.backgroundColor);
      if (colour.length === 3 || colour[3] === 1) return colour.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {
    const ownText = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const style = getComputedStyle(element);
    if (!ownText || style.visibility === "hidden" || style.display === "none") continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const behind = background(element);
    if (!behind) continue;
    const [a, b] = [luminance(rgb(style.color)), luminance(behind)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      const text = element.textContent.trim().slice(0, 30);
      found.push(`${element.tagName.toLowerCase()}.${element.className} "${text}" ${ratio}`);
    }
  }
  return found;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_meets_wcag_aa_contrast_in_both_themes(page: Page, site, scheme):
    page.emulate_media(color_scheme=scheme)
    episode = site["episodes"][0]
    for url in ("/", "/signal-path/episodes/", episode.get_absolute_url(), "/guests/ada/",
                "/search/?q=microphone"):  # fmt: skip
        page.goto(url)
        assert page.evaluate(MEASURE) == [], (scheme, url)
