import Foundation
import IncentivesDomain
import Testing

@Suite("Base64url without padding")
struct Base64URLTests {
    @Test("every length encodes as base64 with - for +, _ for / and no padding, and decodes back, padded or not")
    func roundTrip() {
        var generator = SystemRandomNumberGenerator()
        for count in 0...70 {
            for _ in 0..<20 {
                let data = Data((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
                let standard = data.base64EncodedString()
                let encoded = Base64URL.encode(data)
                #expect(encoded == standard.replacing("+", with: "-").replacing("/", with: "_").replacing("=", with: ""))
                #expect(Base64URL.decode(encoded) == data)
                let padded = encoded + String(repeating: "=", count: (4 - encoded.count % 4) % 4)
                #expect(Base64URL.decode(padded) == data)
            }
        }
        #expect(Base64URL.encode(Data([0xfb, 0xff, 0xbf])) == "-_-_")
    }

    @Test("text that is not base64url is refused")
    func refusesOtherText() {
        #expect(Base64URL.decode("+/+/") == nil, "standard base64's own characters")
        #expect(Base64URL.decode("a b") == nil)
        #expect(Base64URL.decode("é") == nil)
        #expect(Base64URL.decode("abcde") == nil, "one character past a whole group is never an encoding")
        #expect(Base64URL.decode("") == Data())
    }
}
