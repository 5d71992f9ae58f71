#include "core/health_registry.hpp"

namespace netra::core {

void HealthRegistry::add_breaker(const CircuitBreaker& breaker, bool critical) {
  std::lock_guard lock(mutex_);
  breakers_.emplace_back(&breaker, critical);
}

void HealthRegistry::add_pool(std::string name, size_t max_size, std::function<PoolStats()> stats) {
  std::lock_guard lock(mutex_);
  pools_.push_back({std::move(name), max_size, std::move(stats)});
}

std::vector<HealthRegistry::BreakerEntry> HealthRegistry::breakers() const {
  std::lock_guard lock(mutex_);
  std::vector<BreakerEntry> out;
  for (const auto& [breaker, critical] : breakers_) out.push_back({breaker->snapshot(), critical});
  return out;
}

std::vector<PoolSnapshot> HealthRegistry::pools() const {
  std::lock_guard lock(mutex_);
  std::vector<PoolSnapshot> out;
  for (const auto& p : pools_) out.push_back({p.name, p.stats(), p.max_size});
  return out;
}

void HealthRegistry::add_family(Family family) {
  std::lock_guard lock(mutex_);
  families_.push_back(std::move(family));
}

std::vector<HealthRegistry::FamilySnapshot> HealthRegistry::families() const {
  std::lock_guard lock(mutex_);
  std::vector<FamilySnapshot> out;
  for (const auto& f : families_) out.push_back({f.name, f.help, f.label, f.counter, f.read()});
  return out;
}

void HealthRegistry::add_details(std::string component, std::function<nlohmann::json()> read) {
  std::lock_guard lock(mutex_);
  details_[std::move(component)] = std::move(read);
}

std::map<std::string, nlohmann::json> HealthRegistry::details() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, nlohmann::json> out;
  for (const auto& [component, read] : details_) out.emplace(component, read());
  return out;
}

void HealthRegistry::set_warnings(nlohmann::json warnings) {
  std::lock_guard lock(mutex_);
  warnings_ = std::move(warnings);
}

nlohmann::json HealthRegistry::warnings() const {
  std::lock_guard lock(mutex_);
  return warnings_;
}

}  // namespace netra::core
