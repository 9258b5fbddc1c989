// The console works without this file; it only adds conveniences:
// - tracking numbers checked as they are typed (the server checks again on submit);
// - "select all" boxes for batch lists;
// - a confirmation before irreversible buttons (data-confirm).
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  function wireTrackingCheck(input) {
    var out = document.getElementById(input.getAttribute("data-check-target"));
    var form = input.form;
    var carrierField = form ? form.querySelector("[name=carrier]") : null;
    var url = input.getAttribute("data-check-url");
    var seq = 0;
    var run = debounce(function () {
      var number = input.value.trim();
      var mine = ++seq;
      if (!number) {
        out.textContent = "";
        out.className = "check";
        input.removeAttribute("aria-invalid");
        input.classList.remove("valid");
        return;
      }
      var q = "?number=" + encodeURIComponent(number);
      if (carrierField && carrierField.value) { q += "&carrier=" + encodeURIComponent(carrierField.value); }
      fetch(url + q, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (!body || mine !== seq) { return; }
          if (body.valid) {
            out.textContent = out.getAttribute("data-ok") + (body.carrier_name ? " (" + body.carrier_name + ")" : "");
            out.className = "check ok";
            input.removeAttribute("aria-invalid");
            input.classList.add("valid");
          } else {
            out.textContent = out.getAttribute("data-bad") + " " + (body.reason || "");
            out.className = "check bad";
            input.setAttribute("aria-invalid", "true");
            input.classList.remove("valid");
          }
        })
        .catch(function () { /* the server checks on submit anyway */ });
    }, 250);
    input.addEventListener("input", run);
    if (carrierField) { carrierField.addEventListener("change", run); }
    if (input.value) { run(); }
  }

  function wireSelectAll(box) {
    var scope = document.getElementById(box.getAttribute("data-select-all"));
    box.addEventListener("change", function () {
      var boxes = scope.querySelectorAll("input[type=checkbox][name]");
      for (var i = 0; i < boxes.length; i++) { boxes[i].checked = box.checked; }
    });
  }

  function wireConfirm(button) {
    button.addEventListener("click", function (e) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var i, list;
    list = document.querySelectorAll("[data-check-url]");
    for (i = 0; i < list.length; i++) { wireTrackingCheck(list[i]); }
    list = document.querySelectorAll("[data-select-all]");
    for (i = 0; i < list.length; i++) { wireSelectAll(list[i]); }
    list = document.querySelectorAll("[data-confirm]");
    for (i = 0; i < list.length; i++) { wireConfirm(list[i]); }
  });
})();
