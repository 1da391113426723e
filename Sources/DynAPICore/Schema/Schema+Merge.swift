extension Schema {
    /// The relations to re-read when `touched` changed: those, and every table
    /// whose foreign keys name one of them in this snapshot (a renamed or
    /// dropped table changes the keys that point at it).
    public func relationsToRead(touched: Set<UInt32>) -> Set<UInt32> {
        let touchedNames = Set(tables.values.filter { touched.contains($0.relationID) }.map(\.apiName))
        var read = touched
        for table in tables.values where table.foreignKeys.contains(where: { touchedNames.contains($0.referencedTable) }) {
            read.insert(table.relationID)
        }
        return read
    }

    /// This snapshot with the relations in `read` replaced by `loaded`, what
    /// the catalog holds of them now: a relation that was read and is not in
    /// `loaded` was dropped or is no longer served.
    public func replacing(_ read: Set<UInt32>, with loaded: [Table]) -> Schema {
        let kept = tables.values.filter { !read.contains($0.relationID) }
        return Schema(tables: kept + loaded, schemas: schemas)
    }
}
