// Pull the Chain: display equations wider than their column (on a phone) scroll in
// their box; make such a box reachable by keyboard, as the theme does for code.
// A ResizeObserver reads the sizes after the browser has laid the page out (now and
// whenever a box changes size): no layout forced while the page starts.
(() => {
  const observer = new ResizeObserver((entries) => {
    for (const { target } of entries) {
      target.tabIndex = target.scrollWidth > target.clientWidth ? 0 : -1;
    }
  });
  const start = () =>
    document
      .querySelectorAll("div.math > .katex-display")
      .forEach((m) => observer.observe(m));
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
