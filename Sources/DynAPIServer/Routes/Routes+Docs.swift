import DynAPICore
import Hummingbird

extension Routes {
    /// `GET /api/schema/`: the OpenAPI 3.1 document of the live schema, remade after each reload.
    static func addSchemaDocument(to router: Router<AppRequestContext>, tables: some TableService) {
        router.get("/api/schema") { _, _ -> Response in
            .json(.ok, tables.openAPIDocument())
        }
    }
}

extension Runtime {
    /// The OpenAPI document for the current snapshot, from the cache when it is fresh.
    func openAPIDocument() -> String {
        let version = schemaVersion.value
        if let cached = openAPI.value, cached.schemaVersion == version { return cached.json }
        let json = OpenAPIDocument.json(for: schema.value)
        openAPI.replace(with: (version, json))
        return json
    }
}
