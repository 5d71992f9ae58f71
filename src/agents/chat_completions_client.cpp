#include "agents/chat_completions_client.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/utf8.hpp"
#include "net/http_url.hpp"
#include "telemetry/logging.hpp"

namespace netra::agents {
namespace {

using nlohmann::json;

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

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

// choices[0].message.content, checked; the error names what was wrong with the reply.
core::Result<std::string, LlmError> reply_from(const std::string& body, size_t max_bytes,
                                               const std::string& where) {
  const auto bad = [&](LlmError::Kind kind, std::string why) {
    return LlmError{kind, 0, where + ": " + std::move(why)};
  };
  const auto parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return bad(LlmError::Kind::bad_response, "the response is not a JSON object");
  }
  const auto choices = parsed.value("choices", json());
  if (!choices.is_array() || choices.empty() || !choices[0].is_object()) {
    return bad(LlmError::Kind::bad_response, "the response has no choices");
  }
  const auto& choice = choices[0];
  const auto message = choice.value("message", json());
  const auto content = message.is_object() ? message.value("content", json()) : json();
  if (!content.is_string()) {
    return bad(LlmError::Kind::bad_response, "choices[0].message.content is not a string");
  }
  if (choice.value("finish_reason", json()) == "length") {
    return bad(LlmError::Kind::bad_reply, "the reply was cut at max_tokens");
  }
  auto text = trimmed(content.get_ref<const std::string&>());
  if (text.empty()) return bad(LlmError::Kind::bad_reply, "the reply is empty");
  if (!core::is_valid_utf8(text)) return bad(LlmError::Kind::bad_reply, "the reply is not UTF-8");
  if (text.size() > max_bytes) {
    return bad(LlmError::Kind::bad_reply,
               fmt::format("the reply has {} bytes, over {}", text.size(), max_bytes));
  }
  return text;
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
    ChatPrompt prompt, core::Deadline deadline) {
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
    body["stream"] = false;
    net::HttpClientRequest request;
    request.method = "POST";
    request.url = endpoint_;
    request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
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
      const auto code = provider_code(response->body);
      outcome = LlmError{LlmError::Kind::http_status, response->status,
                         fmt::format("{}: HTTP {}{}", where, response->status,
                                     code.empty() ? "" : " (" + code + ")")};
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
