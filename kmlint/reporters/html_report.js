(function () {
  "use strict";
  var form = document.getElementById("filters");
  var shownCount = document.getElementById("shown-count");

  function checkedValues(name) {
    var values = {};
    form.querySelectorAll('input[name="' + name + '"]').forEach(function (box) {
      if (box.checked) { values[box.value] = true; }
    });
    return values;
  }

  // Highlights, references and notes all carry data-severity and data-category: one pass hides or shows them.
  function applyFilters() {
    var severities = checkedValues("severity");
    var categories = checkedValues("category");
    var shown = {};
    document.querySelectorAll("[data-finding]").forEach(function (element) {
      var visible = severities[element.dataset.severity] === true && categories[element.dataset.category] === true;
      element.classList.toggle("filtered", !visible);
      if (visible) { shown[element.dataset.finding] = true; }
    });
    shownCount.textContent = String(Object.keys(shown).length);
  }

  function setAll(checked) {
    form.querySelectorAll('input[type="checkbox"]').forEach(function (box) { box.checked = checked; });
    applyFilters();
  }

  var active = [];
  var followPausedUntil = 0;
  function activate(findingId, scrollTo) {
    active.forEach(function (element) { element.classList.remove("active"); });
    active = Array.prototype.slice.call(document.querySelectorAll('[data-finding="' + findingId + '"]'))
      .filter(function (element) { return element.matches("mark.hl, li.note"); });
    active.forEach(function (element) { element.classList.add("active"); });
    if (scrollTo) {
      followPausedUntil = Date.now() + 1000;  // the scroll this causes must not move the notes again
      scrollTo.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  }

  // The notes column follows the reading: it scrolls to the note of the first highlight in view.
  var followScheduled = false;
  function followReading() {
    followScheduled = false;
    if (Date.now() < followPausedUntil) { return; }
    document.querySelectorAll(".review").forEach(function (review) {
      var notes = review.querySelector(".notes");
      if (!notes || notes.matches(":hover") || notes.scrollHeight <= notes.clientHeight) { return; }
      var marks = review.querySelectorAll("mark.hl:not(.filtered)");
      for (var i = 0; i < marks.length; i += 1) {
        var box = marks[i].getBoundingClientRect();
        if (box.bottom > 0 && box.top < window.innerHeight) {
          var note = document.getElementById("note-" + marks[i].dataset.finding);
          if (note) { notes.scrollTop = note.offsetTop - notes.firstElementChild.offsetTop; }
          return;
        }
      }
    });
  }
  window.addEventListener("scroll", function () {
    if (!followScheduled) { followScheduled = true; window.requestAnimationFrame(followReading); }
  }, { passive: true });

  form.addEventListener("change", applyFilters);
  form.querySelectorAll("button[data-select]").forEach(function (button) {
    button.addEventListener("click", function () { setAll(button.dataset.select === "all"); });
  });

  // A highlight leads to its note; a note (or its number) leads back to the words.
  document.addEventListener("click", function (event) {
    var mark = event.target.closest("mark.hl");
    if (mark && !mark.classList.contains("filtered")) {
      activate(mark.dataset.finding, document.getElementById("note-" + mark.dataset.finding));
      return;
    }
    var note = event.target.closest("li.note");
    if (note && !event.target.closest("a[href^='http']")) {
      activate(note.dataset.finding, null);
    }
  });
  document.addEventListener("keydown", function (event) {
    var mark = event.target.closest && event.target.closest("mark.hl");
    if (mark && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      activate(mark.dataset.finding, document.getElementById("note-" + mark.dataset.finding));
    }
  });
  document.querySelectorAll("li.note").forEach(function (note) {
    note.addEventListener("mouseenter", function () { activate(note.dataset.finding, null); });
  });

  applyFilters();
})();
