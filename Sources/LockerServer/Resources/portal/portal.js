document.addEventListener('click', function (event) {
  var button = event.target.closest('button.copy');
  if (!button) return;
  var field = document.getElementById(button.getAttribute('data-copy'));
  var status = button.parentNode.querySelector('.copied');
  field.select();
  var done = function () { if (status) status.textContent = 'Copied'; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand('copy'); done(); });
  } else {
    document.execCommand('copy'); done();
  }
});
// The QR page: a full-screen button where the browser allows it, and the screen kept awake
// while the code is shown (a dimmed or locked screen cannot be scanned).
(function () {
  var figure = document.getElementById('qr-figure');
  if (!figure) return;
  var button = document.getElementById('qr-fullscreen');
  if (button && document.fullscreenEnabled && figure.requestFullscreen) {
    button.hidden = false;
    button.addEventListener('click', function () { figure.requestFullscreen().catch(function () {}); });
    figure.addEventListener('click', function () { if (document.fullscreenElement) document.exitFullscreen(); });
  }
  var lock = function () {
    if (navigator.wakeLock && document.visibilityState === 'visible') navigator.wakeLock.request('screen').catch(function () {});
  };
  lock();
  document.addEventListener('visibilitychange', lock);
})();
