// The home visits' outbox on the phone (issue 16): gives each visit form its own key (a UUID, so a
// visit sent twice is saved once), registers the service worker that keeps a visit saved without
// network (visit-sw.js, served at /visits/sw.js), shows what waits on this phone, and asks the worker
// to send it when the network is back. No inline script (CSP); the words come from data attributes.
(function () {
  "use strict";
  var DB = "shequ-outbox";
  var STORE = "visits";
  var script = document.currentScript;

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function waiting() {
    return new Promise(function (resolve) {
      if (!window.indexedDB) { resolve(0); return; }
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "key" }); };
      req.onerror = function () { resolve(0); };
      req.onsuccess = function () {
        var db = req.result;
        if (!db.objectStoreNames.contains(STORE)) { resolve(0); return; }
        var counted = db.transaction(STORE).objectStore(STORE).count();
        counted.onsuccess = function () { resolve(counted.result); };
        counted.onerror = function () { resolve(0); };
      };
    });
  }

  function show(message) {
    document.querySelectorAll("[data-outbox]").forEach(function (node) {
      var n = message.waiting || 0;
      var text = "";
      if (n > 0) { text = (message.login ? node.dataset.login : node.dataset.waiting) || ""; }
      else if (message.sent > 0) { text = node.dataset.sent || ""; }
      if (message.refused > 0) { text += " " + (node.dataset.refused || "").replace("{r}", message.refused); }
      node.textContent = text.replace("{n}", n).replace("{s}", message.sent || 0).trim();
      node.hidden = !node.textContent;
      node.setAttribute("data-waiting-count", String(n));
      node.setAttribute("data-sent-count", String(message.sent || 0));
    });
  }

  function token() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function flush() {
    var sw = navigator.serviceWorker;
    if (sw && sw.controller && navigator.onLine) { sw.controller.postMessage({ type: "flush", csrf: token() }); }
  }

  document.querySelectorAll("[data-visit-key]").forEach(function (input) {
    if (!input.value) { input.value = uuid(); }
  });
  waiting().then(function (n) { show({ waiting: n, sent: 0 }); if (n > 0) { flush(); } });
  window.addEventListener("online", flush);

  if (!("serviceWorker" in navigator)) { return; }
  navigator.serviceWorker.addEventListener("message", function (event) {
    if (event.data && event.data.type === "outbox") { show(event.data); }
  });
  var url = "/visits/sw.js?outbox=" + encodeURIComponent(script ? script.src : "");
  navigator.serviceWorker.register(url, { scope: "/visits/" }).then(function () {
    return navigator.serviceWorker.ready;
  }).then(function () {
    document.documentElement.setAttribute("data-outbox-ready", "true");
  }).catch(function () { /* no worker (an insecure origin): the form still posts as usual */ });
})();
