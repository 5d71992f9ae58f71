#include "app/graph_export.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "app/config.hpp"

namespace netra::app {
namespace {
std::string node_label(const core::ComponentGraph::Node& node) {
  std::string label = node.spec.name + " (" + std::string(to_string(node.spec.criticality));
  if (!node.enabled) label += ", disabled";
  return label + ")";
}
}  // namespace

std::string to_dot(const core::ComponentGraph& graph) {
  std::string out = "digraph netra {\n  rankdir=BT;\n  node [shape=box];\n";
  for (const auto& node : graph.nodes()) {
    out += fmt::format("  \"{}\" [label=\"{}\"{}];\n", node.spec.name, node_label(node),
                       node.spec.criticality == core::Criticality::critical ? ", penwidth=2" : "");
    if (!node.enabled) out += fmt::format("  \"{}\" [style=dotted];\n", node.spec.name);
  }
  for (const auto& node : graph.nodes()) {
    for (const auto& edge : node.dependencies) {
      const bool hard = edge.kind == core::DependencyKind::hard;
      out += fmt::format("  \"{}\" -> \"{}\" [label=\"{}\", style={}];\n", node.spec.name,
                         graph.node(edge.to).spec.name, to_string(edge.kind),
                         hard ? "solid" : "dashed");
    }
  }
  return out + "}\n";
}

std::string to_mermaid(const core::ComponentGraph& graph) {
  std::string out = "graph BT\n";
  auto id = [](const std::string& name) {
    std::string s = name;
    std::replace_if(
        s.begin(), s.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
        '_');
    return s;
  };
  for (const auto& node : graph.nodes()) {
    out += fmt::format("  {}[\"{}\"]\n", id(node.spec.name), node_label(node));
  }
  for (const auto& node : graph.nodes()) {
    for (const auto& edge : node.dependencies) {
      const bool hard = edge.kind == core::DependencyKind::hard;
      out += fmt::format("  {} {}|{}| {}\n", id(node.spec.name), hard ? "-->" : "-.->",
                         to_string(edge.kind), id(graph.node(edge.to).spec.name));
    }
  }
  return out;
}

std::string start_plan(const core::ComponentGraph& graph, const Config& config,
                       const std::function<core::ComponentSettings(size_t)>& settings_of) {
  const auto depths = graph.depths();
  size_t enabled = 0;
  for (const auto& node : graph.nodes()) enabled += node.enabled ? 1 : 0;
  std::string out =
      fmt::format("profile {}; {} of {} components enabled; start-up deadline {} ms\n",
                  config.settings().process.profile, enabled, graph.nodes().size(),
                  config.settings().process.startup_deadline.count());
  if (graph.nodes().empty()) return out;
  out += fmt::format("{:<5} {:<20} {:<9} {:>8} {:>8} {:>8}  {}\n", "WAVE", "COMPONENT", "CRITICAL",
                     "TIMEOUT", "ATTEMPTS", "STOP", "DEPENDENCIES");
  for (size_t i : graph.topological_order()) {
    const auto& node = graph.node(i);
    std::string deps;
    for (const auto& edge : node.dependencies) {
      deps += (deps.empty() ? "" : ", ") + std::string(to_string(edge.kind)) + " " +
              graph.node(edge.to).spec.name;
    }
    if (!node.enabled) {
      out +=
          fmt::format("{:<5} {:<20} {:<9} {:>8} {:>8} {:>8}  {} [{}]\n", "-", node.spec.name,
                      to_string(node.spec.criticality), "-", "-", "-", deps, node.disabled_reason);
      continue;
    }
    const auto s = settings_of(i);
    out += fmt::format("{:<5} {:<20} {:<9} {:>6}ms {:>8} {:>6}ms  {}\n", depths[i], node.spec.name,
                       to_string(node.spec.criticality), s.start_timeout.count(), s.retry.attempts,
                       s.stop_timeout.count(), deps);
  }
  return out;
}

}  // namespace netra::app
