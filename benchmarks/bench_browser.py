"""Screening in the browser (issue 6): from a key press to the next reference on screen.

The embedded default exactly as `make run` serves it (SQLite, the demo review loaded by
`load_demo`, Django's development server), driven by Playwright in Debian's Chromium. Two demo
reviewers each press I or E on 25 references; for each press, the time from the keydown to the
first frame painted with the next reference on the card (performance.now() in the page).
Goal: median under 100 ms.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.servers import wait_for_server

ROOT = Path(__file__).resolve().parent.parent
PORT = 8766
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
VOTES_EACH = 25
REVIEWERS = [("reviewer_a", "demo-reviewer-a-pass"), ("reviewer_b", "demo-reviewer-b-pass")]

# Installed in the page: keydown starts the clock; the first frame after the card shows another
# reference stops it (loaded ahead, that is at once; otherwise when the vote's answer is in).
CLOCK = """
window.__keyTimes = [];
document.addEventListener("keydown", () => {
  const shown = () => document.querySelector("article.reference")?.dataset.reference;
  const before = shown();
  const pressed = performance.now();
  let done = false;
  const check = () => {
    if (done || shown() === before) return;
    done = true;
    observer.disconnect();
    requestAnimationFrame(() => window.__keyTimes.push(performance.now() - pressed));
  };
  const observer = new MutationObserver(check);
  observer.observe(document.getElementById("main"), {subtree: true, childList: true, attributes: true});
}, true);
"""


def _screen(browser, username: str, password: str) -> list[float]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    base = f"http://127.0.0.1:{PORT}"
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/projects/**")
    page.goto(f"{base}/projects/demo-microcredentials/screen/")
    page.evaluate(CLOCK)
    for n in range(VOTES_EACH):
        reference = page.locator("article.reference").get_attribute("data-reference")
        page.keyboard.press("i" if n % 3 else "e")
        page.wait_for_function("n => window.__keyTimes.length >= n", arg=n + 1)
        # The vote's answer in too (it replaces the card shown ahead) before the next key.
        page.wait_for_function(
            "r => document.getElementById('screen-status').textContent.includes("
            "'on reference ' + r + '.')",
            arg=reference,
        )
    times = page.evaluate("window.__keyTimes")
    page.close()
    return times


def run() -> str:
    if not Path(CHROMIUM).exists():
        return f"### Screening in the browser (issue 6)\n\nskipped: no Chromium at {CHROMIUM}"
    from playwright.sync_api import sync_playwright

    var = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}
    }
    env.update({"VAR_DIR": str(var), "ALLOW_DEV_SECRET_KEY": "1", "DEBUG": "1"})
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "load_demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_server(PORT)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            times = [t for name, word in REVIEWERS for t in _screen(browser, name, word)]
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(var, ignore_errors=True)
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return "\n".join(
        [
            "### Screening in the browser (issue 6)",
            "",
            "Command: `.venv/bin/python -m benchmarks bench_browser`. The embedded default as "
            "`make run` serves it (SQLite, the demo review, Django's development server); "
            "Playwright in Debian's Chromium, headless, on the same machine. Two reviewers press "
            f"I or E on {VOTES_EACH} references each; from the keydown to the first frame showing "
            "the next reference, which came loaded ahead with the one before (ms).",
            "",
            "| measure | n | median | p95 | max | goal |",
            "|---|---:|---:|---:|---:|---|",
            f"| key press to next reference shown | {len(times)} | {statistics.median(times):.1f} "
            f"| {p95:.1f} | {max(times):.1f} | median < 100 |",
        ]
    )
