// The HTTP front end as a client on the network meets it: any bytes on a connection — Beast's
// parser under our header and body limits, keep-alive, pipelining, chunked bodies, the router and
// the handlers behind it. "$TOKEN" in an input becomes a valid access token. Every connection must
// end with answers and a close (never a hang), and no answer may be a 500.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/in_process_server.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& server = netra::fuzz::InProcessServer::get();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto response = server.exchange(netra::fuzz::with_token(input, server.access_token()));
  netra::fuzz::require_no_internal_error(response, input);
  return 0;
}
