// Django admin's two-box filter (filter_horizontal, e.g. a group's permissions) draws its search
// icons as spans with an aria-label, which ARIA does not allow on an element without a role:
// screen readers may drop the label. Each icon becomes an image named by that label.
// Deferred, this registers after SelectFilter2.js, so it runs after the widget is drawn on load.
window.addEventListener("load", function () {
  "use strict";
  document.querySelectorAll(".selector .search-label-icon[aria-label]").forEach(function (icon) {
    icon.setAttribute("role", "img");
  });
});
