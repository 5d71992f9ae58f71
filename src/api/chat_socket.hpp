// ChatSocket: what the /ws channel means — who may open a socket (a Bearer header, a `jwt.<token>`
// subprotocol or a single-use ticket), the greeting, and the client messages (ping, user_message,
// start_agent, stop_agent, switch_thread) over the chat store. The socket mechanics (limits,
// keep-alive, close codes) are net::WebSocketServer's.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "agents/agent_runs.hpp"
#include "chat/chat_store.hpp"
#include "net/websocket_server.hpp"

namespace netra::auth {
class AuthState;
class TicketStore;
}  // namespace netra::auth
namespace netra::redis {
class ClusterSlots;
}

namespace netra::api {

namespace asio = boost::asio;

class ChatSocket final : public net::WebSocketHandler {
 public:
  // `runs`: how user_message and start_agent start agent runs and stop_agent stops them; the
  // runs report through its event sink (stored as steps, delivered to the user's sockets).
  ChatSocket(const auth::AuthState& auth, auth::TicketStore& tickets,
             std::shared_ptr<chat::ChatStore> chat, agents::AgentRuns& runs,
             std::chrono::milliseconds heartbeat_interval);

  // Every socket of a user counts against websocket.max_connections_per_user on every instance
  // (a place in `places`, held while the socket is open). Before the socket server starts.
  void count_across_instances(std::shared_ptr<redis::ClusterSlots> places, size_t per_user_limit);

  asio::awaitable<net::WebSocketAdmission> admit(const net::HttpRequest& upgrade) override;
  std::string refusal(const std::string& code, const std::string& message) override;
  void opened(const std::shared_ptr<net::WebSocketConnection>& connection) override;
  asio::awaitable<void> received(std::shared_ptr<net::WebSocketConnection> connection,
                                 std::string text) override;
  std::string rejection(const std::string& code, const std::string& message) override;

 private:
  using Connection = net::WebSocketConnection;
  // Who the credential belongs to (the admission before the cluster-wide count).
  asio::awaitable<net::WebSocketAdmission> authenticate(const net::HttpRequest& upgrade);
  asio::awaitable<void> user_message(Connection& c, const nlohmann::json& payload);
  asio::awaitable<void> start_agent(Connection& c, const nlohmann::json& payload);
  asio::awaitable<void> stop_agent(Connection& c, const nlohmann::json& payload);
  asio::awaitable<void> switch_thread(Connection& c, const nlohmann::json& payload);

  const auth::AuthState& auth_;
  auth::TicketStore& tickets_;
  std::shared_ptr<chat::ChatStore> chat_;
  agents::AgentRuns& runs_;
  std::chrono::milliseconds heartbeat_interval_;
  std::shared_ptr<redis::ClusterSlots> places_;
  size_t per_user_limit_ = 0;
};

}  // namespace netra::api
