import DRGWCore
import DRGWStore
import Foundation
import HTTPTypes
import Hummingbird

/// Drill reports: one drill's report, a person's verdict, and the list (JSON or CSV).
struct ReportsController {
    let registry: AccountRegistry
    let reports: any DrillReportStore
    let recorder: EvidenceRecorder

    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.get("accounts/:account/drills/:drillId/report") { request, context in
            let (entry, _) = try registry.resolve(request, context)
            let id = try context.parameters.id("drillId")
            guard let stored = try await reports.report(account: entry.settings.id, drillId: id) else {
                throw Problem.notFound("A report of drill '\(id)'")
            }
            return ProblemResponse.json(stored.report)
        }
        group.post("accounts/:account/drills/:drillId/result") { request, context in
            let (entry, _) = try registry.resolve(request, context)
            let id = try context.parameters.id("drillId")
            var (body, _) = try await JSONBody.read(request, context: context, allowEmpty: false)
            var outcome: DrillOutcome?
            if let text = body.string("outcome", required: true, maxBytes: 16) {
                if text == "passed" || text == "failed" { outcome = DrillOutcome(rawValue: text) } else {
                    body.fail("outcome", "must be passed or failed")
                }
            }
            let notes = Self.notes(&body)
            body.rejectUnknownFields()
            try body.check()
            guard let stored = try await reports.report(account: entry.settings.id, drillId: id) else {
                throw Problem.notFound("A report of drill '\(id)'")
            }
            guard let outcome,
                let updated = try await recorder.recordVerdict(reportId: stored.report.id, outcome: outcome, notes: notes, at: Date())
            else { throw Problem.notFound("A report of drill '\(id)'") }
            return ProblemResponse.json(updated.report)
        }
        group.get("reports") { request, context in
            guard let tenant = context.tenant else { throw Problem(.unauthenticated, detail: "Not authenticated.") }
            var query = try Self.query(request)
            if let account = request.uri.queryParameters["account"].map(String.init) {
                _ = try registry.entry(account, for: tenant)
                query.accounts = [account]
            } else {
                query.accounts = registry.accounts(for: tenant).map(\.settings.id)
            }
            let page: Page<StoredReport>
            do {
                page = try await reports.listReports(query)
            } catch is StoreCursorError {
                throw Problem.invalid([FieldError(field: "cursor", message: "is not a cursor this gateway issued")])
            }
            let items = page.items.map(\.report)
            if Self.wantsCSV(request.headers[.accept]) {
                var headers = HTTPFields()
                headers[.contentType] = "text/csv; charset=utf-8; header=present"
                if let next = page.nextCursor {
                    headers[HTTPField.Name("Link")!] = "<\(Self.nextLink(request, cursor: ListCursor.encode(next)))>; rel=\"next\""
                }
                let csv = DrillReportCSV.text(items)
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: csv)))
            }
            return ProblemResponse.json(Page(items: items, nextCursor: page.nextCursor).answered)
        }
    }

    /// `notes`: at most 4 KiB; line breaks and tabs allowed, other control characters not.
    static func notes(_ body: inout JSONBody) -> String? {
        body.string("notes", maxBytes: 4096, allowLineBreaks: true)
    }

    /// True when the client asks for CSV (`Accept: text/csv`, possibly among others ranked higher than JSON).
    static func wantsCSV(_ accept: String?) -> Bool {
        guard let accept else { return false }
        var best: (csv: Double, json: Double) = (0, 0)
        for part in accept.split(separator: ",") {
            let pieces = part.split(separator: ";").map { ASCIIText.trimmed($0).lowercased() }
            guard let media = pieces.first else { continue }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if media == "text/csv" { best.csv = max(best.csv, q) }
            if media == "application/json" || media == "*/*" || media == "application/*" { best.json = max(best.json, q) }
        }
        return best.csv > 0 && best.csv >= best.json
    }

    /// The filters of `GET /v1/reports`, every bad one listed.
    static func query(_ request: Request) throws -> ReportQuery {
        let list = try ListQuery(request, filters: ["account", "protectionGroupId", "scheduleId", "from", "to", "since", "until", "outcome"])
        let params = request.uri.queryParameters
        var query = ReportQuery(accounts: [], cursor: list.cursor, limit: list.limit)
        var errors: [FieldError] = []
        if let account = params["account"].map(String.init) { errors += Validation.idErrors(account, field: "account") }
        if let group = params["protectionGroupId"].map(String.init) {
            errors += Validation.idErrors(group, field: "protectionGroupId")
            query.protectionGroupId = group
        }
        if let schedule = params["scheduleId"].map(String.init) {
            errors += Validation.idErrors(schedule, field: "scheduleId")
            query.scheduleId = schedule
        }
        // `since`/`until` are the names of the same bounds on /v1/operations.
        for field in ["from", "to", "since", "until"] {
            guard let text = params[Substring(field)].map(String.init) else { continue }
            guard let date = Timestamp.parseRFC3339(text) else {
                errors.append(FieldError(field: field, message: "must be an RFC 3339 time in UTC, e.g. 2026-01-31T00:00:00Z"))
                continue
            }
            if field == "from" || field == "since" { query.from = date } else { query.to = date }
        }
        if let text = params["outcome"].map(String.init) {
            if let outcome = DrillOutcome(rawValue: text) { query.outcome = outcome } else {
                errors.append(FieldError(field: "outcome", message: "must be pending, passed or failed"))
            }
        }
        if let from = query.from, let to = query.to, from > to {
            errors.append(FieldError(field: "from", message: "must not be after to"))
        }
        if !errors.isEmpty { throw Problem.invalid(errors) }
        return query
    }

    /// The request's own path and query with `cursor` replaced.
    static func nextLink(_ request: Request, cursor: String) -> String {
        var items = request.uri.queryParameters.filter { $0.key != "cursor" }.map { "\($0.key)=\(PercentEncoding.encode(String($0.value)))" }
        items.append("cursor=\(PercentEncoding.encode(cursor))")
        return request.uri.path + "?" + items.sorted().joined(separator: "&")
    }
}
