// consentry web pages: the little JavaScript they need, all optional (forms work without it).
// - the notice dialog: focus moves into it and Tab cycles inside; "Review now" reopens it
// - sign-up: the training choice is shown only for consumer plans
// - the welcome page: copy the account token
(function () {
  "use strict";
  var FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), ' +
    'select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
  var page = document.getElementById("page");
  var lastFocus = null;

  function openDialog(backdrop) {
    var dialog = backdrop.querySelector('[role="dialog"]');
    lastFocus = document.activeElement;
    backdrop.hidden = false;
    if (page) { page.setAttribute("inert", ""); page.setAttribute("aria-hidden", "true"); }
    dialog.focus();
  }

  function closeDialog(backdrop) {
    backdrop.hidden = true;
    if (page) { page.removeAttribute("inert"); page.removeAttribute("aria-hidden"); }
    if (lastFocus && lastFocus.focus) { lastFocus.focus(); }
  }

  function openBackdrop() {
    var list = document.querySelectorAll(".backdrop");
    for (var i = 0; i < list.length; i++) { if (!list[i].hidden) { return list[i]; } }
    return null;
  }

  function focusables(container) {
    return Array.prototype.filter.call(container.querySelectorAll(FOCUSABLE), function (el) {
      return el.offsetParent !== null || el === document.activeElement;
    });
  }

  document.addEventListener("keydown", function (event) {
    var backdrop = openBackdrop();
    if (!backdrop) { return; }
    var dialog = backdrop.querySelector('[role="dialog"]');
    if (event.key === "Escape") {
      var closer = dialog.querySelector("[data-close-dialog]");
      if (closer) { event.preventDefault(); closeDialog(backdrop); }
      return;
    }
    if (event.key !== "Tab") { return; }
    var items = focusables(dialog);
    if (items.length === 0) { event.preventDefault(); dialog.focus(); return; }
    var first = items[0], last = items[items.length - 1];
    var inside = dialog.contains(document.activeElement);
    if (event.shiftKey && (!inside || document.activeElement === first || document.activeElement === dialog)) {
      event.preventDefault(); last.focus();
    } else if (!event.shiftKey && (!inside || document.activeElement === last)) {
      event.preventDefault(); first.focus();
    }
  });

  // Focus that escapes anyway (a click on the backdrop, the browser's own UI) is brought back.
  document.addEventListener("focusin", function (event) {
    var backdrop = openBackdrop();
    if (!backdrop) { return; }
    var dialog = backdrop.querySelector('[role="dialog"]');
    if (!dialog.contains(event.target)) { dialog.focus(); }
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-open-dialog],[data-close-dialog],[data-copy]") : null;
    if (!target) { return; }
    if (target.hasAttribute("data-open-dialog")) {
      var backdrop = document.getElementById(target.getAttribute("data-open-dialog"));
      if (backdrop) { event.preventDefault(); openDialog(backdrop); }
    } else if (target.hasAttribute("data-close-dialog")) {
      closeDialog(target.closest(".backdrop"));
    } else if (target.hasAttribute("data-copy")) {
      var field = document.getElementById(target.getAttribute("data-copy"));
      field.select();
      if (navigator.clipboard) { navigator.clipboard.writeText(field.value).catch(function () {}); }
      target.textContent = "Copied";
    }
  });

  function syncTrainingChoice() {
    var plan = document.getElementById("plan");
    var choice = document.getElementById("training-choice");
    if (!plan || !choice) { return; }
    var option = plan.options[plan.selectedIndex];
    var consumer = option && option.getAttribute("data-scope") === "consumer";
    choice.hidden = !consumer;
    var radios = choice.querySelectorAll('input[type="radio"]');
    for (var i = 0; i < radios.length; i++) { radios[i].required = consumer; radios[i].disabled = !consumer; }
  }

  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "plan") { syncTrainingChoice(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    syncTrainingChoice();
    var backdrop = openBackdrop();
    if (backdrop) { openDialog(backdrop); }
  });
})();
