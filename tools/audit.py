"""Audit the built book as a reader's browser sees it: weight and Lighthouse.

For every page of _toc.yml, served from _build/html gzip-compressed (as static hosts
serve), one row: Lighthouse 12's scores with its mobile profile (a mid-range phone on
slow 4G; performance, accessibility, best practices, SEO), from the run of median
performance of ``--runs`` (3, as Lighthouse's documentation advises: the score moves
with the machine's load), the spread beside it; and the bytes transferred for the
whole page, images included as a reader scrolling through loads them, compressed,
with the number of requests. axe-core's WCAG 2.1 A/AA check of every page (two
widths, both colour modes) is a test: `make browser-tests` fails on any violation.
The numbers also go to _build/audit.json; Lighthouse comes from the npm registry
into .vendor/node (`tools/setup.sh --audit`, run by `make audit`).

Usage: python tools/audit.py [--pages book/gradients,...] [--runs N] [--no-lighthouse]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from sources import HTML, ROOT
from sources import pages as toc_pages

NODE_MODULES = ROOT / ".vendor" / "node" / "node_modules"
LIGHTHOUSE = NODE_MODULES / "lighthouse" / "cli" / "index.js"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
CHROMIUM_ARGS += ["--disable-background-networking", "--disable-component-update"]
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg")
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder, gzip-compressing text responses when the client accepts it."""

    protocol_version = "HTTP/1.1"  # keep-alive, as a real host

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        path = path / "index.html" if path.is_dir() else path
        if not path.is_file():
            self.send_error(404)
            return
        body, kind = path.read_bytes(), self.guess_type(path)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Cache-Control", "max-age=31536000")
        accepted = self.headers.get("Accept-Encoding", "")
        if kind.startswith(COMPRESSIBLE) and "gzip" in accepted:
            body = gzip.compress(body, 6, mtime=0)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(GzipHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise SystemExit("audit: no chromium: run `make setup-browser`")
    return found


def weigh(browser, url: str) -> dict:
    """Bytes and requests of a page with every image loaded."""
    # A fresh context per page: an empty cache, so every byte is counted.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    responses: list = []
    page.on("requestfinished", lambda r: responses.append(r))
    page.goto(url, wait_until="networkidle")
    page.evaluate("document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
    page.wait_for_function("Array.from(document.images).every(i => i.complete)")
    page.wait_for_timeout(300)
    sizes = [r.sizes() for r in responses]
    transferred = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)
    context.close()
    return {"bytes": transferred, "requests": len(sizes)}


def lighthouse(url: str) -> dict:
    """One Lighthouse run: the four scores, LCP, TBT, bytes and the failed audits."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        flags = " ".join([*CHROMIUM_ARGS, f"--user-data-dir={scratch}/profile"])
        command = ["node", str(LIGHTHOUSE), url, "--quiet", "--output=json"]
        command += [f"--output-path={report}", f"--chrome-flags={flags}"]
        command += ["--only-categories=" + ",".join(CATEGORIES)]
        env = {**os.environ, "CHROME_PATH": chromium()}
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0 or not report.is_file():
            raise SystemExit(f"audit: lighthouse failed on {url}: {done.stderr[-400:]}")
        data = json.loads(report.read_text())
    scores = {k: round(100 * (v["score"] or 0)) for k, v in data["categories"].items()}
    audits = data["audits"]
    value = {key: audit.get("numericValue") for key, audit in audits.items()}
    scores["lcp_s"] = round(value["largest-contentful-paint"] / 1000, 1)
    scores["tbt_ms"] = round(value["total-blocking-time"])
    scores["lh_bytes"] = round(value["total-byte-weight"])
    scores["failed"] = sorted(
        key
        for key, audit in audits.items()
        if audit.get("score") is not None
        and audit["score"] < 0.9
        and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
    )
    return scores


def audit(html: Path, pages: list[str], runs: int) -> dict[str, dict]:
    from playwright.sync_api import sync_playwright

    server, base = serve(html)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium(), headless=True, args=CHROMIUM_ARGS[1:]
            )
            results = {n: weigh(browser, f"{base}/{n}.html") for n in pages}
            browser.close()
        for name in pages if runs else ():  # the run of median performance, kept
            every = [lighthouse(f"{base}/{name}.html") for _ in range(runs)]
            median = sorted(every, key=lambda r: r["performance"])[(runs - 1) // 2]
            scores = {"performance_runs": [r["performance"] for r in every]}
            results[name]["lighthouse"] = median | scores
    finally:
        server.shutdown()
    return results


def table(results: dict[str, dict]) -> str:
    head = (
        f"{'page':<26} {'perf':>4} {'runs':>7} {'a11y':>4} {'bp':>4} {'seo':>4} "
        f"{'LCP s':>6} {'TBT ms':>6} {'KiB gz':>7} {'req':>4}"
    )
    lines = [head, "-" * len(head)]
    for name, r in results.items():
        lh = r.get("lighthouse", {})
        perf, a11y, bp, seo, lcp, tbt = (
            lh.get(k, "-") for k in [*CATEGORIES, "lcp_s", "tbt_ms"]
        )
        every = lh.get("performance_runs", [])
        spread = f"{min(every)}-{max(every)}" if len(every) > 1 else "-"
        lines.append(
            f"{name:<26} {perf:>4} {spread:>7} {a11y:>4} {bp:>4} {seo:>4} {lcp:>6} "
            f"{tbt:>6} {r['bytes'] / 1024:>7.0f} {r['requests']:>4}"
        )
    failed = {
        a for r in results.values() for a in r.get("lighthouse", {}).get("failed", [])
    }
    if failed:
        lines.append("Lighthouse audits below 0.9: " + ", ".join(sorted(failed)))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", help="comma-separated pages (default: _toc.yml's)")
    parser.add_argument("--no-lighthouse", action="store_true", help="weights only")
    parser.add_argument("--html", type=Path, default=HTML)
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs a page")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "audit.json")
    args = parser.parse_args(argv)
    pages = args.pages.split(",") if args.pages else toc_pages()
    unknown = sorted(set(pages) - set(toc_pages()))
    if unknown:
        parser.error(f"not pages of _toc.yml: {', '.join(unknown)}")
    if not (args.html / "index.html").is_file():
        parser.error(f"no book in {args.html}: make book")
    runs = 0 if args.no_lighthouse else max(1, args.runs)
    if runs and not LIGHTHOUSE.is_file():
        parser.error("no Lighthouse: run `make audit`")
    results = audit(args.html, pages, runs)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
