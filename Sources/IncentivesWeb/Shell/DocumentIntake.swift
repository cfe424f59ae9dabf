import Foundation
import IncentivesDomain
import IncentivesStore

/// A proof-of-execution document arriving from the claim page's upload form or from the API: the same
/// checks (size, a real document type, the actor's right to edit proof), then the file kept and recorded.
struct DocumentIntake: Sendable {
    let policy: UploadPolicy
    let documents: DocumentStore
    let work: ClaimWork

    init(deps: AppDependencies, work: ClaimWork) {
        policy = deps.config.uploadPolicy
        documents = DocumentStore(directory: deps.config.uploadDirectory)
        self.work = work
    }

    /// Adds the file to the claim as proof of `kind`; returns the name it is kept under. Throws `UploadProblem`
    /// for a file refused as such, `ClaimRefusal` when the actor may not edit proof now, and the store's errors.
    /// A refused upload leaves no file behind: the store decides again, but a file is kept only when it may be.
    func add(_ kind: ProofRequirement.Kind, fileName: String?, bytes: [UInt8], tooLarge: Bool, to claim: Claim,
             expectedVersion: Int?, by actor: Actor, in scope: AccessScope, at now: Date) async throws -> String {
        if tooLarge { throw UploadProblem.tooLarge(policy.limitText) }
        guard let name = fileName, !(name.isEmpty && bytes.isEmpty) else { throw UploadProblem.noFile }
        let (format, safeName) = try policy.check(fileName: name, bytes: bytes).get()
        try ClaimLifecycle.checkProofEditor(actor.role, on: claim)
        let hash = try documents.keep(bytes)
        try await work.addDocument(kind, fileName: safeName, format: format, contentHash: hash, size: bytes.count,
                                   to: claim.id, expectedVersion: expectedVersion, by: actor, in: scope, at: now)
        return safeName
    }
}
