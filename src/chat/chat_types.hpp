// The records of a conversation — threads, their messages, the agent runs they start and each
// run's steps — as the chat stores hand them out. Times are Unix milliseconds.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netra::chat {

// Where the stores read the wall clock (Unix ms); tests pin it.
using UnixClock = std::function<int64_t()>;

enum class Role { user, assistant, system };
std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view text);

// queued → running → completed | failed | cancelled | interrupted; a queued run may also fail,
// be cancelled or be interrupted without running.
enum class RunStatus { queued, running, completed, failed, cancelled, interrupted };
std::string_view to_string(RunStatus status);
std::optional<RunStatus> parse_run_status(std::string_view text);
bool is_terminal(RunStatus status);

struct Thread {
  std::string id;  // "thr_…"
  std::string owner_id;
  std::optional<std::string> title;
  // The metadata object as the store keeps it, JSON text: read only where it is shown
  // (api/chat_json.cpp), so that listing threads does not build a document per row.
  std::string metadata_json = "{}";
  int64_t created_at = 0;
  int64_t updated_at = 0;  // the last activity: creation, an update, or a message
  int64_t message_count = 0;
};

struct ThreadPage {
  std::vector<Thread> threads;  // newest activity first
  int64_t total = 0;            // the owner's threads that are not archived
};

struct NewThread {
  std::optional<std::string> title;
  nlohmann::json metadata = nlohmann::json::object();
};

// What an update changes; an absent field keeps its value.
struct ThreadUpdate {
  std::optional<std::string> title;
  std::optional<nlohmann::json> metadata;
};

struct Message {
  std::string id;  // "msg_…"
  std::string thread_id;
  Role role = Role::user;
  std::string content;
  nlohmann::json metadata = nlohmann::json::object();
  std::optional<std::string> run_id;  // the run that produced it
  int64_t created_at = 0;
};

struct MessagePage {
  std::vector<Message> messages;  // oldest first, in the order they were added
  int64_t total = 0;              // messages in the thread
};

// A stretch of a thread's history, read backwards from its latest message or from one given.
struct MessageHistory {
  std::vector<Message> messages;  // oldest first
  bool has_more = false;          // older messages remain before the first of these
  int64_t total = 0;              // messages in the thread
};

struct NewMessage {
  Role role = Role::user;
  std::string content;
  nlohmann::json metadata = nlohmann::json::object();
  std::optional<std::string> run_id;  // must be a run of the same thread
};

struct ThreadWithMessage {
  Thread thread;
  Message message;
};

struct Run {
  std::string id;  // "run_…"
  std::string thread_id;
  std::string user_id;
  RunStatus status = RunStatus::queued;
  std::string user_request;
  std::optional<std::string> error;
  int64_t created_at = 0;
  std::optional<int64_t> started_at;   // set when it starts running
  std::optional<int64_t> finished_at;  // set when it reaches a terminal status
};

struct RunStep {
  std::string run_id;
  int64_t seq = 0;   // 1, 2, 3… within the run, in the order appended
  std::string type;  // what kind of event ("agent_started", "tool_call", …)
  nlohmann::json payload;
  int64_t created_at = 0;
};

struct RunWithSteps {
  Run run;
  std::vector<RunStep> steps;  // in seq order
};

struct RunPage {
  std::vector<Run> runs;  // newest first
  int64_t total = 0;      // runs of the thread
};

}  // namespace netra::chat
