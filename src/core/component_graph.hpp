// ComponentGraph: the validated dependency graph of the components a profile enables — the start
// plan. Every configuration error in the graph is found here, before any component starts.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/component.hpp"
#include "core/configuration_error.hpp"

namespace netra::core {

// Which components start: `full` starts all, `minimal` the critical ones and what they require.
struct Profile {
  enum class Kind { full, minimal };
  Kind kind = Kind::full;
  std::set<std::string> disabled;  // removed by --disable / DISABLED_COMPONENTS
};

// A configuration error in the graph or profile; `errors()` lists every problem found.
class GraphError : public ConfigurationError {
 public:
  using ConfigurationError::ConfigurationError;
};

class ComponentGraph {
 public:
  struct Edge {
    size_t to;  // index of the dependency
    DependencyKind kind;
  };
  struct Node {
    ComponentSpec spec;
    bool enabled = true;
    std::string disabled_reason;  // why it is not enabled
    std::vector<Edge> dependencies;
    std::vector<size_t> dependents;  // every node that names this one
  };

  // Throws GraphError listing every problem: duplicate names, unknown dependencies or disabled
  // names, cycles (as the path `a -> b -> a`), a critical component requiring a non-critical or
  // disabled one.
  static ComponentGraph build(const std::vector<ComponentSpec>& specs, const Profile& profile);

  const std::vector<Node>& nodes() const { return nodes_; }
  const Node& node(size_t i) const { return nodes_.at(i); }
  size_t index_of(const std::string& name) const;  // throws std::out_of_range
  // Dependencies before dependents; ties in registration order.
  const std::vector<size_t>& topological_order() const { return order_; }
  // The length of the longest chain of enabled dependencies below each node (0 = none): the
  // "wave" in which it could start if every start took the same time.
  std::vector<size_t> depths() const;

 private:
  std::vector<Node> nodes_;
  std::vector<size_t> order_;
};

}  // namespace netra::core
