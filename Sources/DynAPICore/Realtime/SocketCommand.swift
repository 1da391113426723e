/// What a client of the multiplexed socket `/ws/dynapi/` sends:
/// `{"subscribe":["customer","order"]}` (with `"since":"<event id>"` to
/// resume: first every later event, then live ones) or `{"unsubscribe":["order"]}`.
public enum SocketCommand: Sendable, Equatable {
    case subscribe([String], since: EventPosition?)
    case unsubscribe([String])

    /// Reads one text message; an error message for the client when it is not a command.
    public static func parse(_ text: String) -> Result<SocketCommand, SocketNotice> {
        guard let object = try? JSONObject.parse(Array(text.utf8), contentType: nil) else {
            return .failure(.error(message: "expected a JSON object such as {\"subscribe\":[\"table\"]}"))
        }
        let verbs = object.keys.filter { $0 == "subscribe" || $0 == "unsubscribe" }
        guard verbs.count == 1, let key = verbs.first else {
            return .failure(.error(message: "expected exactly one of subscribe or unsubscribe"))
        }
        if let other = object.keys.first(where: { $0 != key && !(key == "subscribe" && $0 == "since") }) {
            return .failure(.error(message: "unknown key \"\(other)\"; a command is {\"subscribe\":[…],\"since\"?:\"<event id>\"} or {\"unsubscribe\":[…]}"))
        }
        guard case .array(let items)? = object[key] else {
            return .failure(.error(message: "\(key) takes a list of table names"))
        }
        var tables: [String] = []
        for item in items {
            guard case .string(let table) = item, !table.isEmpty else {
                return .failure(.error(message: "\(key) takes a list of table names"))
            }
            if !tables.contains(table) { tables.append(table) }
        }
        guard key == "subscribe" else { return .success(.unsubscribe(tables)) }
        switch object["since"] {
        case nil, .null?:
            return .success(.subscribe(tables, since: nil))
        case .string(let id)?:
            guard let since = EventPosition(id: id) else {
                return .failure(.error(message: "since: \"\(id)\" is not an event id (send back the id of the last event received)"))
            }
            return .success(.subscribe(tables, since: since))
        default:
            return .failure(.error(message: "since takes an event id (a string)"))
        }
    }
}

/// What the server tells a socket besides row events.
public enum SocketNotice: Sendable, Equatable, Error {
    /// Subscriptions now in place.
    case subscribed([String])
    /// Subscriptions ended, and why (the client asked, or a permission was revoked).
    case unsubscribed([String], reason: String)
    /// A subscription refused on the multiplexed socket (the socket stays open).
    case refused(table: String, code: Int, message: String)
    /// Events may have been missed: reload what you show.
    case resync
    /// A message the server could not understand.
    case error(message: String)

    /// The JSON text sent.
    public var json: String {
        var json = JSONText.object()
        switch self {
        case .subscribed(let tables):
            json.add("event", "subscribed")
            json.addRaw("tables", JSONText.array(of: tables))
        case .unsubscribed(let tables, let reason):
            json.add("event", "unsubscribed")
            json.addRaw("tables", JSONText.array(of: tables))
            json.add("reason", reason)
        case .refused(let table, let code, let message):
            json.add("event", "refused")
            json.add("table", table)
            json.add("code", code)
            json.add("message", message)
        case .resync:
            json.add("event", "resync")
        case .error(let message):
            json.add("event", "error")
            json.add("message", message)
        }
        return json.text
    }
}
