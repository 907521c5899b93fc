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
// Otherwise, what the page was reloaded to show (a status message beside the section that
// changed, a preview further down) takes the focus, so it is seen and read out.
document.addEventListener('DOMContentLoaded', function () {
  var summary = document.getElementById('erreurs');
  var shown = summary || document.querySelector('[data-focus]');
  if (shown) {
    shown.focus();
  }
});

// The pipeline's board: dropping a card on a column submits the card's own form (the one
// keyboard and no-JavaScript users submit) with that stage; htmx swaps the board. A refusal
// needs a reason, so for that column the form is filled and its reason list focused instead.
(function () {
  // Only with this script can a card be dropped, so only then is it draggable.
  function enableDragging() {
    var cards = document.querySelectorAll('[data-card][data-movable]');
    for (var i = 0; i < cards.length; i++) {
      cards[i].setAttribute('draggable', 'true');
    }
  }
  document.addEventListener('DOMContentLoaded', enableDragging);
  // After a move htmx replaces the board, and the button that had focus with it: focus goes to
  // the status message (read out), or else to the first column, rather than the top of the page.
  document.addEventListener('htmx:afterSettle', function () {
    var board = document.getElementById('tableau');
    if (!board) {
      return;
    }
    enableDragging();
    var active = document.activeElement;
    if (!active || active === document.body) {
      var target = document.getElementById('tableau-message') || board.querySelector('[data-stage] h2');
      if (target) {
        target.focus();
      }
    }
  });
  function column(target) {
    return target && target.closest ? target.closest('[data-stage]') : null;
  }
  document.addEventListener('dragstart', function (event) {
    var card = event.target.closest ? event.target.closest('[data-card]') : null;
    if (card && event.dataTransfer) {
      event.dataTransfer.setData('text/plain', card.id);
      event.dataTransfer.effectAllowed = 'move';
    }
  });
  document.addEventListener('dragover', function (event) {
    var col = column(event.target);
    if (col) {
      event.preventDefault();
      col.classList.add('pipeline-column--over');
    }
  });
  document.addEventListener('dragleave', function (event) {
    var col = column(event.target);
    if (col && !col.contains(event.relatedTarget)) {
      col.classList.remove('pipeline-column--over');
    }
  });
  document.addEventListener('drop', function (event) {
    var col = column(event.target);
    if (!col || !event.dataTransfer) {
      return;
    }
    event.preventDefault();
    col.classList.remove('pipeline-column--over');
    var card = document.getElementById(event.dataTransfer.getData('text/plain'));
    var form = card ? card.querySelector('form[data-move]') : null;
    if (!form || column(card) === col) {
      return;
    }
    var stage = col.getAttribute('data-stage');
    var select = form.querySelector('select[name="etape"]');
    var allowed = Array.prototype.some.call(select.options, function (o) { return o.value === stage; });
    if (!allowed) {
      return;
    }
    select.value = stage;
    if (stage === 'refusee') {
      form.querySelector('select[name="motif"]').focus();
      return;
    }
    form.requestSubmit();
  });
})();

// «Imprimer l’offre»: hidden without JavaScript (the browser's own menu prints the same page,
// with the print style sheet), shown and wired here.
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      window.print();
    });
  });
});

// Search filters on a phone: the results come first and the filters wait behind «Filtrer les
// offres» (a disclosure button). Whether they are open survives htmx swapping the results, so
// ticking a box does not close them; «Voir les résultats» closes them and goes to the count.
(function () {
  document.documentElement.setAttribute('data-mdn-js', '');
  var open = false;
  function apply() {
    var button = document.querySelector('.mdn-filters__btn');
    var panel = document.getElementById('filtres');
    if (!button || !panel) {
      return;
    }
    var done = document.querySelector('.mdn-filters__done');
    button.hidden = false;
    if (done) {
      done.hidden = false;
    }
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
    panel.classList.toggle('mdn-filters__panel--closed', !open);
  }
  document.addEventListener('DOMContentLoaded', apply);
  document.addEventListener('htmx:afterSettle', apply);
  document.addEventListener('click', function (event) {
    var target = event.target.closest ? event.target.closest('.mdn-filters__btn, .mdn-filters__done') : null;
    if (!target) {
      return;
    }
    var toggle = target.classList.contains('mdn-filters__btn');
    open = toggle ? !open : false;
    apply();
    if (!toggle) {
      var heading = document.getElementById('nombre-offres');
      if (heading) {
        heading.focus();
      }
    }
  });
})();
