import Mustache

/// The portal's stylesheet and script, served from `/portal/…` so no page carries inline code.
enum PortalAssets {
    static let css = """
        *{box-sizing:border-box}body{font-family:system-ui,sans-serif;margin:0;line-height:1.5;color:#1a1a1a;background:#f6f7f9}
        header{display:flex;justify-content:space-between;align-items:center;padding:.5rem 1rem;background:#0b3d91;color:#fff}
        header a.brand{color:#fff;font-weight:700;text-decoration:none;font-size:1.2rem}main{max-width:46rem;margin:0 auto;padding:1rem}
        h1{font-size:1.4rem}h2{font-size:1.1rem;margin:.2rem 0}label{display:block;margin:.6rem 0 .2rem;font-weight:600}
        input,select,button,.button{font-size:1rem;padding:.5rem .8rem;max-width:100%}input,select{width:100%;border:1px solid #667;border-radius:4px}
        button,.button{display:inline-block;margin-top:.6rem;background:#0b3d91;color:#fff;border:0;border-radius:4px;text-decoration:none;cursor:pointer}
        header button{background:#fff;color:#0b3d91;margin:0}form.inline{display:inline}
        :focus-visible{outline:3px solid #f5a623;outline-offset:2px}
        .cards{list-style:none;padding:0}.card{background:#fff;border:1px solid #d5d8de;border-radius:6px;padding:.8rem;margin:.6rem 0;overflow-wrap:anywhere}
        .error{color:#a00000;font-weight:600}.revoked{color:#a00000}.link{font-family:monospace}
        .activity{padding-left:1.2rem}.activity time{color:#555;font-size:.9rem}time{white-space:nowrap}
        .facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2rem .8rem;margin:0}.facts time{white-space:normal}.facts dt{font-weight:600}.facts dd{margin:0}
        """

    static let js = """
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
        """
}
