// OpenSSL's libssl, loaded with dlopen the first time an https:// peer is called instead of linked
// into the binary. Nothing else in netra uses OpenSSL (tokens and keys go through nettle and
// libsodium), and linking it costs every process 1.8 MiB of resident memory at exec, used or
// not. Boost.Asio's TLS stream calls OpenSSL's functions by name from its headers, so
// openssl_on_demand.cpp defines each function the HTTP client's TLS path calls (hidden inside
// the binary) as a forwarder to the loaded library; the linker refuses the binary if one is
// missing there.
#pragma once

#include <string>

namespace netra::net::detail {

// Loads libssl.so.3 once (thread-safe): true, or false with `error` saying why (the library is
// missing or lacks a function). Cheap after the first call. Call before any TLS object is made;
// a forwarder called first loads the library itself, and stops the process if it cannot.
bool load_openssl(std::string& error);

}  // namespace netra::net::detail
