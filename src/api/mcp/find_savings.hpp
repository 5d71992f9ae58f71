// find_savings: the one long tool. Its call starts an agent run the way the REST API does
// (POST /api/threads when no thread is given, then POST /api/threads/{id}/runs, called in
// process) and answers as an event stream: a notifications/progress for each event of the run
// when the client sent a progressToken, then the result — the report the run stored — once the
// run has ended. The stream is outside the request deadline and bounded by its own: the run's end,
// kMaxFollow, the caller's revocation, a client that leaves, or shutdown. A run outlives its
// stream: a client that lost it reads the report with get_report (the first progress names the
// run).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>

#include "api/mcp/mcp_tools.hpp"
#include "net/http_message.hpp"

namespace netra::api::mcp {

constexpr std::chrono::minutes kMaxFollow{15};

// The answer to tools/call find_savings (request id `id`, with its `progress_token` or null): an
// event stream once the run started, else the JSON-RPC answer saying why it did not.
asio::awaitable<net::HttpResponse> find_savings(std::shared_ptr<const McpServices> services,
                                                json id, boost::json::object arguments,
                                                json progress_token,
                                                const net::HttpRequest& caller);

}  // namespace netra::api::mcp
