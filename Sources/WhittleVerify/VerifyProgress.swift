/// What verification is doing now ("building test_model", "running test_model under
/// qemu-system-arm"), told to the caller before each step that can take seconds. The library
/// prints nothing itself: the command decides whether and how to show it.
public typealias VerifyProgress = @Sendable (String) -> Void
