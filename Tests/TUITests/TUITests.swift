// Placeholder so the target builds; real tests replace it.
import Testing
@testable import TUI

@Test func TUITestsPlaceholder() {}
