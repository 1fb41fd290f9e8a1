// The service worker of the offline QR checker: it keeps a copy of the checker page, its
// script and the stylesheet, refreshed from the network whenever the network answers, so
// /portal/check opens with no network at all. Nothing else goes through it; the keys and
// revocation lists live in the page's localStorage.
'use strict';
var CACHE = 'locker-check-v1';
var KEPT = ['/portal/check', '/portal/check.js', '/portal/portal.css'];

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(KEPT); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('fetch', function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin || KEPT.indexOf(url.pathname) < 0) return;
  // Network first (a fresh page after a deploy), the kept copy when the network fails.
  event.respondWith(fetch(event.request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(url.pathname, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(url.pathname).then(function (kept) { return kept || Response.error(); });
  }));
});
