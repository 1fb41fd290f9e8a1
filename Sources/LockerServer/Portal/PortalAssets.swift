/// The portal's stylesheet and scripts (`Resources/portal/*.css`, `*.js`), served from
/// `/portal/…` so no page carries inline code.
enum PortalAssets {
    static let css = PortalResource.text("portal", withExtension: "css")
    static let js = PortalResource.text("portal", withExtension: "js")
    /// The offline QR checker (`/portal/check`) and its service worker.
    static let checkJS = PortalResource.text("check", withExtension: "js")
    static let checkServiceWorker = PortalResource.text("check-sw", withExtension: "js")
}
