/// Random query strings for property tests of the grammar: a mix of valid
/// PostgREST/DRF syntax and deliberate damage (cut short, doubled, unbalanced,
/// hostile bytes), from a seeded generator so a failure can be replayed.
public struct GrammarFuzz {
    /// SplitMix64: small, fast, and the same on every machine.
    public struct Generator: RandomNumberGenerator {
        private var state: UInt64
        public init(seed: UInt64) { state = seed }
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    let columns: [String]
    let relations: [String]
    var generator: Generator

    /// A fuzzer for a table with these columns and related tables.
    public init(columns: [String], relations: [String], seed: UInt64) {
        self.columns = columns
        self.relations = relations
        self.generator = Generator(seed: seed)
    }

    static let operators = [
        "eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "match", "imatch", "in", "is", "isdistinct",
        "cs", "cd", "ov", "sl", "sr", "nxr", "nxl", "adj", "fts", "plfts", "phfts", "wfts", "eqq", "not", "",
    ]
    static let values = [
        "1", "-2.5", "abc", "*a*", "(1,2)", "(\"a,b\",c)", "null", "true", "{1,2}", "[1,5)", "", "%", "'", "\"", "\\",
        "2024-01-01", "😀", "%00", "%zz", "%25", "a b", "((", "))", ".", ",", "x.y.z", "{\"a\":1}", "NaN",
    ]
    static let damage = ["(", ")", ",", ".", ":", "::", "!", "\"", "->", "->>", "*", "&", "=", "%", "...", "not.", "or", "and"]

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &generator)] }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &generator) < percent }

    mutating func column() -> String {
        var name = pick(columns + ["nope", "\"quoted\"", ""])
        if chance(15) { name += pick(["->a", "->>b", "->0", "->", "->>"]) }
        return name
    }

    mutating func filterValue() -> String {
        var op = pick(Self.operators)
        if chance(10) { op += pick(["(any)", "(all)", "(english)", "(", "()"]) }
        let value = pick(Self.values)
        if op.isEmpty { return value }
        return (chance(15) ? "not." : "") + op + "." + value
    }

    mutating func logic(depth: Int) -> String {
        let count = Int.random(in: 0...3, using: &generator)
        var members: [String] = []
        for _ in 0..<count {
            if depth < 3, chance(25) {
                members.append(pick(["and", "or", "not.and", "not.or"]) + logic(depth: depth + 1))
            } else {
                members.append(column() + "." + filterValue())
            }
        }
        return "(" + members.joined(separator: ",") + (chance(90) ? ")" : "")
    }

    mutating func select(depth: Int) -> String {
        let count = Int.random(in: 0...4, using: &generator)
        var items: [String] = []
        for _ in 0..<count {
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: items.append("*")
            case 1: items.append((chance(30) ? "alias:" : "") + column() + (chance(20) ? pick(["::text", "::int", "::nope", "::", "::a;b"]) : ""))
            case 2 where depth < 3:
                var relation = pick(relations + ["nowhere"])
                if chance(30) { relation += pick(["!inner", "!left", "!hint", "!", "!inner!x"]) }
                items.append((chance(20) ? "..." : "") + relation + "(" + select(depth: depth + 1) + (chance(90) ? ")" : ""))
            default: items.append(column())
            }
        }
        return items.joined(separator: ",")
    }

    /// One query string (the part after `?`), already percent-encoded where a client would.
    public mutating func query() -> String {
        var items: [String] = []
        for _ in 0..<Int.random(in: 0...5, using: &generator) {
            let embed = chance(15) ? pick(relations) + "." : ""
            switch Int.random(in: 0..<10, using: &generator) {
            case 0: items.append("select=" + select(depth: 0))
            case 1: items.append(embed + "order=" + column() + pick(["", ".asc", ".desc", ".nullsfirst", ".desc.nullslast", ".up", "."]))
            case 2: items.append(embed + pick(["limit", "offset"]) + "=" + pick(["0", "1", "10", "-1", "x", "99999999999999999999", ""]))
            case 3: items.append(embed + pick(["or", "and", "not.or", "not.and"]) + "=" + logic(depth: 0))
            case 4: items.append(pick(["search", "ordering", "format", "on_conflict", "columns"]) + "=" + pick(columns + ["-x", ",", "json", "", "a b"]))
            case 5: items.append(pick(Self.damage) + "=" + pick(Self.damage))
            default: items.append(embed + column() + "=" + filterValue())
            }
        }
        var text = items.joined(separator: "&")
        if chance(10), !text.isEmpty {
            let cut = Int.random(in: 0..<text.count, using: &generator)
            text = String(text.prefix(cut))
        }
        return GrammarFuzz.encode(text)
    }

    /// Percent-encodes what a URL may not carry as it is (keeps `%`, so broken escapes reach the parser).
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let character = Character(Unicode.Scalar(byte))
            if byte < 0x80, character.isLetter || character.isNumber || "-_.~=&%!*'(),:;@/?{}[]\\>^|$+".contains(character) {
                out.append(character)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded
            }
        }
        return out
    }
}

extension String {
    fileprivate var leftPadded: String { count == 1 ? "0" + self : self }
}
