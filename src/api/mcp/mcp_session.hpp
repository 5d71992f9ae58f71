// The session and version rules of MCP's Streamable HTTP transport, as this server keeps them.
//
// A session is what `initialize` opens and the Mcp-Session-Id header names on every later request
// (400 without it). It holds no state: the caller is whoever the request's bearer token says (the
// session id is bound to that user, new_session_id), and
// the protocol version is the MCP-Protocol-Version header each request carries. So any instance
// behind a load balancer serves any session, and none is lost when an instance restarts. Ending a
// session (DELETE /mcp) revokes its id in RevokedSessions, which Redis carries to every instance;
// a request naming an ended session gets 404, and the client opens a new one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netra::api::mcp {

// The protocol versions served, newest first.
const std::vector<std::string>& supported_versions();
// What `initialize` answers to the version a client asks for: the same when served, else the
// newest served (the client then decides whether it can speak it).
std::string negotiate_version(std::string_view asked);
// The MCP-Protocol-Version header of a request after initialize: nullopt when served (an absent
// header is 2025-03-26, as the transport says), else why it is refused.
std::optional<std::string> refuse_version(std::string_view header);

// A new session id for `user_id`: "mcs_", 22 base64url characters of 128 random bits, "." and
// 11 characters of SHA-256 over the user and those bits. The tag binds the session to the user
// who opened it, checkable on any instance without shared state: another user's session id, or
// a made-up one, is a session not found. (Not a secret: the bearer token is the credential.)
std::string new_session_id(std::string_view user_id);
// Whether `id` is a session id made for `user_id`.
bool is_session_of(std::string_view id, std::string_view user_id);
// The key its end is revoked under in RevokedSessions (no login or API key has it).
std::string revocation_key(std::string_view session_id);
// How long an ended session's id stays refused (Unix seconds from now).
constexpr int64_t kEndedSessionRefusedForSeconds = 7 * 86'400;

}  // namespace netra::api::mcp
