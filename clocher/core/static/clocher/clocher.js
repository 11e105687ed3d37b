/* Progressive enhancement only: every page works without this file.
   When a form comes back with errors, move the focus to the summary so that keyboard and
   screen-reader users hear the errors first. */
(function () {
  "use strict";
  var summary = document.getElementById("erreurs");
  if (summary) { summary.focus(); }
})();
