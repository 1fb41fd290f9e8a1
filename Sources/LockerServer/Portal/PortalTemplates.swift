import Mustache

/// The portal's pages as Mustache templates. Every value is escaped before rendering, per
/// Unicode scalar (`HTMLText.escapeContext`), and printed with the raw triple-brace form only:
/// Mustache's own double-brace escaping works per grapheme and lets a quote followed by a
/// combining mark through. A shared `layout` partial gives every page the same head and the
/// stylesheet and script from `/portal/…` (no inline code, so the CSP can forbid it).
enum PortalTemplates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in [("layout", layout), ("signin", signin), ("otp", otp), ("home", home), ("shared", shared), ("message", message), ("link", link)] {
            try! library.register(text, named: name)
        }
        return library
    }()

    static let layout = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{{title}}} · Locker</title><link rel="stylesheet" href="/portal/portal.css">{{^noScript}}<script src="/portal/portal.js" defer></script>{{/noScript}}</head>
        <body><header><a class="brand" href="/">Locker</a>{{#signedIn}}
        <form method="post" action="/portal/sign-out" class="inline"><input type="hidden" name="csrf" value="{{{csrf}}}"><button type="submit">Sign out</button></form>{{/signedIn}}</header>
        <main id="main">{{$body}}{{/body}}</main></body></html>
        """

    static let signin = """
        {{<layout}}{{$body}}
        <h1>Sign in</h1>
        <p>We will send a 6-digit code to your mobile number.</p>
        {{#error}}<p class="error" role="alert">{{{error}}}</p>{{/error}}
        <form method="post" action="/portal/sign-in">
        <input type="hidden" name="csrf" value="{{{csrf}}}">
        <label for="mobile">Mobile number (with country code)</label>
        <input id="mobile" name="mobile" type="tel" inputmode="tel" autocomplete="tel" placeholder="+919876543210" required value="{{{mobile}}}">
        <button type="submit">Send code</button>
        </form>{{/body}}{{/layout}}
        """

    static let otp = """
        {{<layout}}{{$body}}
        <h1>Enter your code</h1>
        <p>We sent a code to your phone. It works for 5 minutes.</p>
        {{#error}}<p class="error" role="alert">{{{error}}}</p>{{/error}}
        <form method="post" action="/portal/verify">
        <input type="hidden" name="csrf" value="{{{csrf}}}"><input type="hidden" name="challengeId" value="{{{challengeId}}}">
        <label for="otp">6-digit code</label>
        <input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
        <button type="submit">Sign in</button>
        </form>
        <p><a href="/">Start again</a></p>{{/body}}{{/layout}}
        """

    static let home = """
        {{<layout}}{{$body}}
        <h1>Your certificates</h1>
        {{^documents}}<p>No certificates yet. When an issuer pushes one to your number, it appears here.</p>{{/documents}}
        <ul class="cards">{{#documents}}
        <li class="card" id="doc-{{{id}}}"><h2>{{{docName}}} · {{{issuerName}}}</h2>
        <p>Issued {{{issuedOn}}} · version {{{version}}} · {{{sizeText}}}{{#revoked}} · <strong class="revoked">revoked by the issuer</strong>{{/revoked}}</p>
        {{^revoked}}<p><a class="button" href="/portal/documents/{{{id}}}/content" download>Download</a></p>
        <details><summary>Share this certificate</summary>
        <form method="post" action="/portal/shares" class="share-form">
        <input type="hidden" name="csrf" value="{{{csrf}}}"><input type="hidden" name="documentId" value="{{{id}}}">
        <label for="label-{{{id}}}">Who is it for?</label><input id="label-{{{id}}}" name="label" maxlength="100" required placeholder="IRCTC booking">
        <label for="scope-{{{id}}}">What they see</label>
        <select id="scope-{{{id}}}" name="scope"><option value="document">The certificate</option>{{#hasStatus}}<option value="status">Only its vaccination status</option>{{/hasStatus}}</select>
        <label for="hours-{{{id}}}">Valid for (hours, up to 720)</label><input id="hours-{{{id}}}" name="hours" type="number" min="1" max="720" value="24" required>
        <label for="uses-{{{id}}}">Number of uses</label><input id="uses-{{{id}}}" name="maxUses" type="number" min="1" max="1000" value="1" required>
        <label for="passcode-{{{id}}}">Passcode (optional, 4-64 characters)</label><input id="passcode-{{{id}}}" name="passcode" type="password" autocomplete="new-password" minlength="4" maxlength="64">
        <button type="submit">Create share link</button>
        </form></details>{{/revoked}}</li>{{/documents}}
        </ul>
        <h2>Your share links</h2>
        {{^shares}}<p>You have not shared anything.</p>{{/shares}}
        <ul class="cards">{{#shares}}
        <li class="card share" id="share-{{{id}}}"><p><strong>{{{label}}}</strong> · {{{scopeText}}} · <span class="state">{{{state}}}</span></p>
        <p>Used <span class="uses">{{{usesSpent}}}</span> of {{{maxUses}}} · until <time datetime="{{{expiresAtISO}}}">{{{expiresAt}}}</time></p>
        {{#active}}<form method="post" action="/portal/shares/{{{id}}}/revoke"><input type="hidden" name="csrf" value="{{{csrf}}}"><button type="submit">Withdraw</button></form>{{/active}}
        </li>{{/shares}}
        </ul>
        <h2>Activity</h2>
        <ol class="activity">{{#events}}<li><time datetime="{{{atISO}}}">{{{at}}}</time> {{{text}}}</li>{{/events}}</ol>
        {{/body}}{{/layout}}
        """

    static let shared = """
        {{<layout}}{{$body}}
        <h1>Share link ready</h1>
        <p>Send this link to <strong>{{{label}}}</strong>. It is shown only now; anyone with it can use it {{{usesText}}} until {{{expiresAt}}}.</p>
        <label for="share-link">Link</label>
        <input id="share-link" class="link" readonly value="{{{link}}}">
        <button type="button" class="copy" data-copy="share-link">Copy link</button> <span class="copied" role="status" aria-live="polite"></span>
        <p><a href="/">Back to your certificates</a></p>{{/body}}{{/layout}}
        """

    /// The `/s/{token}` page a share link opens: what is shared, by whom, until when, and a
    /// button that redeems it (with the passcode, if the grant has one). No script.
    static let link = """
        {{<layout}}{{$body}}
        <h1>A certificate was shared with you</h1>
        {{#error}}<p class="error" role="alert">{{{error}}}</p>{{/error}}
        <div class="card"><dl class="facts">
        <dt>Document</dt><dd>{{{docName}}}</dd>
        <dt>Issued by</dt><dd>{{{issuerName}}}</dd>
        <dt>Available until</dt><dd><time datetime="{{{expiresAtISO}}}">{{{expiresAt}}}</time></dd>
        <dt>Uses left</dt><dd>{{{usesLeft}}}</dd>
        </dl></div>
        <p>Opening it gives you {{{what}}}. Each opening uses one of the link's uses and is shown to the certificate's owner.</p>
        <form method="post" action="/v1/shares/redeem">
        <input type="hidden" name="token" value="{{{token}}}">
        {{#passcode}}<label for="passcode">Passcode</label><input id="passcode" name="passcode" type="password" autocomplete="off" required>{{/passcode}}
        <button type="submit">Open</button>
        </form>{{/body}}{{/layout}}
        """

    static let message = """
        {{<layout}}{{$body}}
        <h1>{{{heading}}}</h1>
        <p {{#isError}}class="error" role="alert"{{/isError}}>{{{text}}}</p>
        {{^noBack}}<p><a href="/">Back</a></p>{{/noBack}}{{/body}}{{/layout}}
        """
}
