/* A small signature pad on a <canvas data-signature-pad data-target="id-of-hidden-input">.
   Pointer events (finger, pen, mouse) draw; the drawing is stored as a PNG data URL in the hidden input.
   Without a pointer (keyboard users) nothing is needed: the typed name is the signature. No dependencies. */
(function () {
  "use strict";

  function setup(canvas) {
    var target = document.getElementById(canvas.dataset.target);
    var form = canvas.closest("form");
    var clear = form && form.querySelector("[data-signature-clear]");
    var status = form && form.querySelector("[data-signature-status]");
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var dirty = false;
    var last = null;

    function reset() {
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.strokeStyle = "#111";
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      dirty = false;
      if (target) target.value = "";
      if (status) status.textContent = "";
    }

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: ((event.clientX - box.left) * canvas.width) / box.width,
        y: ((event.clientY - box.top) * canvas.height) / box.height,
      };
    }

    function save() {
      if (dirty && target) target.value = canvas.toDataURL("image/png");
      if (status) status.textContent = dirty ? canvas.dataset.savedText || "Drawing captured." : "";
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      drawing = true;
      last = point(event);
      if (canvas.setPointerCapture) canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var next = point(event);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(next.x, next.y);
      ctx.stroke();
      last = next;
      dirty = true;
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () {
        if (!drawing) return;
        drawing = false;
        save();
      });
    });
    if (clear) clear.addEventListener("click", reset);
    if (form) form.addEventListener("submit", save);
    canvas.style.touchAction = "none";
    reset();
  }

  function init() {
    document.querySelectorAll("canvas[data-signature-pad]").forEach(setup);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
