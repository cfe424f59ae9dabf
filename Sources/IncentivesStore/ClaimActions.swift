import Foundation
import IncentivesDomain
import SQLKit

/// The viewer holds no role on the claim's location that acts on claims (a vendor user always has one).
public struct NoRoleOnClaim: Error, Hashable, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "You hold no Incentives role on this claim's location." }
}

/// The one way a person's lifecycle action reaches a claim, from every surface (the claim page, the API, bulk review,
/// the CLI). In one transaction it loads the claim the viewer may see (a foreign id is not found), resolves the role
/// they act in, lets the domain check the request and decide, and saves the change with its history row, the emails
/// and the webhook events it causes (`ClaimRepository.perform`).
public struct ClaimActions: Sendable {
    public let db: Database
    public let links: ClaimLinks

    public init(db: Database, links: ClaimLinks) {
        self.db = db
        self.links = links
    }

    /// Runs `request` on claim `id` as `viewer`. Throws `StoreError.notFound` for a claim the viewer can't see,
    /// `NoRoleOnClaim`, a `DomainRefusal` when the inputs or the lifecycle refuse, and `StoreError.conflict` when the
    /// claim is no longer at `expectedVersion`.
    @discardableResult
    public func run(_ request: ClaimActionRequest, on id: Int64, expectedVersion: Int?, by viewer: Viewer,
                    at now: Date) async throws -> ClaimTransition {
        try await db.write { sql in
            try await Self.run(request, on: id, expectedVersion: expectedVersion, by: viewer, at: now, links: links,
                               on: sql, flavor: db.flavor)
        }
    }

    /// The same inside the caller's transaction.
    static func run(_ request: ClaimActionRequest, on id: Int64, expectedVersion: Int?, by viewer: Viewer, at now: Date,
                    links: ClaimLinks, on sql: any SQLDatabase, flavor: SQLFlavor) async throws -> ClaimTransition {
        guard let claim = try await ClaimRepository.load(id, in: viewer.scope, on: sql, lock: false, flavor: flavor) else {
            throw StoreError.notFound("No claim \(id).")
        }
        guard let role = viewer.actorRole(atLocation: claim.locationID) else { throw NoRoleOnClaim() }
        let actor = Actor(role: role, userID: viewer.userID, name: viewer.name)
        var about: (label: String, fileName: String?)?
        if let proofID = request.aboutProof, let proof = try await ClaimWork.proof(of: id, on: sql).first(where: { $0.id == proofID }) {
            about = (proof.kind.label, proof.fileName)
        }
        let command = try request.command(by: actor, about: about)
        let transition = try await ClaimRepository.perform(command, on: id, expectedVersion: expectedVersion, in: viewer.scope, at: now,
                                                           links: links, on: sql, flavor: flavor)
        // The lifecycle decides first (a claim not under review says so); a checklist refusal then undoes the approval.
        if request.action == .approve {
            let criteria = try await ClaimChecklist.criteria(of: claim, on: sql)
            let positions = try request.confirmedPositions(of: criteria)
            try await ClaimChecklist.record(positions, of: criteria, claimID: id, by: actor, at: now, on: sql)
        }
        return transition
    }
}
