import Foundation
import IncentivesDomain

/// The demo program's fixed facts: solution areas, engagements, partners, people. Neutral names only.
enum DemoCatalogue {
    struct EngagementSpec {
        var name: String
        var area: Int
        var type: EngagementType
        var role: PartnerRole
        var pay: PayModel
        var rates: (Decimal?, Decimal?, Decimal?)
        var status: EngagementStatus = .active
        var maxHours: Decimal? = nil
        var cap: Decimal? = nil
        /// An older version with other rates, replaced `daysAgo` days before now.
        var earlier: (rates: (Decimal?, Decimal?, Decimal?), daysAgo: Int)? = nil
        var lastClaimInDays: Int? = nil
        var perCustomer = 1
    }

    static let areas = [
        ("cloud-infrastructure", "Cloud infrastructure"),
        ("modern-work-security", "Modern work and security"),
        ("business-applications", "Business applications"),
    ]

    static let engagements: [EngagementSpec] = [
        .init(name: "Cloud migration assessment", area: 1, type: .assessment, role: .buildIntent, pay: .fixed, rates: (5000, 3000, 1000)),
        .init(name: "Infrastructure modernization workshop", area: 1, type: .workshop, role: .buildIntent, pay: .fixed,
              rates: (5000, 3000, 1000), earlier: ((3500, 2000, 500), 60)),
        .init(name: "Data platform workshop", area: 1, type: .workshop, role: .buildIntent, pay: .fixed, rates: (6500, 4000, 1500)),
        .init(name: "Container readiness assessment", area: 1, type: .assessment, role: .buildIntent, pay: .fixed, rates: (3500, 2000, 500)),
        .init(name: "Landing zone deployment", area: 1, type: .smallProject, role: .buildIntent, pay: .variable,
              rates: (150, 100, 50), maxHours: 80, cap: 20000),
        .init(name: "Datacenter exit project", area: 1, type: .largeProject, role: .buildIntent, pay: .variable,
              rates: (175, 120, 60), maxHours: 400),
        .init(name: "Cloud consumption accelerator", area: 1, type: .workshop, role: .useOrConsume, pay: .fixed,
              rates: (2000, 1200, 500), perCustomer: 1),
        .init(name: "Security posture assessment", area: 2, type: .assessment, role: .buildIntent, pay: .fixed, rates: (5000, 3000, 1000)),
        .init(name: "Threat protection workshop", area: 2, type: .workshop, role: .buildIntent, pay: .fixed,
              rates: (5000, 3000, 1000), earlier: ((6500, 4000, 1500), 120)),
        .init(name: "Hybrid meetings workshop", area: 2, type: .workshop, role: .buildIntent, pay: .fixed,
              rates: (3500, 2000, 500), status: .upcoming),
        .init(name: "Endpoint management deployment", area: 2, type: .mediumProject, role: .buildIntent, pay: .variable,
              rates: (150, 100, 50), maxHours: 160),
        .init(name: "Identity and access workshop", area: 2, type: .workshop, role: .buildIntent, pay: .fixed, rates: (5000, nil, nil)),
        .init(name: "Collaboration adoption", area: 2, type: .workshop, role: .useOrConsume, pay: .fixed, rates: (1500, 1000, 400)),
        .init(name: "Compliance quick start", area: 2, type: .smallProject, role: .buildIntent, pay: .fixed,
              rates: (6500, 4000, 1500), status: .closed),
        .init(name: "Customer service envisioning workshop", area: 3, type: .workshop, role: .buildIntent, pay: .fixed,
              rates: (5000, 3000, 1000), perCustomer: 2),
        .init(name: "Sales acceleration assessment", area: 3, type: .assessment, role: .buildIntent, pay: .fixed,
              rates: (5000, 3000, 1000), lastClaimInDays: 10),
        .init(name: "Low-code app in a day workshop", area: 3, type: .workshop, role: .buildIntent, pay: .fixed, rates: (3500, 2000, 500)),
        .init(name: "ERP migration project", area: 3, type: .largeProject, role: .buildIntent, pay: .variable,
              rates: (200, 130, 70), maxHours: 500, cap: 60000),
        .init(name: "Field service deployment", area: 3, type: .mediumProject, role: .buildIntent, pay: .fixed, rates: (6500, 4000, 1500)),
        .init(name: "Business apps consumption", area: 3, type: .workshop, role: .useOrConsume, pay: .fixed, rates: (2500, 1500, 600)),
    ]

