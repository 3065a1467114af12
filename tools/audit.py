"""Audit the built book as a reader's browser sees it: weight, Lighthouse and axe.

For every page of _toc.yml, served from _build/html with gzip compression (as any
static host does), this prints one row:

- Lighthouse 12 scores with its default mobile profile (simulated slow 4G, a
  mid-range phone): performance, accessibility, best practices and SEO. Lighthouse
  simulates the phone from a run on this machine, so the performance score moves with
  the machine's load; each page is audited ``--runs`` times (3) and the run with the
  median performance is kept, as Lighthouse's documentation advises, the spread shown
  beside it;
- the bytes transferred for the whole page (every response, images included, all
  loaded as a reader scrolling through would), compressed, and the number of requests;
- the axe-core violations at WCAG 2.1 A/AA, summed over four passes: 1280 px and
  390 px wide, light and dark colour mode.

It writes the same numbers to _build/audit.json. Lighthouse and axe-core come from
the npm registry into .vendor/node (`tools/setup.sh --audit`, run by `make audit`).
Scores vary a little from run to run; nothing here is asserted by the tests.

Usage: python tools/audit.py [--pages book/gradients,...] [--runs N] [--no-lighthouse]
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import mimetypes
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
NODE_MODULES = ROOT / ".vendor" / "node" / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
LIGHTHOUSE = NODE_MODULES / "lighthouse" / "cli" / "index.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    stack = list(toc.get("chapters", []))
    while stack:
        entry = stack.pop(0)
        pages.append(entry["file"])
        stack[:0] = entry.get("sections", [])
    return pages


class GzipHandler(http.server.BaseHTTPRequestHandler):
    """Serves a folder, gzip-compressing text responses when the client accepts it."""

    protocol_version = "HTTP/1.1"
    root = HTML
    cache: ClassVar[dict[Path, bytes]] = {}
    lock = threading.Lock()

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        path = self.root / unquote(urlsplit(self.path).path).lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        if not path.resolve().is_relative_to(self.root.resolve()) or not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        headers = {"Content-Type": kind, "Cache-Control": "max-age=31536000"}
        if kind.startswith(COMPRESSIBLE) and "gzip" in self.headers.get(
            "Accept-Encoding", ""
        ):
            with self.lock:
                if path not in self.cache:
                    self.cache[path] = gzip.compress(body, 6, mtime=0)
                body = self.cache[path]
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        self.send_response(200)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = type("Handler", (GzipHandler,), {"root": root, "cache": {}})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise SystemExit("audit: no chromium: run `make setup-browser`")
    return found


def run_axe(page, widths=(1280, 390)) -> list[dict]:
    """axe-core's violations at WCAG 2.1 A/AA, for each width and colour mode."""
    found = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900 if width > 600 else 844})
        page.wait_for_timeout(600)  # the theme re-marks scroll boxes 300 ms after
        for mode in ("light", "dark"):
            page.evaluate(f"document.documentElement.dataset.theme = '{mode}'")
            page.wait_for_timeout(400)  # colours change with a transition
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                AXE_TAGS,
            )
            for v in result["violations"]:
                found.append(
                    {
                        "rule": v["id"],
                        "impact": v["impact"],
                        "width": width,
                        "mode": mode,
                        "nodes": [n["target"] for n in v["nodes"]],
                    }
                )
    return found


def weigh_and_axe(base: str, pages: list[str]) -> dict[str, dict]:
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium(), headless=True, args=CHROMIUM_ARGS[1:]
        )
        for name in pages:
            # A fresh context per page: an empty cache, so every byte is counted.
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            responses: list = []
            page.on("requestfinished", lambda r, found=responses: found.append(r))
            page.goto(f"{base}/{name}.html", wait_until="networkidle")
            page.evaluate(
                "document.querySelectorAll('img').forEach(i => i.loading = 'eager')"
            )
            page.wait_for_function("Array.from(document.images).every(i => i.complete)")
            page.wait_for_timeout(300)
            sizes = [r.sizes() for r in responses]
            transferred = sum(
                s["responseBodySize"] + s["responseHeadersSize"] for s in sizes
            )
            page.add_script_tag(path=str(AXE))
            violations = run_axe(page)
            out[name] = {
                "bytes": transferred,
                "requests": len(sizes),
                "axe": violations,
            }
            context.close()
        browser.close()
    return out


