// Progressive enhancement only: every page works without this file.
// After htmx replaces the search results following a link (a removed filter, another page),
// focus would fall back to the top of the document; it goes to the results heading instead,
// so keyboard and screen reader users stay where they were.
document.addEventListener('htmx:afterSettle', function () {
  var active = document.activeElement;
  if (!active || active === document.body) {
    var heading = document.getElementById('nombre-offres');
    if (heading) {
      heading.focus();
    }
  }
});

// A form that comes back with errors: focus goes to the summary of errors at the top, whose
// links lead to each field, instead of the start of the page.
document.addEventListener('DOMContentLoaded', function () {
  var summary = document.getElementById('erreurs');
  if (summary) {
    summary.focus();
  }
});
