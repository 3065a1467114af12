// Pull the Chain: display equations wider than their column (on a phone) scroll in
// their box; make such a box reachable by keyboard, as the theme does for code.
// (Started after the first paint, when the document is already parsed.)
(() => {
  const mark = () =>
    document.querySelectorAll('mjx-container[display="true"]').forEach((m) => {
      m.tabIndex = m.scrollWidth > m.clientWidth ? 0 : -1;
    });
  let timer = null;
  window.addEventListener("resize", () => {
    clearTimeout(timer);
    timer = setTimeout(mark, 200);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
})();
