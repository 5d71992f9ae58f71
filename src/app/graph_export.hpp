// Renders the component graph for people: the start plan of `netra check` and the diagrams of
// `netra graph --format dot|mermaid`, with criticality and edge kinds.
#pragma once

#include <functional>
#include <string>

#include "core/component_graph.hpp"
#include "core/engine.hpp"

namespace netra::app {

class Config;

std::string to_dot(const core::ComponentGraph& graph);
std::string to_mermaid(const core::ComponentGraph& graph);

// The plan: components by start wave, with criticality, dependencies, timeouts and attempts.
std::string start_plan(const core::ComponentGraph& graph, const Config& config,
                       const std::function<core::ComponentSettings(size_t)>& settings_of);

}  // namespace netra::app
