// Keyboard shortcuts for the queue: j/k move between comments, a approves, r rejects, x selects, u undoes the last
// decision while the page offers it, ? shows help. Served from our own origin (the CSP allows no inline script).
// Every action is an ordinary form post.
(function () {
  "use strict";

  function items() { return Array.prototype.slice.call(document.querySelectorAll(".queue .item")); }

  function current() { return document.querySelector(".queue .item.current"); }

  function focusItem(item) {
    items().forEach(function (el) { el.classList.remove("current"); });
    if (!item) { return; }
    item.classList.add("current");
    item.focus();
    item.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = items();
    if (!all.length) { return; }
    var index = all.indexOf(current());
    var next = index < 0 ? 0 : Math.min(Math.max(index + step, 0), all.length - 1);
    focusItem(all[next]);
  }

  function press(selector) {
    var item = current();
    if (!item) { return; }
    var button = item.querySelector(selector);
    if (button) { button.click(); }
  }

  function toggleHelp() {
    var help = document.getElementById("shortcuts");
    if (help) { help.hidden = !help.hidden; }
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  // The undo offer counts down and then goes away: after that a revert is the API's (or another decision's) job.
  function countDown() {
    var form = document.getElementById("undo");
    if (!form) { return; }
    var left = parseInt(form.getAttribute("data-seconds"), 10) || 0;
    var shown = document.getElementById("undo-seconds");
    var timer = window.setInterval(function () {
      left -= 1;
      if (shown) { shown.textContent = String(left); }
      if (left <= 0) {
        window.clearInterval(timer);
        form.remove();
      }
    }, 1000);
  }

  function undo() {
    var button = document.getElementById("undo-button");
    if (button) { button.click(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    countDown();
    var button = document.getElementById("shortcuts-button");
    if (button) { button.addEventListener("click", toggleHelp); }
    items().forEach(function (item) {
      item.addEventListener("focusin", function () {
        items().forEach(function (el) { el.classList.remove("current"); });
        item.classList.add("current");
      });
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var handled = true;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "a": press("button.approve"); break;
      case "r": press("button.reject"); break;
      case "x": press("input[name=ids]"); break;
      case "u": undo(); break;
      case "?": toggleHelp(); break;
      default: handled = false;
    }
    if (handled) { event.preventDefault(); }
  });
})();
