// The export page's "select all" box, bound here instead of an inline
// onchange attribute (forbidden by the Content-Security-Policy).
document.addEventListener("change", function (event) {
  if (event.target.matches("input.select-toggle") && window.onSelectToggleChange) {
    window.onSelectToggleChange(event);
  }
});
