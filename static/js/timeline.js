/*
 * Progressive enhancement only: the drawing's zoom and steps are links that work
 * without this file. Here, keys follow them: + zooms in, - zooms out, [ goes to the
 * window before and ] to the one after, unless the reader is typing in a field.
 */
(function () {
  "use strict";

  if (!document.addEventListener || !document.querySelector) {
    return;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    var key = event.key === "=" ? "+" : event.key;
    if ("+-[]".indexOf(key) === -1 || key.length !== 1) {
      return;
    }
    var link = document.querySelector("[data-timeline-zoom] a[data-key='" + key + "']");
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  });
})();
