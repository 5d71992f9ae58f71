#include "core/component_graph.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include "core/did_you_mean.hpp"

namespace netra::core {
namespace {

// Every cycle reachable in the graph, each as its path `a -> b -> a`, reported once.
std::vector<std::string> find_cycles(const std::vector<ComponentGraph::Node>& nodes) {
  enum class Mark { unvisited, on_path, done };
  std::vector<Mark> mark(nodes.size(), Mark::unvisited);
  std::vector<size_t> path;
  std::vector<std::string> cycles;
  std::function<void(size_t)> visit = [&](size_t i) {
    mark[i] = Mark::on_path;
    path.push_back(i);
    for (const auto& edge : nodes[i].dependencies) {
      if (mark[edge.to] == Mark::on_path) {
        auto start = std::find(path.begin(), path.end(), edge.to);
        std::string text;
        for (auto it = start; it != path.end(); ++it) text += nodes[*it].spec.name + " -> ";
        cycles.push_back("dependency cycle: " + text + nodes[edge.to].spec.name);
      } else if (mark[edge.to] == Mark::unvisited) {
        visit(edge.to);
      }
    }
    path.pop_back();
    mark[i] = Mark::done;
  };
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (mark[i] == Mark::unvisited) visit(i);
  }
  return cycles;
}

}  // namespace

ComponentGraph ComponentGraph::build(const std::vector<ComponentSpec>& specs,
                                     const Profile& profile) {
  ComponentGraph graph;
  std::vector<std::string> errors;
  std::map<std::string, size_t> index;
  std::vector<std::string> names;

  for (const auto& spec : specs) {
    if (spec.name.empty()) {
      errors.push_back("a component has an empty name");
      continue;
    }
    if (!index.emplace(spec.name, graph.nodes_.size()).second) {
      errors.push_back("duplicate component name '" + spec.name + "'");
      continue;
    }
    names.push_back(spec.name);
    graph.nodes_.push_back(Node{spec, true, "", {}, {}});
  }

  for (size_t i = 0; i < graph.nodes_.size(); ++i) {
    auto& node = graph.nodes_[i];
    for (const auto& dep : node.spec.dependencies) {
      auto it = index.find(dep.name);
      if (it == index.end()) {
        errors.push_back("component '" + node.spec.name + "' " + std::string(to_string(dep.kind)) +
                         " unknown component '" + dep.name + "'" + did_you_mean(dep.name, names));
        continue;
      }
      node.dependencies.push_back({it->second, dep.kind});
      graph.nodes_[it->second].dependents.push_back(i);
    }
  }

  for (const auto& name : profile.disabled) {
    auto it = index.find(name);
    if (it == index.end()) {
      errors.push_back("cannot disable unknown component '" + name + "'" +
                       did_you_mean(name, names));
      continue;
    }
    graph.nodes_[it->second].enabled = false;
    graph.nodes_[it->second].disabled_reason = "disabled by configuration";
  }

  if (profile.kind == Profile::Kind::minimal) {
    // Keep the critical components and, transitively, what they require.
    std::vector<bool> keep(graph.nodes_.size(), false);
    std::function<void(size_t)> mark = [&](size_t i) {
      if (keep[i]) return;
      keep[i] = true;
      for (const auto& edge : graph.nodes_[i].dependencies) {
        if (edge.kind == DependencyKind::hard) mark(edge.to);
      }
    };
    for (size_t i = 0; i < graph.nodes_.size(); ++i) {
      if (graph.nodes_[i].spec.criticality == Criticality::critical) mark(i);
    }
    for (size_t i = 0; i < graph.nodes_.size(); ++i) {
      if (!keep[i] && graph.nodes_[i].enabled) {
        graph.nodes_[i].enabled = false;
        graph.nodes_[i].disabled_reason = "not in the minimal profile";
      }
    }
  }

  for (const auto& node : graph.nodes_) {
    if (node.spec.criticality != Criticality::critical) continue;
    for (const auto& edge : node.dependencies) {
      if (edge.kind != DependencyKind::hard) continue;
      const auto& dep = graph.nodes_[edge.to];
      if (dep.spec.criticality != Criticality::critical) {
        errors.push_back("critical component '" + node.spec.name + "' requires '" + dep.spec.name +
                         "', which is only " + std::string(to_string(dep.spec.criticality)) +
                         ": make it critical, or make the edge `uses`");
      } else if (!dep.enabled && node.enabled) {
        errors.push_back("cannot disable '" + dep.spec.name + "': critical component '" +
                         node.spec.name + "' requires it");
      }
    }
  }

  auto cycles = find_cycles(graph.nodes_);
  errors.insert(errors.end(), cycles.begin(), cycles.end());
  if (!errors.empty()) throw GraphError(std::move(errors));

  // Kahn's algorithm, picking the lowest registration index first so the order is stable.
  std::vector<size_t> remaining(graph.nodes_.size());
  for (size_t i = 0; i < graph.nodes_.size(); ++i) {
    remaining[i] = graph.nodes_[i].dependencies.size();
  }
  std::vector<size_t> ready;
  for (size_t i = 0; i < remaining.size(); ++i) {
    if (remaining[i] == 0) ready.push_back(i);
  }
  while (!ready.empty()) {
    auto lowest = std::min_element(ready.begin(), ready.end());
    const size_t i = *lowest;
    ready.erase(lowest);
    graph.order_.push_back(i);
    for (size_t d : graph.nodes_[i].dependents) {
      if (--remaining[d] == 0) ready.push_back(d);
    }
  }
  return graph;
}

size_t ComponentGraph::index_of(const std::string& name) const {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].spec.name == name) return i;
  }
  throw std::out_of_range("unknown component '" + name + "'");
}

std::vector<size_t> ComponentGraph::depths() const {
  std::vector<size_t> depth(nodes_.size(), 0);
  for (size_t i : order_) {
    for (const auto& edge : nodes_[i].dependencies) {
      if (nodes_[edge.to].enabled) depth[i] = std::max(depth[i], depth[edge.to] + 1);
    }
  }
  return depth;
}

}  // namespace netra::core