def lighthouse(base: str, name: str) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        done = subprocess.run(
            [
                "node",
                str(LIGHTHOUSE),
                f"{base}/{name}.html",
                "--quiet",
                "--output=json",
                f"--output-path={report}",
                "--only-categories=performance,accessibility,best-practices,seo",
                "--chrome-flags="
                + " ".join([*CHROMIUM_ARGS, f"--user-data-dir={scratch}/profile"]),
            ],
            env={**os.environ, "CHROME_PATH": chromium()},
            capture_output=True,
            text=True,
        )
        if done.returncode != 0 or not report.is_file():
            raise SystemExit(
                f"audit: lighthouse failed on {name}: {done.stderr[-400:]}"
            )
        data = json.loads(report.read_text())
    scores = {k: round(100 * (v["score"] or 0)) for k, v in data["categories"].items()}
    audits = data["audits"]
    scores["lcp_s"] = round(
        audits["largest-contentful-paint"]["numericValue"] / 1000, 1
    )
    scores["tbt_ms"] = round(audits["total-blocking-time"]["numericValue"])
    scores["lh_bytes"] = round(audits["total-byte-weight"]["numericValue"])
    scores["failed"] = sorted(
        key
        for key, audit in audits.items()
        if audit.get("score") is not None
        and audit["score"] < 0.9
        and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
    )
    return scores


def median_run(runs: list[dict]) -> dict:
    """The run with the median performance score, with every run's score."""
    ranked = sorted(runs, key=lambda r: r["performance"])
    kept = dict(ranked[(len(ranked) - 1) // 2])
    kept["performance_runs"] = [r["performance"] for r in runs]
    return kept


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--pages", help="comma-separated pages (default: all of _toc.yml)"
    )
    parser.add_argument(
        "--no-lighthouse", action="store_true", help="weights and axe only"
    )
    parser.add_argument(
        "--html", type=Path, default=HTML, help="the built site to audit"
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="Lighthouse runs a page (median kept)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "audit.json")
    args = parser.parse_args(argv)
    pages = toc_pages()
    if args.pages:
        wanted = args.pages.split(",")
        unknown = [p for p in wanted if p not in pages]
        if unknown:
            print(
                f"audit: not pages of _toc.yml: {', '.join(unknown)}", file=sys.stderr
            )
            return 2
        pages = wanted
    if not (args.html / "index.html").is_file():
        print(
            f"audit: no built book in {args.html}: run `make book` first",
            file=sys.stderr,
        )
        return 2
    missing = [p for p in (AXE, LIGHTHOUSE) if not p.is_file()]
    if missing:
        print(
            "audit: missing axe-core or Lighthouse: run `make audit`", file=sys.stderr
        )
        return 2
    server, base = serve(args.html)
    try:
        results = weigh_and_axe(base, pages)
        if not args.no_lighthouse:
            for name in pages:
                results[name]["lighthouse"] = median_run(
                    [lighthouse(base, name) for _ in range(max(1, args.runs))]
                )
    finally:
        server.shutdown()
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(table(results))
    return 0


def table(results: dict[str, dict]) -> str:
    head = (
        f"{'page':<26} {'perf':>4} {'runs':>7} {'a11y':>4} {'bp':>4} {'seo':>4} "
        f"{'LCP s':>6} {'TBT ms':>6} {'KiB gz':>7} {'req':>4} {'axe':>4}"
    )
    lines = [head, "-" * len(head)]
    for name, r in results.items():
        lh = r.get("lighthouse", {})
        cols = [
            lh.get(k, "-")
            for k in (
                "performance",
                "accessibility",
                "best-practices",
                "seo",
                "lcp_s",
                "tbt_ms",
            )
        ]
        kib, axe = r["bytes"] / 1024, len(r["axe"])
        every = lh.get("performance_runs", [])
        spread = f"{min(every)}-{max(every)}" if len(every) > 1 else "-"
        lines.append(
            f"{name:<26} {cols[0]:>4} {spread:>7} {cols[1]:>4} {cols[2]:>4} "
            f"{cols[3]:>4} {cols[4]:>6} {cols[5]:>6} {kib:>7.0f} {r['requests']:>4} "
            f"{axe:>4}"
        )
    rules = sorted(
        {f"{v['rule']} ({v['impact']})" for r in results.values() for v in r["axe"]}
    )
    if rules:
        lines.append("axe rules violated: " + ", ".join(rules))
    failed = sorted(
        {a for r in results.values() for a in r.get("lighthouse", {}).get("failed", [])}
    )
    if failed:
        lines.append("Lighthouse audits below 0.9: " + ", ".join(failed))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
