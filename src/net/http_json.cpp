#include "net/http_json.hpp"

#include "net/http_url.hpp"

namespace netra::net {

asio::awaitable<core::Result<nlohmann::json, std::string>> get_json_object(
    HttpClient& client, std::string url, core::Deadline deadline) {
  const auto parsed = parse_http_url(url);
  if (!parsed) co_return url + ": " + parsed.error();
  const std::string named = std::string(parsed->tls ? "https://" : "http://") +
                            parsed->host_header + std::string(parsed->path());
  HttpClientRequest request;
  request.url = std::move(url);
  request.headers.emplace_back("Accept", "application/json");
  request.span_name = "GET " + named;
  auto response = co_await client.send(std::move(request), deadline);
  if (!response) co_return response.error().message;
  if (response->status != 200) co_return named + " answered " + std::to_string(response->status);
  auto document = nlohmann::json::parse(response->body, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    co_return named + " did not answer a JSON object";
  }
  co_return document;
}

asio::awaitable<std::string> post_json(HttpClient& client, std::string url, std::string body,
                                       core::Deadline deadline) {
  HttpClientRequest request;
  request.method = "POST";
  request.url = std::move(url);
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = std::move(body);
  auto answer = co_await client.send(std::move(request), deadline);
  if (!answer) co_return answer.error().message;
  if (answer->status / 100 != 2) co_return "answered " + std::to_string(answer->status);
  co_return std::string();
}

}  // namespace netra::net
