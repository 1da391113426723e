import HTTPTypes
import Hummingbird

extension Routes {
    /// `/admin/` and `/api/docs/`: pages shipped inside the binary, so the sidecar
    /// needs no frontend build and no CDN.
    static func addAdminPages(to router: Router<AppRequestContext>) {
        for (path, asset) in [
            ("/admin", PageAsset.adminPage),
            ("/api/docs", PageAsset.docsPage),
            ("/admin/assets/admin.css", PageAsset.adminStyles),
            ("/admin/assets/admin.js", PageAsset.adminScript),
            ("/admin/assets/docs.js", PageAsset.docsScript),
            ("/admin/assets/dom.js", PageAsset.domScript),
        ] {
            router.get(RouterPath(path)) { _, _ -> Response in asset.response() }
        }
    }
}

/// One embedded file and the type it is served as.
struct PageAsset: Sendable {
    let bytes: [UInt8]
    let contentType: String

    static let adminPage = PageAsset(bytes: PackageResources.admin_html, contentType: "text/html; charset=utf-8")
    static let docsPage = PageAsset(bytes: PackageResources.docs_html, contentType: "text/html; charset=utf-8")
    static let adminStyles = PageAsset(bytes: PackageResources.admin_css, contentType: "text/css; charset=utf-8")
    static let adminScript = PageAsset(bytes: PackageResources.admin_js, contentType: "text/javascript; charset=utf-8")
    static let docsScript = PageAsset(bytes: PackageResources.docs_js, contentType: "text/javascript; charset=utf-8")
    static let domScript = PageAsset(bytes: PackageResources.dom_js, contentType: "text/javascript; charset=utf-8")

    /// Scripts and styles come from this origin only, nothing may frame the pages
    /// (clickjacking), and URLs never leak through a Referer.
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.xFrameOptions] = "DENY"
        headers[.referrerPolicy] = "no-referrer"
        // Revalidated on each load, so a new binary's pages are seen at once.
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension HTTPField.Name {
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
