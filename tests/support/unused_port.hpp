// A loopback TCP port nothing listens on right now: the kernel's pick, released at once. For tests
// that start a server later on a known port, or that need a peer that refuses connections.
#pragma once

namespace netra::testing {

int unused_port();

}  // namespace netra::testing
