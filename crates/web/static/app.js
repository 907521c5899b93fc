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
