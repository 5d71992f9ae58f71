// ChatCompletionsClient: an OpenAI-compatible chat-completions client (POST {url}/chat/completions)
// over the one outbound HttpClient — what lets a language model phrase a report's summary.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "core/deadline.hpp"
#include "core/result.hpp"
#include "core/settings_schema.hpp"
#include "net/http_client.hpp"

namespace netra::agents {

namespace asio = boost::asio;

struct LlmSettings {
  // The API's base URL with its version, as OpenAI's SDKs take it: "http://127.0.0.1:11434/v1"
  // posts to http://127.0.0.1:11434/v1/chat/completions. Plain http:// only (HttpClient has no
  // TLS): a local server, or a proxy that adds TLS. Empty: no language model (the default).
  std::string url;
  std::string model;
  // Sent as "Authorization: Bearer <key>" when not empty; never logged, never in an error.
  std::string api_key;
  std::chrono::milliseconds timeout{10'000};  // one call, connect to last byte
  int max_tokens = 400;                       // asked of the model
  size_t max_reply_bytes = 4096;              // a longer reply is refused, not cut

  bool enabled() const { return !url.empty(); }
};

// The `agents.llm.*` keys; its check: a URL the HTTP client can use (never the URL itself in a
// message: a query there may hold a key), and a model when the URL is set.
const core::SettingsSchema<LlmSettings>& llm_settings_schema();

struct ChatPrompt {
  std::string system;
  std::string user;
};

struct LlmError {
  enum class Kind {
    unreachable,   // the URL cannot be used, or no connection (refused, DNS, lost)
    timeout,       // the deadline passed
    http_status,   // any status but 200 (401 and 403: the key was refused)
    bad_response,  // not JSON, or no choices[0].message.content string
    bad_reply,     // empty, cut at max_tokens, too long, or not UTF-8
    cancelled,
  };
  Kind kind = Kind::bad_response;
  int status = 0;  // for http_status
  // For a person: what failed, with the endpoint and status. Never the key, and never the
  // response body (a provider's 401 may echo part of the key).
  std::string message;
};
std::string_view to_string(LlmError::Kind kind);

// Thread-safe, as the HttpClient is; both must outlive every call.
class ChatCompletionsClient {
 public:
  ChatCompletionsClient(net::HttpClient& http, LlmSettings settings);

  const std::string& model() const { return settings_.model; }
  std::chrono::milliseconds timeout() const { return settings_.timeout; }

  // Sends [system, user] with temperature 0 and returns choices[0].message.content, trimmed,
  // valid UTF-8 and at most max_reply_bytes. Bounded by the earlier of `deadline` and the
  // settings' timeout. Every failure is an LlmError (and a warning in the log); never throws.
  // With `on_text`, asks for `stream: true` and awaits it with each piece of the reply as the
  // provider's server-sent events bring it (choices[0].delta.content, untrimmed and unchecked:
  // the result is what passed the checks; what arrives while it runs comes in the next piece);
  // a provider that answers with one JSON completion instead is read as such, with no call.
  using TextPart = std::function<asio::awaitable<void>(std::string_view)>;
  asio::awaitable<core::Result<std::string, LlmError>> complete(ChatPrompt prompt,
                                                                core::Deadline deadline,
                                                                TextPart on_text = nullptr);

 private:
  net::HttpClient& http_;
  LlmSettings settings_;
  std::string endpoint_;  // {url}/chat/completions
};

}  // namespace netra::agents
