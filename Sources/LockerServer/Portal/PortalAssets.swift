/// The portal's stylesheet and script (`Resources/portal/portal.css`, `portal.js`), served
/// from `/portal/…` so no page carries inline code.
enum PortalAssets {
    static let css = PortalResource.text("portal", withExtension: "css")
    static let js = PortalResource.text("portal", withExtension: "js")
}
