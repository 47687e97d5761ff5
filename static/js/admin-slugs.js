/* Slugs that keep word breaks at dashes and separators.

   Django's admin makes a slug from the title with URLify, which drops an en dash
   or a slash and runs the words together ("Soviet–Hungarian" gave
   "soviethungarian"). This wraps URLify so such characters become spaces first,
   as timeline.text.slugify does on the server. The admin calls URLify as the
   editor types, so wrapping it once the page's scripts have loaded is enough,
   whatever order they load in. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var urlify = window.URLify;
  if (typeof urlify !== "function") {
    return;
  }
  var separators = /[\u2010-\u2015\u2212\/\\·.,;:+&()[\]{}"“”«»]+/g;
  var apostrophes = /['’‘]/g;
  window.URLify = function (text, maxLength, allowUnicode) {
    var spaced = String(text).replace(apostrophes, "").replace(separators, " ");
    return urlify(spaced, maxLength, allowUnicode);
  };
});
