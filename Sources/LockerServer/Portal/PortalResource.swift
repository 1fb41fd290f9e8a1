import Foundation

/// Reads the portal's resource files (`Resources/portal/`), bundled with the server.
enum PortalResource {
    /// The text of `portal/NAME.EXT`. A missing resource means a broken build: it stops here
    /// with the file's name rather than serving an empty page.
    static func text(_ name: String, withExtension ext: String) -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "portal"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            fatalError("resource portal/\(name).\(ext) is missing from the build")
        }
        return text
    }
}
