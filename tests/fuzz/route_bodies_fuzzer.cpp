// Every route's request validation: an input is a request line's method and target, a newline,
// and the body ("POST /api/threads/{id}/messages\n{\"message\":...}"), sent as a well-formed
// request of the signed-in user with a JSON content type (and an MCP session) — so the fuzzer
// spends its time on paths, query strings and bodies rather than on HTTP syntax. Every request is
// answered, never with a 500; "$TOKEN" in the body becomes the access token.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/in_process_server.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& server = netra::fuzz::InProcessServer::get();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const auto request_line = input.substr(0, newline);
  const auto body = netra::fuzz::with_token(
      newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1),
      server.access_token());
  const auto space = request_line.find(' ');
  if (space == std::string_view::npos) return -1;  // not an input of this shape: not kept
  // A target with a line break or space would make another request of it: not this fuzzer's job.
  if (request_line.substr(space + 1).find_first_of(" \r\n") != std::string_view::npos) return -1;

  std::string request;
  request.append(request_line).append(" HTTP/1.1\r\nHost: fuzz\r\nAuthorization: Bearer ");
  request.append(server.access_token()).append("\r\nContent-Type: application/json\r\n");
  // What /mcp requires of every client, so that its inputs reach the JSON-RPC methods and tools.
  request.append("Accept: application/json, text/event-stream\r\nMcp-Session-Id: ");
  request.append(server.mcp_session()).append("\r\n");
  request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  request.append("Connection: close\r\n\r\n").append(body);
  const auto response = server.exchange(request);
  netra::fuzz::require_no_internal_error(response, input);
  // A well-formed request is answered: a connection closed without one is a finding too.
  netra::fuzz::require_answer(response, input);
  return 0;
}
