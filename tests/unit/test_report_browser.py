"""The ``--report`` page in a real browser: Debian's headless Chromium takes a screenshot."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from cio.cli import main

CHROMIUM = "/usr/bin/chromium"
WINDOW = (900, 1000)
BAR_RED = (214, 39, 40)
LINE_BLUE = (31, 119, 180)
ENOUGH_BAR_PIXELS = 2000
ENOUGH_LINE_PIXELS = 50

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]


def _screenshot(page: Path, tmp_path: Path) -> Path:
    shot = tmp_path / "shot.png"
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.exists(), done.stderr[-2000:]
    return shot


def _near(pixel: tuple[int, ...], colour: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def test_import_report_renders_with_its_charts(tmp_path: Path) -> None:
    lines = ["user_id,timestamp"] + [f"{n},bad{n}" for n in range(200)]
    # enough rows for several requests, hence several points of delivery over time
    lines += [f"{n},2024-05-01T10:00:00Z" for n in range(10_000, 40_000)]
    source = tmp_path / "people.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page = tmp_path / "report.html"
    main(["import", str(source), "--kind", "identify", "--sandbox", "--report", str(page)])

    assert "Delivery over time" in page.read_text(encoding="utf-8")
    image = Image.open(_screenshot(page, tmp_path)).convert("RGB")
    assert image.size == WINDOW
    colours = image.getcolors(maxcolors=WINDOW[0] * WINDOW[1])
    assert colours is not None
    assert len(colours) > 10, "the screenshot is blank"
    counts = {colour: count for count, colour in colours}
    red = sum(count for colour, count in counts.items() if _near(colour, BAR_RED))
    blue = sum(count for colour, count in counts.items() if _near(colour, LINE_BLUE))
    assert red > ENOUGH_BAR_PIXELS, "the error bars did not render"
    assert blue > ENOUGH_LINE_PIXELS, "the delivery line did not render"
