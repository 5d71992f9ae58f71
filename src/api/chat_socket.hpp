// ChatSocket: what the /ws channel means — who may open a socket (a Bearer header, a `jwt.<token>`
// subprotocol or a single-use ticket), the greeting, and the client messages (ping, user_message
// or its alias chat_message, start_agent, stop_agent, switch_thread, create_thread, list_threads,
// rename_thread, delete_thread, get_thread_history) over the chat store. The socket mechanics
// (limits, keep-alive, close codes) are net::WebSocketServer's.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "agents/agent_runs.hpp"
#include "api/thread_events.hpp"
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
  // `thread_events`: how create_thread, rename_thread and delete_thread reach every socket of the
  // user (this one included: the event is the answer).
  ChatSocket(const auth::AuthState& auth, auth::TicketStore& tickets,
             std::shared_ptr<chat::ChatStore> chat, agents::AgentRuns& runs,
             std::shared_ptr<const ThreadEvents> thread_events,
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
  // The thread list and history over the socket (issue 19): what the REST routes do, with the
  // changes told to every socket of the user.
  asio::awaitable<void> create_thread(Connection& c, const nlohmann::json& payload);
  asio::awaitable<void> list_threads(Connection& c, const nlohmann::json& payload);
  asio::awaitable<void> rename_thread(Connection& c, const nlohmann::json& payload);
  asio::awaitable<void> delete_thread(Connection& c, const nlohmann::json& payload);
  asio::awaitable<void> thread_history(Connection& c, const nlohmann::json& payload);

  const auth::AuthState& auth_;
  auth::TicketStore& tickets_;
  std::shared_ptr<chat::ChatStore> chat_;
  agents::AgentRuns& runs_;
  std::shared_ptr<const ThreadEvents> thread_events_;
  std::chrono::milliseconds heartbeat_interval_;
  std::shared_ptr<redis::ClusterSlots> places_;
  size_t per_user_limit_ = 0;
};

}  // namespace netra::api
