import Foundation
import Hummingbird
import HTTPTypes

/// The KYC-VS consent page: tells the citizen who asks and why, takes the OTP, and hands the
/// signed answer to the embedding verifier with `postMessage`, to the one registered origin that
/// the page was opened for (the only one `frame-ancestors` lets frame it).
enum EmbedPage {
    /// Per Unicode scalar (`HTMLText`): a quote followed by a combining mark is escaped too.
    static func escape(_ s: String) -> String { HTMLText.escape(s) }

    static let style = """
        body{font-family:system-ui,sans-serif;margin:0;padding:1rem;max-width:28rem;line-height:1.5;color:#1a1a1a}
        h1{font-size:1.2rem;margin:0 0 .5rem}label{display:block;margin:.75rem 0 .25rem;font-weight:600}
        input{font-size:1.4rem;letter-spacing:.3rem;width:9rem;padding:.4rem}button{font-size:1rem;padding:.5rem 1rem;margin-top:.75rem}
        #result{margin-top:.75rem;font-weight:600}
        """

    static let styleHash = SHA256Digest.cspSource(for: style)

    static func page(requestID: String, verifierName: String, purpose: String, targetOrigin: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Consent: vaccination status check</title><style>\(style)</style></head>
        <body><main>
        <h1>\(escape(verifierName)) wants to check your vaccination status</h1>
        <p>Purpose: <strong>\(escape(purpose))</strong></p>
        <p>They will learn only whether you are not, partially or fully vaccinated: not your certificate, date of birth or number.</p>
        <form id="consent" data-request="\(escape(requestID))" data-origin="\(escape(targetOrigin))">
        <label for="otp">Code sent to your phone</label>
        <input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
        <br><button type="submit">I agree: share my status</button>
        </form>
        <p id="result" role="status" aria-live="polite"></p>
        </main><script src="/kyc-vs/embed.js"></script></body></html>
        """
    }

    static let notFound = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Request not found</title></head>
        <body><p>This request is unknown, expired or already answered.</p></body></html>
        """

    static let originRefused = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Origin not registered</title></head>
        <body><p>This consent page must be opened with origin=&lt;one of the verifier's registered origins&gt;, naming the page that embeds it.</p></body></html>
        """

    static let script = """
        (function () {
          var form = document.getElementById('consent');
          if (!form) return;
          var result = document.getElementById('result');
          form.addEventListener('submit', function (event) {
            event.preventDefault();
            result.textContent = 'Checking…';
            fetch('/kyc-vs/embed/confirm', {
              method: 'POST', headers: {'Content-Type': 'application/json'}, credentials: 'omit',
              body: JSON.stringify({request: form.dataset.request, otp: document.getElementById('otp').value})
            }).then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
              .then(function (x) {
                if (!x.ok) { result.textContent = x.body.detail || 'That did not work.'; return; }
                result.textContent = 'Done. You can close this window.';
                if (window.parent !== window && form.dataset.origin) {
                  window.parent.postMessage({type: 'locker-kyc-vs', jws: x.body.jws}, form.dataset.origin);
                }
              }).catch(function () { result.textContent = 'Network error; try again.'; });
          });
        })();
        """

    static func response(html: String, frameAncestors: String, status: HTTPResponse.Status) -> Response {
        let csp = "default-src 'none'; script-src 'self'; style-src \(styleHash); connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors \(frameAncestors)"
        return Response(status: status, headers: [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .contentSecurityPolicy: csp,
            HTTPField.Name("X-Content-Type-Options")!: "nosniff", HTTPField.Name("Referrer-Policy")!: "no-referrer",
        ], body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
