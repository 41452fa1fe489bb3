// The home visits' service worker (issue 16), served by the app at /visits/sw.js (scope /visits/):
// when a visit's form is posted without network (a basement, a stairwell), it keeps the post in
// IndexedDB and answers with a page saying so; when the network is back (a page's "online" event, or
// Background Sync) it sends each one again. Each post carries the visit's own key, so the server
// saves it once however many times it arrives. Nothing but the visit form's posts is touched.
"use strict";
var WORDS = /*WORDS*/{};
var DB = "shequ-outbox";
var STORE = "visits";
var CACHE = "shequ-outbox-1";
var FORM_PATH = "/visits/new/";
var OUTBOX = new URL(self.location.href).searchParams.get("outbox") || "";

function database() {
  return new Promise(function (resolve, reject) {
    var req = indexedDB.open(DB, 1);
    req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "key" }); };
    req.onsuccess = function () { resolve(req.result); };
    req.onerror = function () { reject(req.error); };
  });
}

function store(mode, work) {
  return database().then(function (db) {
    return new Promise(function (resolve, reject) {
      var tx = db.transaction(STORE, mode);
      var result = work(tx.objectStore(STORE));
      tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
      tx.onerror = function () { reject(tx.error); };
    });
  });
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}

function savedPage(back) {
  var attrs = ["waiting", "sent", "login", "refused"].map(function (k) {
    return " data-" + k + "=\"" + escape(WORDS[k] || "") + "\"";
  }).join("");
  return "<!DOCTYPE html><html lang=\"" + escape(WORDS.lang || "zh-CN") + "\"><head><meta charset=\"utf-8\">" +
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" + escape(WORDS.title) +
    "</title></head><body><main style=\"font: 1.1rem/1.5 sans-serif; padding: 1rem\">" +
    "<h1 data-testid=\"saved-offline\">" + escape(WORDS.title) + "</h1><p>" + escape(WORDS.explain) + "</p>" +
    "<p data-outbox data-testid=\"outbox\"" + attrs + "></p>" +
    "<p><a href=\"" + escape(back) + "\" data-testid=\"back-to-list\">" + escape(WORDS.back) + "</a></p>" +
    (OUTBOX ? "<script src=\"" + escape(OUTBOX) + "\"></script>" : "") + "</main></body></html>";
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return OUTBOX ? cache.add(OUTBOX) : null; })
      .catch(function () { return null; })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method === "POST" && url.pathname === FORM_PATH) {
    event.respondWith(post(request));
  } else if (request.method === "GET" && OUTBOX && request.url === new URL(OUTBOX, self.location.href).href) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
  }
});

function post(request) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    return copy.text().then(function (body) {
      var key = new URLSearchParams(body).get("key") || "t" + Date.now();
      var item = { key: key, url: copy.url, body: body, type: copy.headers.get("Content-Type"), at: Date.now() };
      return store("readwrite", function (s) { return s.put(item); }).then(function () {
        if (self.registration.sync) { self.registration.sync.register("visits").catch(function () {}); }
        var back = new URL(copy.url);
        return new Response(savedPage(back.pathname + back.search), {
          status: 202,
          headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
        });
      });
    });
  });
}

var flushing = null;

function flush(csrf) {
  if (flushing) { return flushing; }
  flushing = sendAll(csrf).finally(function () { flushing = null; });
  return flushing;
}

function sendAll(csrf) {
  var report = { type: "outbox", sent: 0, refused: 0, waiting: 0, login: false };
  return store("readonly", function (s) { return s.getAll(); }).then(function (items) {
    var chain = Promise.resolve(true);
    items.forEach(function (item) {
      chain = chain.then(function (online) {
        if (!online) { report.waiting += 1; return false; }
        var body = item.body;
        if (csrf) {
          var fields = new URLSearchParams(body);
          fields.set("csrfmiddlewaretoken", csrf);
          body = fields.toString();
        }
        return fetch(item.url, {
          method: "POST", body: body, credentials: "same-origin", redirect: "follow",
          headers: { "Content-Type": item.type || "application/x-www-form-urlencoded" },
        }).then(function (response) {
          var signIn = new URL(response.url).pathname.indexOf("/login") === 0;
          if (response.ok && !signIn) { report.sent += 1; return done(item); }
          if (signIn || response.status === 403) { report.login = true; report.waiting += 1; return true; }
          report.refused += 1;  // the server said no (e.g. a date too old): it would say no again
          return done(item);
        }, function () { report.waiting += 1; return false; });
      });
    });
    return chain;
  }).then(function () {
    return self.clients.matchAll({ includeUncontrolled: true }).then(function (clients) {
      clients.forEach(function (client) { client.postMessage(report); });
      return report;
    });
  });
}

function done(item) {
  return store("readwrite", function (s) { return s.delete(item.key); }).then(function () { return true; });
}

self.addEventListener("sync", function (event) {
  if (event.tag === "visits") { event.waitUntil(flush("")); }
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "flush") { event.waitUntil(flush(event.data.csrf || "")); }
});
