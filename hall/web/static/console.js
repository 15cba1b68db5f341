// Window console: function keys for the moves, and one submit per click.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (!/^F\d+$/.test(event.key)) return;
    var target = document.querySelector('[data-key="' + event.key + '"]');
    if (!target) return;
    event.preventDefault();
    if (target.tagName === "SELECT") { target.focus(); return; }
    if (!target.disabled) target.click();
  });
  document.querySelectorAll("form.move, form.inline-form, form.inline").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      setTimeout(function () {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
})();
