/*
 * Progressive enhancement only: every page works without this file.
 *
 * Footnote tooltips show on hover and focus through CSS alone. Here, Escape hides an
 * open tooltip (WCAG 1.4.13: content on hover or focus must be dismissible without
 * moving the pointer or focus); it comes back the next time its marker is hovered or
 * focused.
 */
(function () {
  "use strict";

  if (!document.addEventListener || !document.querySelectorAll) {
    return;
  }

  var DISMISSED = "is-dismissed";

  function openMarkers() {
    return document.querySelectorAll("sup.ref:hover, sup.ref:focus-within");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") {
      return;
    }
    var markers = openMarkers();
    for (var i = 0; i < markers.length; i += 1) {
      markers[i].classList.add(DISMISSED);
    }
  });

  function restore(event) {
    var marker = event.target && event.target.closest ? event.target.closest("sup.ref") : null;
    if (marker) {
      marker.classList.remove(DISMISSED);
    }
  }

  document.addEventListener("mouseover", function (event) {
    var marker = event.target && event.target.closest ? event.target.closest("sup.ref") : null;
    if (marker && marker.classList.contains(DISMISSED) && !marker.contains(event.relatedTarget)) {
      marker.classList.remove(DISMISSED);
    }
  });
  document.addEventListener("focusin", restore);
})();
