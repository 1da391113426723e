import Foundation

/// What a schema reload re-reads: everything, or the relations a DDL
/// statement touched (the OIDs its `dynapi_schema` notification names).
public enum ReloadScope: Sendable, Equatable {
    case everything
    case relations(Set<UInt32>)

    /// The scope a `dynapi_schema` payload asks for: `{"tag":…,"relations":[oid,…]}`
    /// names relations; anything else (a command tag, a settings table's name,
    /// a payload without `relations`) asks for everything.
    public init(notificationPayload payload: String) {
        guard payload.hasPrefix("{"),
            let document = try? JSONDecoder().decode(Payload.self, from: Data(payload.utf8)),
            let relations = document.relations
        else {
            self = .everything
            return
        }
        self = .relations(Set(relations))
    }

    /// Both scopes at once: reads that are joined cover what each was asked.
    public mutating func merge(_ other: ReloadScope) {
        if case .relations(let mine) = self, case .relations(let theirs) = other {
            self = .relations(mine.union(theirs))
        } else {
            self = .everything
        }
    }

    private struct Payload: Decodable {
        var relations: [UInt32]?
    }
}
