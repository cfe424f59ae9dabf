import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore
import NIOCore

/// A run's bank files (its CSV, a pain.001 per currency) and the bank's confirmation file, previewed then applied.
extension PaymentsController {
    @Sendable func export(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try runID(context)
        guard try await runs.run(id) != nil else { throw HTTPError(.notFound) }
        let parameters = request.uri.queryParameters
        let format: PaymentFileFormat
        switch (parameters.get("format"), parameters.get("currency")) {
        case ("csv", nil): format = .csv(nil)
        case ("pain001", let code?) where code.count == 3 && code.allSatisfy({ $0.isASCII && $0.isUppercase }): format = .pain001(Currency(code))
        default: throw HTTPError(.badRequest, message: "Ask for format=csv, or format=pain001 with a currency such as currency=EUR.")
        }
        do {
            let file = try await runs.export(id, format: format, by: try context.signedIn, at: deps.clock.now)
            return Response(status: .ok, headers: [.contentType: file.contentType,
                                                   .contentDisposition: "attachment; filename=\"\(file.fileName)\"", .cacheControl: "no-store"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: file.body)))
        } catch let refusal as PaymentRefusal {
            return try await runPage(context, problem: refusal.message).response
        } catch let refusal as PaymentFileRefusal {
            return try await runPage(context, problem: refusal.description).response
        }
    }

    /// An uploaded file (multipart) is previewed; the preview's form sends the text back with `apply`, applied when every row
    /// is right (nothing is stored otherwise). The preview, with its problems by line, is 422 when there are any.
    @Sendable func importConfirmations(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try runID(context)
        guard let detail = try await runs.run(id) else { throw HTTPError(.notFound) }
        var text = context.form.values["csv"]?.first ?? "", apply = context.form.text("apply") == "1"
        var unread: ImportProblem?
        if request.headers[.contentType]?.lowercased().hasPrefix("multipart/form-data") == true {
            let upload = try await MultipartUpload.read(request, context: context, limit: BankConfirmationCSV.maxFileBytes, fields: [])
            apply = false
            do throws(ImportProblem) {
                text = try CSVTable.text(ofFile: upload.fileBytes, tooLarge: upload.tooLarge, maxBytes: BankConfirmationCSV.maxFileBytes)
            } catch { unread = error }
        }
        let preview: ImportPreview
        do {
            if let unread {
                preview = ImportPreview(unread: unread)
            } else {
                preview = try await runs.importConfirmations(id, csv: text, apply: apply, by: try context.signedIn, at: deps.clock.now)
            }
        } catch let refusal as PaymentRefusal {
            return try await runPage(context, problem: refusal.message).response
        }
        if preview.applied {
            return deps.redirect(to: SitePath.paymentRun(.id(id)).href(),
                                 flash: Flash(kind: .success, message: "Confirmations applied: \(preview.rows.count) payment\(preview.rows.count == 1 ? "" : "s")."))
        }
        let view = PaymentConfirmationsView(detail.run, csv: text, preview: preview, input: deps.pageInput(context))
        return try deps.page("payment-confirmations", view, status: preview.problems.isEmpty ? .ok : .unprocessableContent).response
    }
}

/// The preview of a bank's confirmation file: what each row settles, or each problem with its line; the text to apply.
struct PaymentConfirmationsView: PageView {
    struct Row: Sendable { let line: Int; let payee: String; let change: String }
    struct Problem: Sendable { let line: String; let column: String; let message: String }

    let shell: Shell
    let title: String
    let rows: [Row]
    let hasRows: Bool
    let problems: [Problem]
    let hasProblems: Bool
    let csv: String
    let action: String
    let canApply: Bool
    let backHref: String

    init(_ run: PaymentRunSummary, csv: String, preview: ImportPreview, input: PageInput) {
        title = "Confirmations for \(run.reference)"
        shell = Shell(input, title: title, section: .payments,
                      trail: [("Payments", SitePath.payments.href()), (run.reference, SitePath.paymentRun(.id(run.id)).href()), ("Confirmations", nil)])
        rows = preview.rows.map { Row(line: $0.line, payee: $0.location, change: $0.change) }
        hasRows = !rows.isEmpty
        problems = preview.problems.map { Problem(line: $0.line > 0 ? String($0.line) : "", column: $0.column, message: $0.message) }
        hasProblems = !problems.isEmpty
        self.csv = csv
        action = SitePath.paymentRunConfirmations(.id(run.id)).href()
        canApply = preview.isValid
        backHref = SitePath.paymentRun(.id(run.id)).href()
    }
}