    static func partnerCriteria(area: Int) -> [String] {
        let designation = ["Solutions partner designation for Infrastructure",
                           "Solutions partner designation for Security",
                           "Solutions partner designation for Business Applications"][area - 1]
        return [designation, "At least two certified delivery engineers", "Completed the engagement's delivery training"]
    }

    /// A program check (the customer's id, which every demo claim has) and the items a reviewer confirms.
    static func customerCriteria(role: PartnerRole) -> [CustomerCriterion] {
        role == .useOrConsume
            ? [.program(.customerIDRecorded, "The workload's subscription id is recorded"),
               .reviewerConfirms("Workload running in production for at least 30 days"),
               .reviewerConfirms("No other partner of record on the workload")]
            : [.program(.customerIDRecorded, "The customer is identified by its domain or tenant id"),
               .reviewerConfirms("At least 50 paid seats or USD 1,000 monthly consumption"),
               .reviewerConfirms("Has not received this engagement in the last 12 months")]
    }

    /// The data platform workshop asks the customer its own survey questions; the standard ones it keeps keep their ids.
    static let dataPlatformSurvey = [
        SurveyQuestion(id: "delivered_as_described", prompt: "Did the partner deliver the activity described?", answer: .yesNo, required: true),
        SurveyQuestion(id: "q2", prompt: "Which data sources did the workshop cover?", answer: .text, required: true),
        SurveyQuestion(id: "satisfaction", prompt: "How satisfied are you with it? (1 = not at all, 5 = very)", answer: .rating, required: true),
        SurveyQuestion(id: "q4", prompt: "When did the workshop take place?", answer: .date, required: false),
        SurveyQuestion(id: "comments", prompt: "Anything else the vendor should know?", answer: .longText, required: false),
    ]

    static func proof(type: EngagementType, role: PartnerRole, engagement: String = "") -> [ProofRequirement] {
        if role == .useOrConsume { return [] }
        var list: [ProofRequirement] = []
        if [.smallProject, .mediumProject, .largeProject].contains(type) {
            list.append(ProofRequirement(kind: .invoice, description: "The invoice to the customer naming the services delivered."))
        }
        list.append(ProofRequirement(kind: .findingsDocument, description: "Findings and recommendations presented to the customer, signed by the customer.",
                                     templateName: "\(type.label) findings template", templateVersion: type == .workshop ? "3.1" : "2.0"))
        list.append(ProofRequirement(kind: .customerSurvey, description: "A short survey the customer answers from an emailed link.",
                                     questions: engagement == "Data platform workshop" ? dataPlatformSurvey : nil))
        if type == .workshop {
            list.append(ProofRequirement(kind: .partnerSurvey, description: "The partner's survey on the delivery."))
        }
        return list
    }

    struct LocationSpec { var name: String; var country: String; var enrollment: EnrollmentStatus; var bank: Int; var taxExpiresInDays: Int }
    struct OrganizationSpec { var name: String; var domain: String; var locations: [LocationSpec]; var banks: [BankSpec] }
    /// A company bank profile; every demo IBAN is distinct and passes the ISO 13616 check.
    struct BankSpec {
        var bank: String; var country: String; var iban: String; var bic: String; var status: BankProfileStatus; var createdDaysAgo = 700
    }

