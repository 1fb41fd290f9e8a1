// The offline QR checker (/portal/check). It keeps this deployment's JWKS and SMART Health
// Cards revocation lists in localStorage, refreshed whenever it is online, and checks a scanned
// code with them alone: WebCrypto for the signature (ES256 for cards, Ed25519 for status codes),
// DecompressionStream for the raw-DEFLATE payload. The same checks, in the same order, as
// `locker verify-qr` (Sources/LockerCore/OfflineVerifier*.swift). Nothing typed here is sent.
'use strict';
(function () {
  var STORE = 'locker-check-v1';
  var SKEW = 60;                 // seconds of clock skew allowed on exp, nbf and iat
  var MAX_PAYLOAD = 64 * 1024;   // an inflated payload larger than this is refused
  var CARD_TYPE = 'https://smarthealth.cards#health-card';
  var SHARE_AUDIENCE = 'locker:share-status';
  var STATUS_WORDS = ['not vaccinated', 'partially vaccinated', 'fully vaccinated'];

  var $ = function (id) { return document.getElementById(id); };

  // MARK: the saved keys and lists

  function saved() {
    try { return JSON.parse(localStorage.getItem(STORE) || 'null'); } catch (e) { return null; }
  }

  function showSaved(note) {
    var s = saved();
    var line;
    if (!s) {
      line = 'No keys saved yet: connect to the network and press "Update".';
    } else {
      var keys = (s.jwks.keys || []).length;
      var lists = Object.keys(s.crls).map(function (kid) { return 'the revocation list of key ' + kid.slice(0, 8) + '… (' + s.crls[kid].rids.length + ' revoked)'; });
      line = keys + ' key' + (keys === 1 ? '' : 's') + (lists.length ? ' and ' + lists.join(', ') : '') +
        ', saved ' + new Date(s.syncedAt).toLocaleString() + '.';
    }
    $('check-sync').textContent = (note ? note + ' ' : '') + line;
    $('check-sync').setAttribute('data-synced-at', s ? String(s.syncedAt) : '');
  }

  function getJSON(path) {
    return fetch(path, { cache: 'no-store', credentials: 'omit' }).then(function (r) {
      if (!r.ok) throw new Error(path + ' answered ' + r.status);
      return r.json();
    });
  }

  // Fetches the JWKS and the revocation list of each P-256 key; saves them only when all came.
  function sync() {
    return getJSON('/.well-known/jwks.json').then(function (jwks) {
      if (!jwks || !Array.isArray(jwks.keys)) throw new Error('the JWKS is not a key set');
      var cardKeys = jwks.keys.filter(function (k) { return k.kty === 'EC' && k.crv === 'P-256' && typeof k.kid === 'string'; });
      return Promise.all(cardKeys.map(function (k) {
        return getJSON('/.well-known/crl/' + encodeURIComponent(k.kid) + '.json');
      })).then(function (lists) {
        var crls = {};
        lists.forEach(function (l) { if (l && l.method === 'rid' && Array.isArray(l.rids)) crls[l.kid] = l; });
        localStorage.setItem(STORE, JSON.stringify({ syncedAt: Date.now(), jwks: jwks, crls: crls }));
        showSaved('Updated.');
      });
    }).catch(function () {
      showSaved('Offline: using the saved copy.');
    });
  }

  // MARK: decoding

  // shc:/ and locker:/ text: two digits per JWS character, its code minus 45 (00-77).
  function digitsToJWS(body) {
    if (!/^(?:[0-9]{2})+$/.test(body)) return null;
    var out = '';
    for (var i = 0; i < body.length; i += 2) {
      var n = Number(body.substr(i, 2));
      if (n > 77) return null;
      out += String.fromCharCode(n + 45);
    }
    return out;
  }

  function b64urlEncode(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  // Canonical base64url only: re-encoding must give the text back, so no character can change unnoticed.
  function b64urlDecode(text) {
    if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
    var s;
    try { s = atob(text.replace(/-/g, '+').replace(/_/g, '/')); } catch (e) { return null; }
    var bytes = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
    return b64urlEncode(bytes) === text ? bytes : null;
  }

  function parts(jws) {
    var p = jws.split('.');
    if (p.length !== 3) return null;
    var header = b64urlDecode(p[0]), payload = b64urlDecode(p[1]), signature = b64urlDecode(p[2]);
    if (!header || !payload || !signature) return null;
    var h;
    try { h = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(header)); } catch (e) { return null; }
    if (!h || typeof h !== 'object' || Array.isArray(h)) return null;
    return { header: h, signingInput: new TextEncoder().encode(p[0] + '.' + p[1]), payload: payload, signature: signature };
  }

  // Raw DEFLATE (RFC 1951) to a JSON object, refusing more than MAX_PAYLOAD bytes.
  function inflate(bytes) {
    var reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
    var chunks = [], total = 0;
    function next() {
      return reader.read().then(function (r) {
        if (r.done) return;
        total += r.value.length;
        if (total > MAX_PAYLOAD) { reader.cancel(); throw new Error('too large'); }
        chunks.push(r.value);
        return next();
      });
    }
    return next().then(function () {
      var all = new Uint8Array(total), at = 0;
      chunks.forEach(function (c) { all.set(c, at); at += c.length; });
      var object = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(all));
      if (!object || typeof object !== 'object' || Array.isArray(object)) throw new Error('not an object');
      return object;
    });
  }

  function seconds(v) { return typeof v === 'number' && isFinite(v) ? Math.trunc(v) : null; }
  function when(s) { return new Date(s * 1000).toISOString().replace('.000Z', 'Z'); }

  // MARK: the checks

  function fail(kind, failure, detail, claims) { return { valid: false, kind: kind, failure: failure, detail: detail, claims: claims || null }; }

  function verifySignature(jwk, algorithm, p) {
    var imported = algorithm === 'ES256'
      ? crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
      : crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, { name: 'Ed25519' }, false, ['verify']);
    return imported.then(function (key) {
      var params = algorithm === 'ES256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'Ed25519' };
      return crypto.subtle.verify(params, key, p.signature, p.signingInput);
    });
  }

  function findKey(s, kid, kty, crv) {
    return (s.jwks.keys || []).filter(function (k) { return k.kid === kid && k.kty === kty && k.crv === crv; })[0];
  }

  function revoked(list, rid, nbf) {
    return list.rids.some(function (entry) {
      var i = entry.indexOf('.');
      if (i < 0) return entry === rid;
      if (entry.slice(0, i) !== rid || !/^[0-9]+$/.test(entry.slice(i + 1))) return false;
      return (nbf === null ? -Infinity : nbf) < Number(entry.slice(i + 1));
    });
  }

  function healthCard(jws, s, now) {
    var kind = 'smart-health-card';
    var p = parts(jws);
    if (!p) return Promise.resolve(fail(kind, 'malformed', 'not a compact JWS'));
    var kid = p.header.kid;
    if (p.header.alg !== 'ES256' || p.header.zip !== 'DEF' || typeof kid !== 'string') {
      return Promise.resolve(fail(kind, 'malformed', 'the header must name alg ES256, zip DEF and a kid'));
    }
    var key = findKey(s, kid, 'EC', 'P-256');
    if (!key) return Promise.resolve(fail(kind, 'unknown-key', 'no saved key ' + kid + ': another deployment\'s card, or keys older than the card'));
    if (p.signature.length !== 64) return Promise.resolve(fail(kind, 'bad-signature', 'the signature is not 64 bytes'));
    return verifySignature(key, 'ES256', p).then(function (ok) {
      if (!ok) return fail(kind, 'bad-signature', 'the signature does not verify: the code was altered or is not this issuer\'s');
      return inflate(p.payload).then(function (c) {
        var vc = c.vc || {};
        if (!Array.isArray(vc.type) || vc.type.indexOf(CARD_TYPE) < 0) return fail(kind, 'wrong-type', 'vc.type lacks ' + CARD_TYPE, c);
        var nbf = seconds(c.nbf), exp = seconds(c.exp);
        if (nbf !== null && nbf > now + SKEW) return fail(kind, 'not-yet-valid', 'not valid before ' + when(nbf), c);
        if (exp !== null && exp + SKEW < now) return fail(kind, 'expired', 'expired at ' + when(exp), c);
        var list = s.crls[kid];
        if (!list) return fail(kind, 'no-revocation-list', 'no saved revocation list for key ' + kid, c);
        if (typeof vc.rid === 'string' && revoked(list, vc.rid, nbf)) {
          return fail(kind, 'revoked', 'the issuer revoked this certificate (rid ' + vc.rid + ' is in the revocation list of key ' + kid + ')', c);
        }
        return { valid: true, kind: kind, detail: 'a SMART Health Card signed by key ' + kid + '; not in the saved revocation list (' + list.rids.length + ' revoked, saved ' + new Date(s.syncedAt).toLocaleString() + ')', claims: c };
      }, function () { return fail(kind, 'malformed', 'the payload is not raw DEFLATE of a JSON object'); });
    }, function () { return fail(kind, 'cannot-check', 'this browser cannot verify ES256 signatures'); });
  }

  function status(jws, s, now, audience) {
    var p = parts(jws);
    if (!p) return Promise.resolve(fail(null, 'malformed', 'not a compact JWS'));
    var kid = p.header.kid;
    var kind = p.header.typ === 'kyc-vs+jwt' ? 'kyc-vs' : p.header.typ === 'share-status+jwt' ? 'share-status' : null;
    if (p.header.alg !== 'Ed25519' || p.header.zip !== 'DEF' || typeof kid !== 'string') {
      return Promise.resolve(fail(kind, 'malformed', 'the header must name alg Ed25519, zip DEF and a kid'));
    }
    var key = findKey(s, kid, 'OKP', 'Ed25519');
    if (!key) return Promise.resolve(fail(kind, 'unknown-key', 'no saved key ' + kid + ': another deployment\'s code, or keys older than the code'));
    return verifySignature(key, 'Ed25519', p).then(function (ok) {
      if (!ok) return fail(kind, 'bad-signature', 'the signature does not verify: the code was altered or is not this issuer\'s');
      return inflate(p.payload).then(function (c) {
        if (!kind || c.kind !== kind) return fail(kind, 'wrong-type', 'typ and kind disagree', c);
        if (kind === 'share-status' && c.aud !== SHARE_AUDIENCE) return fail(kind, 'wrong-type', 'a share statement\'s aud must be ' + SHARE_AUDIENCE, c);
        if (kind === 'kyc-vs' && audience && c.aud !== audience) return fail(kind, 'wrong-audience', 'the answer is for verifier ' + c.aud + ', not ' + audience, c);
        var exp = seconds(c.exp), iat = seconds(c.iat);
        if (exp === null) return fail(kind, 'malformed', 'no exp', c);
        if (exp + SKEW < now) return fail(kind, 'expired', 'expired at ' + when(exp), c);
        if (iat !== null && iat > now + SKEW) return fail(kind, 'not-yet-valid', 'issued in the future, at ' + when(iat), c);
        if (kind === 'share-status' && c.valid !== true) return fail(kind, 'not-valid', 'signed, but the statement says the document is not valid', c);
        var what = kind === 'kyc-vs' ? 'a KYC-VS answer' : 'a share statement';
        return { valid: true, kind: kind, detail: what + ' signed by key ' + kid + ', valid until ' + when(exp), claims: c };
      }, function () { return fail(kind, 'malformed', 'the payload is not raw DEFLATE of a JSON object'); });
    }, function () { return fail(kind, 'cannot-check', 'this browser cannot verify Ed25519 signatures'); });
  }

  function check(text, audience) {
    var s = saved();
    if (!s) return Promise.resolve(fail(null, 'cannot-check', 'no keys saved: open this page once with a network'));
    if (!window.isSecureContext || !window.crypto || !crypto.subtle || typeof DecompressionStream === 'undefined') {
      return Promise.resolve(fail(null, 'cannot-check', 'this browser cannot check codes here (it needs HTTPS, WebCrypto and DecompressionStream)'));
    }
    var now = Date.now() / 1000;
    text = text.trim();
    var jws;
    if (text.indexOf('shc:/') === 0) {
      if (!(jws = digitsToJWS(text.slice(5)))) return Promise.resolve(fail('smart-health-card', 'malformed', 'the text after shc:/ is not pairs of digits 00-77'));
      return healthCard(jws, s, now);
    }
    if (text.indexOf('locker:/') === 0) {
      if (!(jws = digitsToJWS(text.slice(8)))) return Promise.resolve(fail(null, 'malformed', 'the text after locker:/ is not pairs of digits 00-77'));
      return status(jws, s, now, audience);
    }
    return Promise.resolve(fail(null, 'malformed', 'not a SMART Health Card (shc:/…) or a Locker status code (locker:/…)'));
  }

  // MARK: showing the verdict (textContent only: nothing from a code becomes markup)

  function row(list, term, value) {
    var dt = document.createElement('dt'), dd = document.createElement('dd');
    dt.textContent = term;
    dd.textContent = value;
    list.appendChild(dt);
    list.appendChild(dd);
  }

  function facts(v) {
    var dl = document.createElement('dl');
    dl.className = 'facts';
    var c = v.claims;
    if (!c) return dl;
    if (v.kind === 'smart-health-card') {
      var entries = (((c.vc || {}).credentialSubject || {}).fhirBundle || {}).entry || [];
      var doses = [];
      entries.forEach(function (e) {
        var r = e.resource || {};
        if (r.resourceType === 'Patient') {
          var n = (r.name || [])[0] || {};
          row(dl, 'Name', n.text || [].concat(n.given || [], n.family || []).join(' '));
          if (r.birthDate) row(dl, 'Born', r.birthDate);
        } else if (r.resourceType === 'Immunization') {
          doses.push(r.occurrenceDateTime || '?');
        }
      });
      row(dl, 'Doses', String(doses.length) + (doses.length ? ' (last ' + doses[doses.length - 1] + ')' : ''));
      if (c.iss) row(dl, 'Issued by', c.iss);
    } else {
      if (typeof c.status === 'number') row(dl, 'Status', STATUS_WORDS[c.status] || String(c.status));
      if (c.docType) row(dl, 'Document', c.docType + (c.issuer ? ' from ' + c.issuer : ''));
      if (c.aud && c.aud !== SHARE_AUDIENCE) row(dl, 'For verifier', c.aud);
      if (c.exp) row(dl, 'Until', when(c.exp));
      if (c.iss) row(dl, 'Signed by', c.iss);
    }
    return dl;
  }

  function show(v) {
    var box = $('check-verdict');
    box.textContent = '';
    var card = document.createElement('div');
    card.className = 'card ' + (v.valid ? 'good' : 'bad');
    card.setAttribute('data-valid', v.valid ? 'true' : 'false');
    card.setAttribute('data-failure', v.failure || '');
    card.setAttribute('data-kind', v.kind || '');
    var h = document.createElement('h2');
    h.textContent = v.valid ? 'Valid' : v.failure === 'cannot-check' ? 'Cannot check' : v.failure === 'revoked' ? 'Revoked' : 'Not valid';
    var p = document.createElement('p');
    p.textContent = v.detail;
    card.appendChild(h);
    card.appendChild(p);
    // A card's holder is shown only when the signature held, so the person can be compared with their ID.
    if (v.claims) card.appendChild(facts(v));
    box.appendChild(card);
    if (card.scrollIntoView) card.scrollIntoView({ block: 'nearest' });
  }

  function run() {
    $('check-verdict').textContent = 'Checking…';
    check($('check-text').value, $('check-audience').value.trim()).then(show, function () {
      show(fail(null, 'cannot-check', 'the check could not run in this browser'));
    });
  }

  // MARK: camera (where the browser has a barcode detector: phones, mostly)

  function scanner() {
    if (!('BarcodeDetector' in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
    var button = $('check-scan');
    window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf('qr_code') >= 0) button.hidden = false;
    }, function () {});
    button.addEventListener('click', function () {
      var video = $('check-video');
      var detector = new window.BarcodeDetector({ formats: ['qr_code'] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } }).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        video.play();
        var stop = function () { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; };
        var started = Date.now();
        var look = function () {
          if (Date.now() - started > 60000) return stop();
          detector.detect(video).then(function (codes) {
            if (codes.length) { stop(); $('check-text').value = codes[0].rawValue; run(); } else { setTimeout(look, 200); }
          }, function () { setTimeout(look, 500); });
        };
        look();
      }, function () { $('check-verdict').textContent = 'The camera is not available; paste the code instead.'; });
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    showSaved('');
    $('check-run').addEventListener('click', run);
    $('check-refresh').addEventListener('click', sync);
    scanner();
    if (navigator.serviceWorker) navigator.serviceWorker.register('/portal/check-sw.js', { scope: '/portal/check' }).catch(function () {});
    if (navigator.onLine !== false) sync();
  });
})();
