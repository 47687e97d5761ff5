/*
 * Progressive enhancement of the admin's EDTF date inputs: as the editor types, show
 * the date's reading and its earliest and latest day, or why it is refused. Without
 * this file the form works the same, and the server shows the reading after a save.
 */
(function () {
  "use strict";

  var DELAY = 300; // milliseconds after the last keystroke, so typing sends one request

  function describe(answer) {
    if (answer.error) {
      return answer.error;
    }
    return (
      "reads as “" + answer.reading + "”; earliest day " + answer.earliest +
      ", latest " + answer.latest
    );
  }

  function attach(input) {
    var output = document.getElementById(input.id + "_reading");
    var url = input.getAttribute("data-reading-url");
    var timer = null;
    var asked = 0;
    if (!output || !url) {
      return;
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var value = input.value.trim();
        var question = (asked += 1);
        if (!value) {
          output.textContent = "";
          return;
        }
        window
          .fetch(url + "?value=" + encodeURIComponent(value), {
            credentials: "same-origin",
            headers: { Accept: "application/json" },
          })
          .then(function (response) {
            return response.json();
          })
          .then(function (answer) {
            // An older answer that arrives late must not replace a newer one.
            if (question === asked) {
              output.textContent = describe(answer);
            }
          })
          .catch(function () {
            // Leave the last reading: saving the form still checks the date.
          });
      }, DELAY);
    });
  }

  function start() {
    var inputs = document.querySelectorAll("input[data-reading-url]");
    for (var i = 0; i < inputs.length; i += 1) {
      attach(inputs[i]);
    }
  }

  if (!window.fetch || !document.querySelectorAll) {
    return;
  }
  // The admin puts form media in the page's head, before the inputs exist.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
