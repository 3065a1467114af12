// Pull the Chain: display equations wider than their column (on a phone) scroll in
// their box; make such a box reachable by keyboard, as the theme does for code.
document.addEventListener("DOMContentLoaded", () => {
  const mark = () =>
    document.querySelectorAll('mjx-container[display="true"]').forEach((m) => {
      m.tabIndex = m.scrollWidth > m.clientWidth ? 0 : -1;
    });
  mark();
  let timer = null;
  window.addEventListener("resize", () => {
    clearTimeout(timer);
    timer = setTimeout(mark, 200);
  });
});
