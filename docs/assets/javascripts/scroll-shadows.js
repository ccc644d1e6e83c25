// Formulas and tables wider than the column scroll sideways inside their own box (the theme's div.arithmatex and
// .md-typeset__scrollwrap). Such a box says so: it gets the class scrolls-left while content is hidden to its left
// and scrolls-right while content is hidden to its right, and extra.css draws a shadow on that side. The classes
// follow the box's scrolling and its size (a phone turned sideways, fonts and formulas arriving late).
(function () {
  var BOXES = ".md-typeset div.arithmatex, .md-typeset .md-typeset__scrollwrap";
  var sized = typeof ResizeObserver !== "undefined"
    ? new ResizeObserver(function (entries) {
        entries.forEach(function (entry) { mark(entry.target.closest(BOXES) || entry.target); });
      })
    : null;

  function mark(box) {
    var hidden = box.scrollWidth - box.clientWidth;
    box.classList.toggle("scrolls-left", box.scrollLeft > 1);
    box.classList.toggle("scrolls-right", hidden - box.scrollLeft > 1);
  }

  function watch(root) {
    root.querySelectorAll(BOXES).forEach(function (box) {
      if (!box.hasAttribute("data-scroll-shadows")) {
        box.setAttribute("data-scroll-shadows", "");
        box.addEventListener("scroll", function () { mark(box); }, { passive: true });
        if (sized) {
          sized.observe(box);
          if (box.firstElementChild) sized.observe(box.firstElementChild);  // the formula or table itself
        }
      }
      mark(box);
    });
  }

  function start() {
    watch(document.body);
    if (document.fonts) document.fonts.ready.then(function () { watch(document.body); });
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(start);  // every page, also those the theme loads without a reload
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
