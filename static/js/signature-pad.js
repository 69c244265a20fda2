/* A small signature pad on a <canvas data-signature-pad data-target="id-of-hidden-input">.
   Pointer events (finger, pen, mouse) draw; the drawing is stored as a PNG data URL in the hidden input.
   Without a pointer (keyboard users) nothing is needed: the typed name is the signature ("typed name only").
   Drawing chooses the drawn signature (radio signature_method=drawn); choosing "typed name only" clears the pad.
   A page shown again after an error redraws the drawing it was sent (issue 16, item 2). No dependencies. */
(function () {
  "use strict";

  var PNG = "data:image/png;base64,";

  function setup(canvas) {
    var target = document.getElementById(canvas.dataset.target);
    var form = canvas.closest("form");
    var clear = form && form.querySelector("[data-signature-clear]");
    var status = form && form.querySelector("[data-signature-status]");
    var drawn = form && form.querySelector('input[name="signature_method"][value="drawn"]');
    var typed = form && form.querySelector('input[name="signature_method"][value="typed"]');
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var dirty = false;
    var last = null;

    function blank() {
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.strokeStyle = "#111";
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      dirty = false;
    }

    function reset() {
      blank();
      if (target) target.value = "";
      if (status) status.textContent = "";
    }

    function restore() {
      // The drawing sent with a form that came back with an error: drawn again, kept in the hidden input.
      var value = target ? target.value : "";
      if (value.indexOf(PNG) !== 0 || (typed && typed.checked)) {
        reset();
        return;
      }
      var image = new Image();
      image.onload = function () {
        ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
        dirty = true;
        canvas.dataset.restored = "true";
        if (status) status.textContent = canvas.dataset.keptText || "The drawing is still here.";
      };
      image.onerror = reset;
      image.src = value;
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
      if (drawn && !drawn.checked) drawn.checked = true;
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
    if (typed) typed.addEventListener("change", function () { if (typed.checked) reset(); });
    if (form) form.addEventListener("submit", save);
    if (target && target.id) {
      // The error summary links to the hidden input; take the reader to the pad instead.
      document.querySelectorAll('a[href="#' + target.id + '"]').forEach(function (link) {
        link.addEventListener("click", function (event) {
          event.preventDefault();
          canvas.scrollIntoView({ block: "center" });
          canvas.focus({ preventScroll: true });
        });
      });
    }
    canvas.style.touchAction = "none";
    blank();
    restore();
  }

  function init() {
    document.querySelectorAll("canvas[data-signature-pad]").forEach(setup);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
