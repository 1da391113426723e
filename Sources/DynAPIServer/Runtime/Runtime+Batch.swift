import DynAPICore
import DynAPIPostgres
import Hummingbird

extension Runtime {
    /// `POST /api/batch/`: every operation planned as `caller` (each needs its
    /// own permission), then run in order in one transaction; the first that
    /// fails — refused by the planner, by PostgreSQL, or by its outcome (a
    /// detail route that matched no row) — rolls them all back and is the
    /// answer, with its `index`. Events are written by the same transaction,
    /// so subscribers see a batch's changes only once it has committed.
    func respond(toBatch batch: BatchRequest, caller: Caller, isRetry: Bool = false) async throws -> Response {
        let schema = self.schema.value
        var operations: [PlannedRequest] = []
        for (index, input) in batch.operations.enumerated() {
            do {
                operations.append(try await planned(ApiRequest(parsing: input), schema: schema, caller: caller, asRequestRole: true))
            } catch let error as APIError {
                throw error.atOperation(index)
            }
        }
        let answers: [TableAnswer]
        do {
            answers = try await executor.transaction { [operations] transaction in
                var answers: [TableAnswer] = []
                for (index, operation) in operations.enumerated() {
                    do throws(APIError) {
                        answers.append(try operation.answer(transaction.run(operation.statements, as: operation.session)))
                    } catch {
                        throw error.namingCheckFields(of: operation.plan.table).atOperation(index)
                    }
                }
                return answers
            }
        } catch let error as APIError where error.suggestsStaleSchema && !isRetry {
            // As for one request: DDL committed whose NOTIFY is not handled yet; nothing took effect.
            try await reloadSchema()
            return try await respond(toBatch: batch, caller: caller, isRetry: true)
        }
        return .json(.ok, TableAnswer.list(answers))
    }
}

extension TableAnswer {
    /// `[{"status", "headers", "body"}, …]`: JSON bodies as they are, CSV as a string, none as null.
    static func list(_ answers: [TableAnswer]) -> String {
        let items = answers.map { answer in
            var item = JSONText.object()
            item.add("status", answer.status)
            var headers = JSONText.object()
            for field in answer.headers where field.name != .contentType {
                headers.add(field.name.rawName, field.value)
            }
            item.addRaw("headers", headers.text)
            let text = answer.body.map { String(buffer: $0) }
            if let text, answer.headers[.contentType]?.hasPrefix("text/csv") == true {
                item.add("body", text)
            } else {
                item.addRaw("body", text ?? "null")
            }
            return item.text
        }
        return JSONText.array(raw: items)
    }
}
