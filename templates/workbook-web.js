/* The workbook page's own script (workbook-web.html), written into each page: it keeps
   what is typed in this browser's storage on this device, under the page's key and each
   box's id, puts it back when the page is opened again, and clears it when asked. It
   sends nothing anywhere, and the page's policy would refuse it if it tried. */
(function () {
  "use strict";
  var root = document.documentElement;
  var prefix = root.getAttribute("data-answers-key") + ":";
  var fields = Array.prototype.slice.call(document.querySelectorAll("[data-answer]"));
  var boxes = fields.filter(function (field) { return field.type !== "radio"; });
  var status = document.getElementById("answers-status");
  var clear = document.getElementById("clear-answers");
  var store = null;
  root.classList.add("scripted");

  try {
    store = window.localStorage;
    store.setItem(prefix + "ready", "1");
    store.removeItem(prefix + "ready");
  } catch (error) {
    store = null;  // private browsing, or storage turned off for files
  }

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function keyOf(field) {
    return prefix + (field.type === "radio" ? field.name : field.id);
  }

  // A box grows with its text, so that all of it shows without scrolling; the copy
  // after it holds the same text for printing.
  function show(box) {
    var copy = box.nextElementSibling;
    if (copy && copy.classList.contains("printed")) {
      copy.textContent = box.value;
    }
    box.style.height = "auto";
    box.style.height = box.scrollHeight + (box.offsetHeight - box.clientHeight) + "px";
  }

  function save(field) {
    if (!store) {
      return;
    }
    try {
      if (field.type === "radio") {
        if (field.checked) {
          store.setItem(keyOf(field), field.value);
        }
      } else if (field.value) {
        store.setItem(keyOf(field), field.value);
      } else {
        store.removeItem(keyOf(field));
      }
    } catch (error) {
      say("This browser has no room left to keep your answers: what you type now is not kept.");
    }
  }

  function restore() {
    fields.forEach(function (field) {
      var kept = store ? store.getItem(keyOf(field)) : null;
      if (field.type === "radio") {
        field.checked = kept !== null && kept === field.value;
      } else {
        field.value = kept === null ? "" : kept;
      }
    });
    boxes.forEach(show);
  }

  function answered(event) {
    var field = event.target;
    if (!field || !field.hasAttribute || !field.hasAttribute("data-answer")) {
      return;
    }
    save(field);
    if (field.type !== "radio") {
      show(field);
    }
  }

  document.addEventListener("input", answered);
  document.addEventListener("change", answered);
  window.addEventListener("beforeprint", function () { boxes.forEach(show); });
  var resizing = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () { boxes.forEach(show); }, 150);
  });

  if (store && clear) {
    clear.hidden = false;
    clear.addEventListener("click", function () {
      var sure = window.confirm(
        "Clear every answer you have typed in this workbook on this device? This cannot be undone."
      );
      if (!sure) {
        return;
      }
      var keys = [];
      for (var i = 0; i < store.length; i += 1) {
        var key = store.key(i);
        if (key !== null && key.indexOf(prefix) === 0) {
          keys.push(key);
        }
      }
      keys.forEach(function (key) { store.removeItem(key); });
      restore();
      say("Your answers were cleared from this device.");
    });
  } else if (!store) {
    say("This browser is not keeping what you type here (private browsing, or storage turned"
        + " off): print the page to keep your answers.");
  }
  restore();
}());
