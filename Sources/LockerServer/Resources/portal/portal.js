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