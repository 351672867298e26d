import NIOCore

/// Turns the flushes of one event loop pass into one: the first flush is deferred to the end of the
/// loop's current queue, and those that arrive meanwhile join it.
///
/// Sits between TLS and HTTP/2. Each stream's response is written by its own task and ends with a
/// flush; without this, ten streams answered in one pass cost ten TLS records and ten `write(2)`
/// calls, where one of each carries them all (the TLS handler corks its records until a flush).
final class CoalescingFlushHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = Any

    private var flushPending = false

    func flush(context: ChannelHandlerContext) {
        guard !self.flushPending else { return }
        self.flushPending = true
        context.eventLoop.assumeIsolated().execute {
            self.flushPending = false
            context.flush()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if self.flushPending {
            self.flushPending = false
            context.flush()
        }
    }
}
