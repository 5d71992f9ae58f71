// InProcessServer: `netra serve` — the production catalog, on SQLite in a scratch directory, on a
// loopback port — run on a thread of the fuzzer's own process, so that libFuzzer sees the
// coverage of the code that answers (a child process would hide it from the fuzzer). Started once
// per fuzzer process; inputs reach it over loopback sockets, as any client's would.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace netra::fuzz {

class InProcessServer {
 public:
  // The running server; the first call starts it and signs a user in (aborts the process when it
  // is not ready within 30 s: a fuzzer against a server that is not there finds nothing).
  static const InProcessServer& get();

  uint16_t port() const { return port_; }
  // An access token of the user every input acts as.
  const std::string& access_token() const { return access_token_; }
  // An MCP session (Mcp-Session-Id) of that user.
  const std::string& mcp_session() const { return mcp_session_; }

  // Sends `bytes` on a new connection, half-closes it and returns everything the server sent
  // before it closed. A server that has not closed 40 s later (past server.request_deadline_ms,
  // 30 s) has hung: that aborts (a finding).
  std::string exchange(std::string_view bytes) const;

 private:
  InProcessServer() = default;
  void start();
  uint16_t port_ = 0;
  std::string access_token_;
  std::string mcp_session_;
};

// `text` with every "$TOKEN" replaced by the access token (seed inputs carry the placeholder, so
// a corpus stays valid across runs whose keys differ).
std::string with_token(std::string_view text, const std::string& token);

// Aborts (a finding) when the first answer in `response` is a 500: the service never answers a
// request it cannot serve with an internal error — bad input is 4xx, a dependency down is 503.
void require_no_internal_error(const std::string& response, std::string_view input);

// Aborts (a finding) when `response` does not start with a status line: the connection was closed
// without an answer (an exception that ended it, say).
void require_answer(const std::string& response, std::string_view input);

}  // namespace netra::fuzz
