import Foundation
import IncentivesDomain
import IncentivesStore
@testable import IncentivesWeb
import Logging
import Testing

@Suite("Mail delivery: mail-drop folder, sendmail, retries; invitations are emailed")
struct MailDeliveryTests {
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-mail-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func emlFiles(_ folder: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "eml" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    func delivery(_ app: WebHarness, _ transport: any MailTransport, policy: DeliveryPolicy = .standard) -> MailDelivery {
        MailDelivery(outbox: Outbox(db: app.db, policy: policy), transport: transport, from: "Incentives <no-reply@incentives.example>",
                     messageIDDomain: "incentives.example", clock: app.clock, interval: .seconds(1), logger: Logger(label: "test"))
    }

    func message(_ n: Int) -> MailMessage {
        MailMessage(kind: .reminder, to: "partner\(n)@bluefin.example", subject: "Reminder \(n)", body: "Deadline in 7 days (\(n)).")
    }

    @Test("the mail-drop folder gets one whole .eml per message, and a second pass writes nothing again")
    func mailDrop() async throws {
        try await WebHarness.with { app in
            let folder = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: folder) }
            let outbox = Outbox(db: app.db)
            for n in 1...3 { try await outbox.enqueue(message(n), now: app.clock.now) }
            let mail = delivery(app, MailDropTransport(directory: folder))
            #expect(await mail.deliverDue() == 3)
            #expect(await mail.deliverDue() == 0)
            let files = try Self.emlFiles(folder)
            #expect(files.map(\.lastPathComponent) == ["000000000001.eml", "000000000002.eml", "000000000003.eml"])
            let first = try String(contentsOf: files[0], encoding: .utf8)
            #expect(first.contains("To: partner1@bluefin.example\r\n") && first.contains("Message-ID: <outbox-1@incentives.example>"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 3, "no partial files left behind")
            #expect(try await outbox.counts() == [.sent: 3])
        }
    }

    @Test("a backlog is sent in one beat, batch after batch, not a batch per interval")
    func backlogDrains() async throws {
        try await WebHarness.with { app in
            let folder = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: folder) }
            let outbox = Outbox(db: app.db)
            let count = MailDelivery.batch * 3 + 5
            for n in 1...count { try await outbox.enqueue(message(n), now: app.clock.now) }
            let mail = MailDelivery(outbox: outbox, transport: MailDropTransport(directory: folder), from: "Incentives <no-reply@incentives.example>",
                                    messageIDDomain: "incentives.example", clock: app.clock, interval: .seconds(3600), logger: Logger(label: "test"))
            let service = Task { try await mail.run() }
            defer { service.cancel() }
            for _ in 0..<200 where try await outbox.counts()[.sent] != count { try await Task.sleep(for: .milliseconds(50)) }
            #expect(try await outbox.counts() == [.sent: count], "every message went out before the hour-long interval")
        }
    }

    @Test("a message taken again after a crash (its file already written) is not written twice")
    func noDoubleWrite() async throws {
        try await WebHarness.with { app in
            let folder = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: folder) }
            let outbox = Outbox(db: app.db)
            try await outbox.enqueue(message(1), now: app.clock.now)
            // A taker writes the file, then dies before recording it.
            let taken = try #require(try await outbox.take(now: app.clock.now, lease: 120).first)
            try await MailDropTransport(directory: folder).deliver("first copy", of: taken)
            app.clock.advance(by: 121)
            #expect(await delivery(app, MailDropTransport(directory: folder)).deliverDue() == 1)
            let files = try Self.emlFiles(folder)
            #expect(files.count == 1)
            #expect(try String(contentsOf: files[0], encoding: .utf8) == "first copy")
        }
    }

    @Test("sendmail -t -i gets the message on its input; a failing sendmail is retried after the delay, then delivers")
    func sendmail() async throws {
        try await WebHarness.with { app in
            let folder = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: folder) }
            // A real program in sendmail's place: keeps each try's input, records its arguments; fails while a flag file exists.
            let script = folder.appendingPathComponent("sendmail")
            let failFlag = folder.appendingPathComponent("fail")
            try """
            #!/bin/sh
            n=$(ls "\(folder.path)" | grep -c '^try-')
            cat > "\(folder.path)/try-$n"
            if [ -e "\(failFlag.path)" ]; then echo "mail server unreachable" >&2; exit 75; fi
            echo "$@" > "\(folder.path)/args"
            cp "\(folder.path)/try-$n" "\(folder.path)/input"
            """.write(to: script, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
            FileManager.default.createFile(atPath: failFlag.path, contents: Data())

            let outbox = Outbox(db: app.db)
            try await outbox.enqueue(message(1), now: app.clock.now)
            let mail = delivery(app, SendmailTransport(path: script.path))
            #expect(await mail.deliverDue() == 0)
            let error = try await app.db.read { try await $0.raw("SELECT last_error FROM mail_outbox").first()!.decode(column: "last_error", as: String.self) }
            #expect(error.contains("exited with 75") && error.contains("mail server unreachable"))
            try FileManager.default.removeItem(at: failFlag)
            app.clock.advance(by: 29)
            #expect(await mail.deliverDue() == 0, "not before the retry delay")
            app.clock.advance(by: 1)
            #expect(await mail.deliverDue() == 1)
            #expect(try String(contentsOf: folder.appendingPathComponent("args"), encoding: .utf8) == "-t -i\n")
            let input = try String(contentsOf: folder.appendingPathComponent("input"), encoding: .utf8)
            #expect(input.hasPrefix("From: Incentives <no-reply@incentives.example>\nTo: partner1@bluefin.example\n"))
            #expect(try await outbox.counts() == [.sent: 1])
            // Both tries carried the same message, Message-ID and all, so a receiver can drop a duplicate.
            let messageIDs = try (0...1).map { n in
                try String(contentsOf: folder.appendingPathComponent("try-\(n)"), encoding: .utf8)
                    .split(separator: "\n").first { $0.hasPrefix("Message-ID: ") }.map(String.init)
            }
            #expect(messageIDs[0] != nil && messageIDs[0] == messageIDs[1])
        }
    }

    @Test("a sendmail that hangs is stopped after its timeout: the try fails, is retried later, and the loop goes on")
    func hangingSendmail() async throws {
        try await WebHarness.with { app in
            let folder = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: folder) }
            let script = folder.appendingPathComponent("sendmail")
            // Reads nothing and never exits by itself, like an MTA stuck on a dead relay.
            try "#!/bin/sh\nexec sleep 600\n".write(to: script, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
            let outbox = Outbox(db: app.db)
            try await outbox.enqueue(message(1), now: app.clock.now)
            try await outbox.enqueue(message(2), now: app.clock.now)
            let mail = delivery(app, SendmailTransport(path: script.path, timeout: .milliseconds(300)))
            #expect(await mail.deliverDue() == 0)
            #expect(try await outbox.counts() == [.pending: 2], "both tries recorded as failed, due again later")
            let error = try await app.db.read { try await $0.raw("SELECT last_error FROM mail_outbox ORDER BY id").first()!.decode(column: "last_error", as: String.self) }
            #expect(error.contains("did not finish within"))
        }
    }

    @Test("inviting a colleague writes the invitation email with its link in the same transaction")
    func invitationEmail() async throws {
        try await WebHarness.with { app in
            let admin = try await app.signedIn("admin@bluefin.example")
            try await admin.get("/settings/users")
            let sent = try await admin.post("/settings/users", [("email", "dana@bluefin.example"), ("name", "Dana Cole"), ("role", "1:incentives_user")])
            #expect(sent.status == .seeOther)
            let folder = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: folder) }
            #expect(await delivery(app, MailDropTransport(directory: folder)).deliverDue() == 1)
            let eml = try String(contentsOf: try #require(try Self.emlFiles(folder).first), encoding: .utf8)
            #expect(eml.contains("To: dana@bluefin.example") && eml.contains("X-Incentives-Kind: invitation"))
            let body = String(decoding: Data(base64Encoded: eml.components(separatedBy: "\r\n\r\n")[1].replacingOccurrences(of: "\r\n", with: ""))!, as: UTF8.self)
            let link = try #require(body.range(of: #"/invitations/[A-Za-z0-9_-]{43}"#, options: .regularExpression).map { String(body[$0]) })
            #expect(body.contains("Hello Dana Cole"))
            // The emailed link is the live one.
            #expect(try await app.browser().get(link).status == .ok)
        }
    }

    @Test("mail settings: maildrop by default, sendmail on request, and a clear error for anything else")
    func configuration() async throws {
        let none = "/nonexistent/.env"
        let standard = try await AppConfig.load(environment: [:], dotEnvPath: none)
        #expect(standard.mailTransport == .mailDrop(directory: "./data/mail"))
        #expect(standard.mailFrom == "Partner Incentives <no-reply@127.0.0.1>")
        let custom = try await AppConfig.load(environment: ["MAIL_TRANSPORT": "sendmail", "SENDMAIL_PATH": "/usr/lib/sendmail",
                                                            "PUBLIC_URL": "https://incentives.example", "MAIL_POLL_SECONDS": "2"], dotEnvPath: none)
        #expect(custom.mailTransport == .sendmail(path: "/usr/lib/sendmail"))
        #expect(custom.mailFrom == "Partner Incentives <no-reply@incentives.example>" && custom.mailPollInterval == .seconds(2))
        await #expect(throws: StoreError.badConfiguration("MAIL_TRANSPORT must be maildrop or sendmail, not 'smtp'.")) {
            try await AppConfig.load(environment: ["MAIL_TRANSPORT": "smtp"], dotEnvPath: none)
        }
        await #expect(throws: StoreError.self) { try await AppConfig.load(environment: ["MAIL_FROM": "nobody"], dotEnvPath: none) }
    }

    @Test("settings come from the environment, then .env, then the defaults")
    func precedence() async throws {
        let folder = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let dotEnv = folder.appendingPathComponent(".env")
        try "PORT=9090\nMAIL_TRANSPORT=sendmail\nSENDMAIL_PATH=/opt/from-dotenv/sendmail\n".write(to: dotEnv, atomically: true, encoding: .utf8)
        let fromFile = try await AppConfig.load(environment: [:], dotEnvPath: dotEnv.path)
        #expect(fromFile.port == 9090 && fromFile.mailTransport == .sendmail(path: "/opt/from-dotenv/sendmail"))
        let overridden = try await AppConfig.load(environment: ["PORT": "7070", "SENDMAIL_PATH": "/usr/sbin/sendmail"], dotEnvPath: dotEnv.path)
        #expect(overridden.port == 7070 && overridden.mailTransport == .sendmail(path: "/usr/sbin/sendmail"), "the environment wins")
        let defaults = try await AppConfig.load(environment: [:], dotEnvPath: folder.appendingPathComponent("missing.env").path)
        #expect(defaults.port == 8080 && defaults.mailTransport == .mailDrop(directory: "./data/mail"))
    }
}
