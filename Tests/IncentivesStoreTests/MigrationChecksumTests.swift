import Foundation
@testable import IncentivesStore
import Testing

@Suite("Landed migrations are frozen: the SQL each one runs is pinned, per dialect")
struct MigrationChecksumTests {
    /// The SHA-256 of the statements each landed migration runs (placeholders filled in), each followed by ";\n", as
    /// `sha256sum` prints it. Written out by hand, once, when the migration lands; never updated afterwards.
    static let landed: [Int: (sqlite: String, postgres: String)] = [
        1: (sqlite: "3450effd78b987c6b378b7bcd903ff343955dcbfbd5a927570553fbdb630bb62",
             postgres: "cddef73f8cfc067fce0e64287ed27cd1523d2f197a11fea1218588ad6b8b2229"),
        2: (sqlite: "05c8f576df21586c93acf94ee7ffeb0e22f3dc9a895133c9ca0fd45d7c59f359",
             postgres: "ae18345b63762eded65cdad6de238d5bc2057f334cc905b6710e76dedf024fd7"),
        3: (sqlite: "525e39f6e02e1cbf7648cb6e3a481bf6578a82172cca0a636e2b1f1f04dfe3d4",
             postgres: "f90376f2a7ea5cb7be880183b2b8e8e466fd892690a471f25ced7dd01748fe5f"),
        4: (sqlite: "aee10c5592822972e65eba2b0de213f36e5ec9d47e39dd523ec529500ea7c6c6",
             postgres: "aee10c5592822972e65eba2b0de213f36e5ec9d47e39dd523ec529500ea7c6c6"),
        5: (sqlite: "6f22fcf6f60801ff8c3953982bc0e9084b54145047bce23f2b94de9c33c84184",
             postgres: "aa7e536fbdbfb2613c9b65dbe7eb9fc5a0bc4c55489bb4ea312066eda1b61666"),
        6: (sqlite: "67e151ea1e20cb407c48147f5163d859bc9b2ccbca2216bf30b8deb6349fcb83",
             postgres: "40a7dc7bb6e80cb11d0ee3619efacc97a8b452e158d40bfa7422dd6a90d2f5b3"),
        7: (sqlite: "eecd347736be7ff6f6c41a9218afdafac3ad7a665f9226bd2d477a489f9ca9a0",
             postgres: "f3c33681ca76b0397e5c51d610449302003703c4c55e1a613929101d718c29d7"),
        8: (sqlite: "7fc00cc8d478be781d31d60c364d1dbce39df070b6e3a306392eb12be001a1e1",
             postgres: "e6cb5b5b47da26dda1267bb8a30fdcc7435ed6231eed8fca412016d2acd9d7af"),
        9: (sqlite: "277aee17a95b763e0e118848b58ac110c040f5312930d2e12aa1bd204007dd9c",
             postgres: "f111af99d2e4bcc7cfdb5e8e1c99ad141a888275fba0cbda61fc596a609627f5"),
        10: (sqlite: "e17f66acdc737ba4a3e133f83cf1290bac81a5ceedba959b29fcc92e317a5f93",
             postgres: "58768cd6e319eca783cad684c52b0c32718b638c147090ea4de85ec8e84aded8"),
        11: (sqlite: "8207ffb5cc3b3daf118447332e1aeb1ded71fab773b78baa3e02a1ef99135f3f",
             postgres: "1aa3cb399be97a45279651a7f93006fc00832a77e8b38624134527813045cc32"),
        12: (sqlite: "f9736a0b6cb25605324903a544b40c62337b09b5edbf91ff4d02c205566522a7",
             postgres: "63e523975ed06f193412ab521b85caa1dd144d2fa13285afc337fb92abb8a338"),
        13: (sqlite: "f2652e34b939866d76a1d158e071d7cb6799fdfb1f4b0f1873458391346767fc",
             postgres: "08d4569ebd63bc9bcd1ebf139986ad86533f331227aa5e555c78731a3b62d24e"),
        14: (sqlite: "cae7cbe0bef667dfa8a61c505d3a895d890c057fa5aed288f9987b4108185667",
             postgres: "cae7cbe0bef667dfa8a61c505d3a895d890c057fa5aed288f9987b4108185667"),
        15: (sqlite: "52d492b2b643c184aceb7665500ccbfc1a4b911f3f8e1b760c609c34f98c8172",
             postgres: "61bbd55ec997e818bda306adb1fd27ba4fd5792264b7a573c3a189cc62ac6b46"),
        16: (sqlite: "a2fbb2d4a73842eb2acf2b303fcd027be2f1d573e966378d4fa517e8aec81fe9",
             postgres: "a2fbb2d4a73842eb2acf2b303fcd027be2f1d573e966378d4fa517e8aec81fe9"),
        17: (sqlite: "9a64ed4f724ae08fa73a341a7638482dd6ed4168548068f6f013c6e6267d79b4",
             postgres: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        18: (sqlite: "c9a471806e7051be5849969dd9ab42256ca74cce63db2e380eb03670eb128485",
             postgres: "95fa52aca06f3dde1ddcc63b9478d8a6669dbbb16733ba8f6acf9b0ebe927dd7"),
        19: (sqlite: "ede8dadd8ef435b6744147a2bb93646a3898fad83eb700952b6129c1b2d23d21",
             postgres: "36cb8db9fbeb976c5169cdbc2fab6eb5e3713d30706c9acd204b3b6f21b7847c"),
        20: (sqlite: "84f391635f92bd3a2743e13366994225ab0d51060680acd0916f789648dea40e",
             postgres: "2c9855912dcefe022f3fea25fdea6678cb87add0da54416c184c7cad8751395d"),
        21: (sqlite: "b95d5a796bc008fa58cc0ca674ca08bc8791939442321b8e28bfd6cc0173296a",
             postgres: "73e0581839a12d4d4264cb87e19c36ddbc8350ee456f6a15ad6c3bb0dc0bc122"),
        22: (sqlite: "e1f7326749cd18dff1c6fe49122a9ddef4519dfca8c2fcd88f946eb8a39726a8",
             postgres: "18a86d8372ad769f2dbe592c070def744b70d11fcfbd271b63f2020b41316119"),
        23: (sqlite: "8a09f04f50f40d86ed80ebd8289326a0d4fef8791f20ffff68ab80e6302d8195",
             postgres: "2a1de54f663dddda53e22e14c7cb1d2584c384f563e7887b891525f7bcc5954b"),
        24: (sqlite: "ea6c187448113c3c18659b7a52c2821469395de648af78d988d2ed4a55896d7e",
             postgres: "ad161edd178a73460f6558378dab5d1a271236b83750bfd68c4fd5e43776fafc"),
        25: (sqlite: "3b4d42684dca0f5d23d669f5bf15bc4012f25cd8673faabea9c8084e46d34136",
             postgres: "091c133a7d406a0f06510ce122f63d2797cd1efff74e0d21fd37e2f08ef8c1b1"),
        26: (sqlite: "ad2b9e011358f7844595adef9f98cfc0e7d718874d683249ddc3622a2b9161d1",
             postgres: "ad2b9e011358f7844595adef9f98cfc0e7d718874d683249ddc3622a2b9161d1"),
        27: (sqlite: "d654ed2cba18cefb372edcaa969b0adfd0956d5bfcb4c08796a6231cdc6b3f48",
             postgres: "c19ed307b22c89cf32f4253021372d553cb6b5607cb5dee316bc44af880ef240"),
        28: (sqlite: "9b97af093bae12cd35a71de46061315248cec7bcb7f97067e73e375a7b26c055",
             postgres: "86b0e0322cf7356a6cc27033e1931e8e5874764873f40b2984ee1482dbe6f281"),
        29: (sqlite: "edb9594b10ade5c631d0c2f0ad407c6210c12beaf6faf63cfb05a9971b48b0b5",
             postgres: "105aaded8d946b5fee50072de23d0dbf082c705c26598e422884d4a606f83b8f"),
        30: (sqlite: "6378fdbe433fad14706dac90f0f1c8d4bedad98d284c93fc1dc47a59ce9bfe84",
             postgres: "9de691834abb342f51f1a98e1c504ea58ad02cc50859fa4fa4574eb87a9bf659"),
        31: (sqlite: "8fa0cb75f8c1bca79a35c9433e6f4e719ed68ef4b7e26f340c03e00320f72dd6",
             postgres: "8fa0cb75f8c1bca79a35c9433e6f4e719ed68ef4b7e26f340c03e00320f72dd6"),
        32: (sqlite: "c74bfeb2bd275d9f4e368dcdb276d7ea8a1b9c9db2acdea745881d511236ffff",
             postgres: "ccc9caad59bb7eb435f7de0293906f89c10fb3a9ea060b7df877760ba2795c03"),
        33: (sqlite: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
             postgres: "be92d9fa4fe2178f9bf66645d5980638e12fa7216145a20fca2b4f12795990ac"),
        34: (sqlite: "47a95df56a30d90dad149eb9e53b06832d06559ba7aa5bbbd84ee5bbfa08f167",
             postgres: "47a95df56a30d90dad149eb9e53b06832d06559ba7aa5bbbd84ee5bbfa08f167"),
        35: (sqlite: "810b99dac3fd7ae7e961d8e934d6bdd8f7ee1bba10d808dab6b82a40423687aa",
             postgres: "810b99dac3fd7ae7e961d8e934d6bdd8f7ee1bba10d808dab6b82a40423687aa"),
        36: (sqlite: "abf1e1fc91495e94e521ebb879fb294e81b6a79968caa56b78a1fcfd352c3b8f",
             postgres: "321a5498007c927614f852195c48beb41a072b14de0f18db9541ac6906fbbc9e"),
        37: (sqlite: "48cd1885037b585ecf3e5ba8d7875a4bbb74dc7e653086f44a3f8fed24daa232",
             postgres: "48cd1885037b585ecf3e5ba8d7875a4bbb74dc7e653086f44a3f8fed24daa232"),
        38: (sqlite: "63aca06fecc30f5fc5021bbc74609285d4ea681034b5927dc75160a0359e2671",
             postgres: "63aca06fecc30f5fc5021bbc74609285d4ea681034b5927dc75160a0359e2671"),
    ]

    @Test("no landed migration's SQL changed, on either dialect")
    func landedMigrationsUnchanged() {
        for migration in Migrator.all {
            guard let pinned = Self.landed[migration.number] else { continue }
            #expect(migration.checksum(for: .sqlite) == pinned.sqlite,
                    "migration \(migration.number) changed on SQLite: migrations are frozen once landed; add a new one")
            #expect(migration.checksum(for: .postgres) == pinned.postgres,
                    "migration \(migration.number) changed on PostgreSQL: migrations are frozen once landed; add a new one")
        }
    }

    @Test("every migration is numbered 1 to N once, and every one has its checksums here")
    func everyMigrationPinned() {
        let numbers = Migrator.all.map(\.number)
        #expect(numbers == Array(1...numbers.count), "Migrator.all lists migrations 1 to \(numbers.count) in order, each once: \(numbers)")
        for migration in Migrator.all where Self.landed[migration.number] == nil {
            Issue.record("""
                migration \(migration.number) has no checksum: add it to MigrationChecksumTests.landed as \
                \(migration.number): (sqlite: "\(migration.checksum(for: .sqlite))", postgres: "\(migration.checksum(for: .postgres))")
                """)
        }
        for number in Self.landed.keys.sorted() where !numbers.contains(number) {
            Issue.record("migration \(number) landed and is gone from Migrator.all: a landed migration stays")
        }
    }
}
