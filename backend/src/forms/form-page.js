// Rapport's form page: solves the proof-of-work puzzle (when the form asks for one) and, inside
// a frame, tells the embedding page its height and where to go after a submission.
(function () {
  'use strict';

  // SHA-256 of an ASCII string, synchronous (works on http:// pages too, unlike crypto.subtle).
  var K = [];
  (function () {
    var n = 2, found = 0;
    function frac(x) { return ((x - Math.floor(x)) * 4294967296) | 0; }
    while (found < 64) {
      var prime = true;
      for (var d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
      if (prime) K[found++] = frac(Math.pow(n, 1 / 3));
      n++;
    }
  })();
  var H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  function sha256(text) {
    var bytes = [];
    for (var i = 0; i < text.length; i++) bytes.push(text.charCodeAt(i) & 0xff);
    var bitLen = bytes.length * 8;
    bytes.push(0x80);
    while (bytes.length % 64 !== 56) bytes.push(0);
    for (var s = 56; s >= 0; s -= 8) bytes.push(s >= 32 ? 0 : (bitLen >>> s) & 0xff);
    var h = H0.slice(), w = new Array(64);
    for (var off = 0; off < bytes.length; off += 64) {
      for (var t = 0; t < 16; t++) {
        var j = off + t * 4;
        w[t] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
      }
      for (t = 16; t < 64; t++) {
        var a = w[t - 15], b = w[t - 2];
        var s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
        var s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
      }
      var A = h[0], B = h[1], C = h[2], D = h[3], E = h[4], F = h[5], G = h[6], Hh = h[7];
      for (t = 0; t < 64; t++) {
        var S1 = ((E >>> 6) | (E << 26)) ^ ((E >>> 11) | (E << 21)) ^ ((E >>> 25) | (E << 7));
        var ch = (E & F) ^ (~E & G);
        var t1 = (Hh + S1 + ch + K[t] + w[t]) | 0;
        var S0 = ((A >>> 2) | (A << 30)) ^ ((A >>> 13) | (A << 19)) ^ ((A >>> 22) | (A << 10));
        var maj = (A & B) ^ (A & C) ^ (B & C);
        var t2 = (S0 + maj) | 0;
        Hh = G; G = F; F = E; E = (D + t1) | 0; D = C; C = B; B = A; A = (t1 + t2) | 0;
      }
      h[0] = (h[0] + A) | 0; h[1] = (h[1] + B) | 0; h[2] = (h[2] + C) | 0; h[3] = (h[3] + D) | 0;
      h[4] = (h[4] + E) | 0; h[5] = (h[5] + F) | 0; h[6] = (h[6] + G) | 0; h[7] = (h[7] + Hh) | 0;
    }
    return h;
  }
  function zeroBits(h) {
    var n = 0;
    for (var i = 0; i < 8; i++) {
      if (h[i] === 0) { n += 32; continue; }
      return n + Math.clz32(h[i]);
    }
    return n;
  }

  var framed = window.parent !== window;
  function tell(message) {
    if (!framed) return;
    var main = document.querySelector('[data-form]');
    message.rapportForm = main ? main.getAttribute('data-form') : null;
    window.parent.postMessage(message, '*');
  }
  function reportHeight() {
    tell({ height: document.documentElement.scrollHeight });
  }
  if (framed) {
    reportHeight();
    if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.body);
    window.addEventListener('load', reportHeight);
  }

  var redirect = document.querySelector('[data-redirect]');
  if (redirect) tell({ redirect: redirect.getAttribute('data-redirect') });

  var form = document.querySelector('form[data-pow]');
  if (!form) return;
  var bits = parseInt(form.getAttribute('data-pow'), 10) || 16;
  var token = form.elements._token.value;
  var answer = form.elements._pow;
  var solved = false, waiting = false, nonce = 0;
  function work() {
    var stop = Date.now() + 40;
    while (Date.now() < stop) {
      if (zeroBits(sha256(token + ':' + nonce)) >= bits) {
        answer.value = String(nonce);
        solved = true;
        if (waiting) form.submit();
        return;
      }
      nonce++;
    }
    setTimeout(work, 0);
  }
  form.addEventListener('submit', function (e) {
    if (solved) return;
    e.preventDefault();
    waiting = true;
    var button = form.querySelector('button[type=submit]');
    if (button) { button.disabled = true; button.textContent = 'Sending…'; }
  });
  work();
})();
