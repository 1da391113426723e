extension APIError {
    /// The JSON body sent to the client.
    public var jsonBody: String {
        var json = JSONText.object()
        json.add("code", code)
        json.add("message", message)
        json.add("details", details)
        json.add("hint", hint)
        if let operationIndex { json.add("index", operationIndex) }
        if !fieldErrors.isEmpty {
            var errors = JSONText.object()
            for field in fieldErrors.keys.sorted() {
                errors.addRaw(field, JSONText.array(of: fieldErrors[field] ?? []))
            }
            json.addRaw("errors", errors.text)
        }
        return json.text
    }
}
