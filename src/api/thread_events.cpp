#include "api/thread_events.hpp"

#include <boost/json/serialize.hpp>

#include "api/chat_json.hpp"

namespace netra::api {

namespace {

std::string thread_event(std::string_view type, const chat::Thread& thread) {
  boost::json::object event;
  event.emplace("type", type);
  event.emplace("thread", thread_json(thread));
  return boost::json::serialize(event);
}

}  // namespace

void ThreadEvents::created(const chat::Thread& thread) const {
  send(thread.owner_id, thread_event("thread_created", thread));
}

void ThreadEvents::renamed(const chat::Thread& thread) const {
  send(thread.owner_id, thread_event("thread_renamed", thread));
}

void ThreadEvents::deleted(const std::string& user_id, const std::string& thread_id) const {
  boost::json::object event;
  event.emplace("type", "thread_deleted");
  event.emplace("thread_id", thread_id);
  send(user_id, boost::json::serialize(event));
}

}  // namespace netra::api
