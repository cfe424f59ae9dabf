import Foundation

/// The page every failure answers with, in the site's layout: the status, a heading and what to do, with a way to sign
/// in for a signed-out visitor and a way home. Built from the page input and the words `ErrorPageMiddleware` chose.
struct ErrorPageView: PageView {
    let shell: Shell
    let status: Int
    let heading: String
    let message: String
    /// Where a signed-out visitor signs in; nil for a signed-in one.
    let signInHref: String?
    let homeHref: String

    init(status: Int, heading: String, message: String, input: PageInput) {
        shell = Shell(input, title: heading)
        self.status = status
        self.heading = heading
        self.message = message
        signInHref = input.viewer == nil ? SitePath.login.href() : nil
        homeHref = SitePath.home.href()
    }
}
