/// A statement's answer did not come in time (`EventLoopFuture.blockingWait(timeout:)`).
struct AnswerTimedOut: Error {}
