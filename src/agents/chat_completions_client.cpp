#include "agents/chat_completions_client.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/trim.hpp"
#include "core/utf8.hpp"
#include "net/http_url.hpp"
#include "net/sse_reader.hpp"
#include "telemetry/logging.hpp"

namespace netra::agents {
namespace {

using nlohmann::json;

// A provider's error code ("invalid_api_key", "rate_limit_exceeded") when the body carries a
// short one of plain letters; never its message, which may quote the key.
std::string provider_code(const std::string& body) {
  const auto parsed = json::parse(body, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("error") || !parsed["error"].is_object()) return "";
  for (const char* field : {"code", "type"}) {
    const auto& value = parsed["error"].value(field, json());
    if (!value.is_string()) continue;
    const auto code = value.get<std::string>();
    const bool plain =
        !code.empty() && code.size() <= 64 &&
        code.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
    if (plain) return code;
  }
  return "";
}

LlmError error_from(const net::HttpClientError& e) {
  using Kind = net::HttpClientError::Kind;
  switch (e.kind) {
    case Kind::timeout:
      return {LlmError::Kind::timeout, 0, e.message};
    case Kind::cancelled:
      return {LlmError::Kind::cancelled, 0, e.message};
    case Kind::response_too_large:
      return {LlmError::Kind::bad_response, 0, e.message};
    case Kind::invalid_url:
    case Kind::invalid_request:
    case Kind::connect_failed:
    case Kind::protocol:
      break;
  }
  return {LlmError::Kind::unreachable, 0, e.message};
}

// The reply's text, checked; the error names what was wrong with it.
core::Result<std::string, LlmError> checked_reply(const std::string& content, bool cut,
                                                  size_t max_bytes, const std::string& where) {
  const auto bad = [&](LlmError::Kind kind, std::string why) {
    return LlmError{kind, 0, where + ": " + std::move(why)};
  };
  if (cut) return bad(LlmError::Kind::bad_reply, "the reply was cut at max_tokens");
  std::string text(core::trimmed(content));
  if (text.empty()) return bad(LlmError::Kind::bad_reply, "the reply is empty");
  if (!core::is_valid_utf8(text)) return bad(LlmError::Kind::bad_reply, "the reply is not UTF-8");
  if (text.size() > max_bytes) {
    return bad(LlmError::Kind::bad_reply,
               fmt::format("the reply has {} bytes, over {}", text.size(), max_bytes));
  }
  return text;
}

// choices[0].message.content of a whole completion, checked.
core::Result<std::string, LlmError> reply_from(const std::string& body, size_t max_bytes,
                                               const std::string& where) {
  const auto bad = [&](std::string why) {
    return LlmError{LlmError::Kind::bad_response, 0, where + ": " + std::move(why)};
  };
  const auto parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return bad("the response is not a JSON object");
  const auto choices = parsed.value("choices", json());
  if (!choices.is_array() || choices.empty() || !choices[0].is_object()) {
    return bad("the response has no choices");
  }
  const auto& choice = choices[0];
  const auto message = choice.value("message", json());
  const auto content = message.is_object() ? message.value("content", json()) : json();
  if (!content.is_string()) return bad("choices[0].message.content is not a string");
  return checked_reply(content.get_ref<const std::string&>(),
                       choice.value("finish_reason", json()) == "length", max_bytes, where);
}

// A streamed completion as its server-sent events arrive: each `data:` a chunk whose
// choices[0].delta.content continues the reply, until `data: [DONE]`. A body that is not an
// event stream (an error, or a provider that ignored `stream: true`) is kept whole instead.
struct StreamedReply {
  explicit StreamedReply(size_t max_bytes) : max_bytes(max_bytes) {}

  // The reply's text that `part` brings (nothing unless the body is an event stream).
  std::string take(const net::HttpClientResponse& head, std::string_view part) {
    if (!decided) {
      decided = true;
      streamed =
          head.status == 200 && head.header("content-type").rfind("text/event-stream", 0) == 0;
    }
    std::string text;
    if (!streamed) {
      if (whole.size() + part.size() <= kMaxWholeBytes) whole.append(part);
      return text;
    }
    reader.feed(part, [&](const net::SseMessage& m) { event(m.data, text); });
    return text;
  }

  void event(const std::string& data, std::string& text_out) {
    if (done || malformed) return;
    if (data == "[DONE]") {
      done = true;
      return;
    }
    const auto chunk = json::parse(data, nullptr, false);
    const auto choices = chunk.is_object() ? chunk.value("choices", json()) : json();
    if (!choices.is_array()) {
      malformed = true;  // an error object mid-stream, or not JSON
      return;
    }
    if (choices.empty() || !choices[0].is_object()) return;  // a usage chunk, say
    const auto& choice = choices[0];
    const auto delta = choice.value("delta", json());
    const auto piece = delta.is_object() ? delta.value("content", json()) : json();
    if (piece.is_string() && !piece.get_ref<const std::string&>().empty()) {
      const auto& text = piece.get_ref<const std::string&>();
      content += text;
      // A reply past the limit is refused at the end; nothing more of it is passed on.
      if (content.size() <= max_bytes) text_out += text;
    }
    if (choice.value("finish_reason", json()) == "length") cut = true;
  }

