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

  /*
   * The timeline's person, place and source fields are plain text fields that
   * take a name. Here they offer matching names as the reader types, through a
   * <datalist> filled from the suggestions endpoint.
   */
  var suggesting = document.querySelectorAll("form[data-suggest-url] input[data-suggest]");
  Array.prototype.forEach.call(suggesting, function (input) {
    if (!window.fetch || !input.id) {
      return;
    }
    var list = document.createElement("datalist");
    var timer = null;
    list.id = input.id + "-suggestions";
    input.setAttribute("list", list.id);
    input.parentNode.insertBefore(list, input.nextSibling);
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var text = input.value.trim();
        if (text.length < 2) {
          return;
        }
        var url = input.form.getAttribute("data-suggest-url") +
          "?for=" + encodeURIComponent(input.getAttribute("data-suggest")) +
          "&q=" + encodeURIComponent(text);
        window.fetch(url, { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { names: [] }; })
          .then(function (data) {
            while (list.firstChild) {
              list.removeChild(list.firstChild);
            }
            data.names.forEach(function (name) {
              var option = document.createElement("option");
              option.value = name;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 200);
    });
  });
})();
