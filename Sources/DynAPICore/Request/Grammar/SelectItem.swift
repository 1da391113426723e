/// One item of `select=`.
public indirect enum SelectItem: Sendable, Equatable, Hashable {
    /// `*`: every readable column.
    case all
    /// `alias:column->path::cast`.
    case field(FieldPath, alias: String?, cast: String?)
    /// `alias:relation!hint!inner(…)`, or `...relation(…)` to spread a to-one relation's columns.
    case embed(EmbedRequest)
}

/// An embedded relation as written in `select=`.
public struct EmbedRequest: Sendable, Equatable, Hashable {
    public enum Join: String, Sendable, Hashable { case left, inner }

    /// The related table's name.
    public var name: String
    public var alias: String?
    /// Foreign-key name or column that picks one relationship among several.
    public var hint: String?
    public var join: Join
    /// `...relation(cols)`: its columns join the parent's.
    public var isSpread: Bool
    public var select: [SelectItem]

    /// Creates an embed request.
    public init(name: String, alias: String? = nil, hint: String? = nil, join: Join = .left, isSpread: Bool = false, select: [SelectItem]) {
        self.name = name
        self.alias = alias
        self.hint = hint
        self.join = join
        self.isSpread = isSpread
        self.select = select
    }

    /// The key of the embed in answers and in `embed.filter=` parameters.
    public var outputName: String { alias ?? name }
}