    /// Bank index refers to the organization's `banks`. Cedar's Dubai office waits on a bank
    /// validation; Bluefin's Bangalore office has an expired tax profile: both are not earning.
    /// Kestrel's Johannesburg office is invited and has not yet accepted: the enrollment flow starts there.
    static let organizations: [OrganizationSpec] = [
        OrganizationSpec(name: "Bluefin Consulting", domain: "bluefin.example", locations: [
            LocationSpec(name: "Bluefin Consulting - Seattle", country: "US", enrollment: .enrolled, bank: 0, taxExpiresInDays: 400),
            LocationSpec(name: "Bluefin Consulting - London", country: "GB", enrollment: .enrolled, bank: 0, taxExpiresInDays: 300),
            LocationSpec(name: "Bluefin Consulting - Singapore", country: "SG", enrollment: .enrolled, bank: 0, taxExpiresInDays: 250),
            LocationSpec(name: "Bluefin Consulting - Bangalore", country: "IN", enrollment: .enrolled, bank: 0, taxExpiresInDays: -12),
        ], banks: [BankSpec(bank: "Harbor Commercial Bank", country: "GB", iban: "GB64HCBK40012712345678", bic: "HCBKGB2L", status: .approved)]),
        OrganizationSpec(name: "Cedar Systems", domain: "cedar.example", locations: [
            LocationSpec(name: "Cedar Systems - Berlin", country: "DE", enrollment: .enrolled, bank: 0, taxExpiresInDays: 500),
            LocationSpec(name: "Cedar Systems - Dubai", country: "AE", enrollment: .enrolled, bank: 1, taxExpiresInDays: 320),
            LocationSpec(name: "Cedar Systems - Sao Paulo", country: "BR", enrollment: .actionRequired, bank: 0, taxExpiresInDays: 200),
        ], banks: [BankSpec(bank: "Rhine Commerce Bank", country: "DE", iban: "DE40500105175401234567", bic: "RHCBDEFF", status: .approved),
                   BankSpec(bank: "Gulf Trade Bank", country: "AE", iban: "AE070331234567890123456", bic: "GTBKAEAD",
                            status: .pendingValidation, createdDaysAgo: 1)]),
        OrganizationSpec(name: "Kestrel IT", domain: "kestrel.example", locations: [
            LocationSpec(name: "Kestrel IT - Paris", country: "FR", enrollment: .enrolled, bank: 0, taxExpiresInDays: 365),
            LocationSpec(name: "Kestrel IT - Johannesburg", country: "ZA", enrollment: .invited, bank: 0, taxExpiresInDays: 365),
        ], banks: [BankSpec(bank: "Seine Mutual Bank", country: "FR", iban: "FR7630006000011234567890189", bic: "SMBKFRPP", status: .approved)]),
    ]

    /// Demo sign-ins (password `demo-password`, demo mode only).
    struct UserSpec {
        var email: String; var name: String; var organization: Int?; var vendorRole: ActorRole?; var role: ActorRole?; var locations: [Int]?
        var timeZone = "UTC"
    }
    static let users: [UserSpec] = [
        UserSpec(email: "admin@bluefin.example", name: "Alex Morgan", organization: 0, role: .incentivesAdmin, locations: nil, timeZone: "America/Los_Angeles"),
        UserSpec(email: "user@bluefin.example", name: "Sam Rivera", organization: 0, role: .incentivesUser, locations: [0], timeZone: "America/Los_Angeles"),
        UserSpec(email: "admin@cedar.example", name: "Priya Nair", organization: 1, role: .incentivesAdmin, locations: nil, timeZone: "Europe/Berlin"),
        UserSpec(email: "admin@kestrel.example", name: "Lucas Martin", organization: 2, role: .incentivesAdmin, locations: nil, timeZone: "Europe/Paris"),
        UserSpec(email: "reviewer@vendor.example", name: "Jordan Lee", vendorRole: .reviewer, timeZone: "America/New_York"),
        UserSpec(email: "manager@vendor.example", name: "Casey Kim", vendorRole: .programManager, timeZone: "Europe/London"),
        // The second program manager: approves the payment runs the first gathers (four eyes).
        UserSpec(email: "finance@vendor.example", name: "Robin Ortiz", vendorRole: .programManager, timeZone: "Europe/London"),
    ]
    static let demoPassword = "demo-password"

    static let customerStems = ["Alder", "Birch", "Cobalt", "Dune", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper",
                                "Kelp", "Lumen", "Maple", "Nimbus", "Onyx", "Pine", "Quartz", "Ridge", "Sable", "Tundra",
                                "Umber", "Vale", "Willow", "Yarrow", "Zephyr"]
    static let customerTrades = ["Logistics", "Health", "Foods", "Energy", "Retail", "Bank", "Studios", "Manufacturing", "Legal", "Travel"]
    static let firstNames = ["Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kara", "Liam",
                             "Maya", "Noor", "Omar", "Paula", "Quinn", "Rosa", "Tariq", "Uma", "Victor", "Wen", "Yusuf", "Zoe"]
    static let lastNames = ["Almeida", "Brandt", "Chen", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen",
                            "Kowalski", "Lopez", "Mensah", "Novak", "Okafor", "Petrov", "Rossi", "Silva", "Tanaka", "Varga"]
    static let titles = ["IT Director", "CIO", "Head of Security", "Operations Manager", "CTO", "Infrastructure Lead", "CFO"]
}
