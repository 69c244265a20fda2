/* Small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // Move focus to an error summary (or a freshly swapped-in form) so keyboard and screen-reader users land on it.
  function focusFirst(root) {
    var target = root.querySelector("[data-autofocus], .error-summary, .inline-error");
    if (target) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();
      return;
    }
    var field = root.querySelector("input:not([type=hidden]), select, textarea, a[href], button");
    if (field) field.focus();
  }

  // Messages sent by HTMX responses (HX-Trigger: {"portal:message": {"level": ..., "text": ...}}).
  function showMessage(detail) {
    var area = document.getElementById("messages");
    if (!area || !detail || !detail.text) return;
    var level = detail.level === "error" ? "error" : "success";
    var box = document.createElement("div");
    box.className = "message message--" + level;
    if (level === "error") box.setAttribute("role", "alert");
    var kind = document.createElement("strong");
    kind.className = "message__kind";
    kind.textContent = area.dataset["label" + level.charAt(0).toUpperCase() + level.slice(1)] || "";
    box.appendChild(kind);
    box.appendChild(document.createTextNode(" " + detail.text));
    area.replaceChildren(box);
  }

  // "Copy" buttons: data-copy="#id-of-input".
  function copyFrom(button) {
    var input = document.querySelector(button.dataset.copy);
    if (!input) return;
    input.select();
    var done = function () {
      var status = document.getElementById(button.getAttribute("aria-describedby"));
      if (status) status.textContent = button.dataset.copied || "";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copyFrom(button); });
    });
  });

  document.addEventListener("portal:message", function (event) { showMessage(event.detail); });

  document.addEventListener("htmx:afterSwap", function (event) {
    var swapped = event.detail.target && document.getElementById(event.detail.target.id);
    if (swapped) focusFirst(swapped);
  });
})();
