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
            } catch {
                throw OperationError(index: index, error: error)
            }
        }
        let answers: [TableAnswer]
        do {
            answers = try await executor.transaction(as: caller.user.id) { [operations] transaction in
                var answers: [TableAnswer] = []
                for (index, operation) in operations.enumerated() {
                    do {
                        answers.append(try operation.answer(transaction.run(operation.statements, as: operation.session)))
                    } catch let error as DatabaseError where error.suggestsStaleSchema {
                        throw OperationError(index: index, error: error)
                    } catch {
                        throw OperationError(index: index, error: APIError(mapping: error).namingCheckFields(of: operation.plan.table))
                    }
                }
                return answers
            }
        } catch let error as OperationError where (error.error as? DatabaseError)?.suggestsStaleSchema == true && !isRetry {
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
            item.add("status", answer.response.status)
            var headers = JSONText.object()
            for header in answer.response.headers where header.name != "Content-Type" {
                headers.add(header.name, header.value)
            }
            item.addRaw("headers", headers.text)
            let text = answer.body.map { String(buffer: $0) }
            if let text, answer.response[header: "Content-Type"]?.hasPrefix("text/csv") == true {
                item.add("body", text)
            } else {
                item.addRaw("body", text ?? "null")
            }
            return item.text
        }
        return JSONText.array(raw: items)
    }
}