  // The whole reply, checked, once the response ended.
  core::Result<std::string, LlmError> result(const std::string& where) const {
    if (!streamed) return reply_from(whole, max_bytes, where);
    const auto bad = [&](std::string why) {
      return LlmError{LlmError::Kind::bad_response, 0, where + ": " + std::move(why)};
    };
    if (reader.overflowed()) return bad("an event of the stream is too long");
    if (malformed) return bad("an event of the stream is not a completion chunk");
    if (!done) return bad("the stream ended without [DONE]");
    return checked_reply(content, cut, max_bytes, where);
  }

  static constexpr size_t kMaxWholeBytes = 1 << 20;
  size_t max_bytes;
  bool decided = false;
  bool streamed = false;
  std::string whole;  // the body when it is not an event stream
  net::SseReader reader{64 * 1024};
  std::string content;
  bool done = false;
  bool cut = false;
  bool malformed = false;
};

// One piece of the response body: the reply's text it brings, passed on.
asio::awaitable<void> pass_on(StreamedReply& streamed,
                              const ChatCompletionsClient::TextPart& on_text,
                              const net::HttpClientResponse& head, std::string_view part) {
  const std::string text = streamed.take(head, part);
  if (!text.empty()) co_await on_text(text);
}

}  // namespace

std::string_view to_string(LlmError::Kind kind) {
  switch (kind) {
    case LlmError::Kind::unreachable:
      return "unreachable";
    case LlmError::Kind::timeout:
      return "timeout";
    case LlmError::Kind::http_status:
      return "http_status";
    case LlmError::Kind::bad_response:
      return "bad_response";
    case LlmError::Kind::bad_reply:
      return "bad_reply";
    case LlmError::Kind::cancelled:
      return "cancelled";
  }
  return "bad_response";
}

ChatCompletionsClient::ChatCompletionsClient(net::HttpClient& http, LlmSettings settings)
    : http_(http), settings_(std::move(settings)) {
  std::string base = settings_.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  endpoint_ = base + "/chat/completions";
}

asio::awaitable<core::Result<std::string, LlmError>> ChatCompletionsClient::complete(
    ChatPrompt prompt, core::Deadline deadline, TextPart on_text) {
  core::Result<std::string, LlmError> outcome;
  // The endpoint without a query, as the error messages and the log show it.
  const auto url = net::parse_http_url(endpoint_);
  const std::string where = url ? fmt::format("chat completions at {}://{}{}",
                                              url->tls ? "https" : "http", url->origin, url->path())
                                : std::string("chat completions");
  if (!url) {
    outcome = LlmError{LlmError::Kind::unreachable, 0, where + ": " + url.error()};
  } else {
    json system = json::object();
    system["role"] = "system";
    system["content"] = std::move(prompt.system);
    json user = json::object();
    user["role"] = "user";
    user["content"] = std::move(prompt.user);
    json body = json::object();
    body["model"] = settings_.model;
    body["messages"] = json::array({std::move(system), std::move(user)});
    body["temperature"] = 0;
    body["max_tokens"] = settings_.max_tokens;
    const bool stream = on_text != nullptr;
    body["stream"] = stream;
    net::HttpClientRequest request;
    request.method = "POST";
    request.url = endpoint_;
    request.headers = {{"Content-Type", "application/json"},
                       {"Accept", stream ? "text/event-stream" : "application/json"}};
    StreamedReply streamed(settings_.max_reply_bytes);
    if (stream) {
      request.on_body_part = [&streamed, &on_text](const net::HttpClientResponse& head,
                                                   std::string_view part) {
        return pass_on(streamed, on_text, head, part);
      };
    }
    if (!settings_.api_key.empty()) {
      request.headers.emplace_back("Authorization", "Bearer " + settings_.api_key);
    }
    // Names from the data are UTF-8 already; replace rather than throw if one is not.
    request.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    request.span_name = "chat " + settings_.model;  // OpenTelemetry's name for a model call
    const auto capped = deadline.capped(settings_.timeout);
    auto response = co_await http_.send(std::move(request), capped);
    if (!response) {
      outcome = error_from(response.error());
    } else if (response->status != 200) {
      const auto code = provider_code(stream ? streamed.whole : response->body);
      outcome = LlmError{LlmError::Kind::http_status, response->status,
                         fmt::format("{}: HTTP {}{}", where, response->status,
                                     code.empty() ? "" : " (" + code + ")")};
    } else if (stream) {
      outcome = streamed.result(where);
    } else {
      outcome = reply_from(response->body, settings_.max_reply_bytes, where);
    }
  }
  if (!outcome) {
    telemetry::logger("agents")->warn("the language model did not answer: {} ({})",
                                      outcome.error().message, to_string(outcome.error().kind));
  }
  co_return outcome;
}

}  // namespace netra::agents
