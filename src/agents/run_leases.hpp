// RunLeases: which instance of a cluster still runs a run. Each instance holds a lease in Redis
// for every run queued or running on it (netra:lease:<run_id>, its instance id, a TTL of
// kTtl), renewed every kRenewEvery while the run lives; a lease that lapses means the instance
// died (or lost Redis for longer than the TTL). The sweep marks `interrupted` only runs without a
// lease — never the runs of another live instance — and, while Redis does not answer, none.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace netra::redis {
class RedisClient;
}

namespace netra::agents {

class RunLeases {
 public:
  static constexpr std::chrono::milliseconds kTtl{10000};
  static constexpr std::chrono::milliseconds kRenewEvery{3000};
  // A run younger than this is never swept: its instance may not have taken its lease yet.
  static constexpr std::chrono::milliseconds kGrace{15000};

  RunLeases(std::weak_ptr<redis::RedisClient> redis, std::string instance_id);

  const std::string& instance_id() const { return instance_id_; }

  // Takes or extends this instance's leases on `run_ids`; false when Redis did not take them.
  boost::asio::awaitable<bool> renew(std::vector<std::string> run_ids);
  // For each of `run_ids`, whether some instance holds its lease; nothing when Redis did not
  // answer (then nobody may be swept).
  boost::asio::awaitable<std::optional<std::vector<bool>>> held(std::vector<std::string> run_ids);

 private:
  std::weak_ptr<redis::RedisClient> redis_;
  std::string instance_id_;
};

}  // namespace netra::agents
