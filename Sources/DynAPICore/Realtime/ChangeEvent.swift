/// One event of the change log: a row written, or the schema or the grants changed.
public struct ChangeEvent: Sendable, Equatable {
    /// What happened.
    public enum Kind: String, Sendable {
        case created, updated, deleted
        /// DDL committed (the detail is the command tag).
        case schema
        /// Users, grants or settings changed (the detail is the bundle table).
        case acl
    }

    /// Where it is in the log; also its id.
    public var position: EventPosition
    public var kind: Kind
    /// The table's API name, for row events.
    public var table: String?
    /// The row's primary key as JSON text (a value, an object for a composite key, `null`);
    /// for schema and ACL events the detail as a JSON string.
    public var key: String

    /// An event.
    public init(position: EventPosition, kind: Kind, table: String?, key: String) {
        self.position = position
        self.kind = kind
        self.table = table
        self.key = key
    }

    /// Whether subscribers of a table receive it.
    public var isRowEvent: Bool { table != nil && kind != .schema && kind != .acl }

    /// What a subscriber receives: `{"event","table","pk","id"}`.
    public var json: String {
        var json = JSONText.object()
        json.add("event", kind.rawValue)
        json.add("table", table)
        json.addRaw("pk", key)
        json.add("id", position.description)
        return json.text
    }
}
