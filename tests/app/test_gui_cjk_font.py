"""The bundled CJK font: with the system's fonts hidden, a Chinese token chip shows glyphs, not boxes.

The system's fonts are hidden from a subprocess by a fontconfig file that names no font folder
(Qt reads fonts through fontconfig on Linux). There, without the fallback every Han character
draws the same box as a private-use code point no font has; with it, each draws its own glyph.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from attnlab.app.fonts import FALLBACK_FAMILY, cjk_font_file

ROOT = Path(__file__).resolve().parents[2]
BOX = "\ue000"  # a private-use code point: no font draws it, so it is the missing-glyph box
SCRIPT = """
import json, sys
from PySide6.QtWidgets import QApplication
application = QApplication([])
from attnlab.app.fonts import install_cjk_fallback, system_has_han_font
from attnlab.app.widgets.token_strip import TokenStrip
hidden = not system_has_han_font()
installed = install_cjk_fallback(application) if sys.argv[1] == "fallback" else None
strip = TokenStrip()
strip.resize(300, 80)
strip.show()
chips = {}
for text in sys.argv[2:]:
    strip.set_tokens([text])
    application.processEvents()
    image = strip.viewport().grab(strip.chip_rect(0)).toImage()
    ink = [[image.pixelColor(x, y).lightness() < 128 for x in range(image.width())] for y in range(image.height())]
    chips[text] = {"ink": sum(map(sum, ink)), "bitmap": ink}
print(json.dumps({"hidden": hidden, "installed": installed, "chips": chips,
                  "imported_font_package": "manimgx_fonts_cjk" in sys.modules}))
"""


def _render(tmp_path: Path, mode: str, texts: list[str]) -> dict:
    config = tmp_path / "fonts.conf"
    cache = tmp_path / "fontcache"
    cache.mkdir(exist_ok=True)
    config.write_text(f'<?xml version="1.0"?><fontconfig><cachedir>{cache}</cachedir></fontconfig>')
    env = {
        **os.environ,
        "FONTCONFIG_FILE": str(config),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode, *texts], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_font_is_found_through_the_distribution_files():
    path = cjk_font_file()
    assert path is not None and path.is_file() and path.suffix == ".ttc"
    assert path.stat().st_size > 10_000_000  # the whole collection, not a pointer file
    assert "manimgx_fonts_cjk" not in sys.modules


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="hides the system fonts through fontconfig")
def test_chinese_token_chips_show_glyphs_without_system_fonts(tmp_path):
    texts = ["中", "文", BOX]
    before = _render(tmp_path, "none", texts)
    assert before["hidden"], "the fontconfig override should hide every system font for Han characters"
    chips = before["chips"]
    # The control: with no CJK font, both characters are the very box a missing glyph draws.
    assert chips["中"]["bitmap"] == chips[BOX]["bitmap"] == chips["文"]["bitmap"]

    after = _render(tmp_path, "fallback", texts)
    assert after["installed"] == FALLBACK_FAMILY
    assert not after["imported_font_package"]  # found through importlib.metadata, never imported
    chips = after["chips"]
    box = chips[BOX]
    for han in ("中", "文"):
        assert chips[han]["bitmap"] != box["bitmap"], f"{han} is still drawn as a box"
        assert chips[han]["ink"] != box["ink"]
    assert chips["中"]["bitmap"] != chips["文"]["bitmap"]  # two glyphs, not one shape twice
