#include "core/component_graph.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace netra::core {
namespace {

using ::testing::HasSubstr;

ComponentSpec make(std::string name, Criticality c, std::vector<Dependency> deps = {}) {
  return {std::move(name), c, std::move(deps)};
}

std::string build_error(const std::vector<ComponentSpec>& specs, const Profile& profile = {}) {
  try {
    ComponentGraph::build(specs, profile);
  } catch (const GraphError& e) {
    return e.what();
  }
  return "";
}

TEST(ComponentGraph, OrdersDependenciesFirst) {
  auto g = ComponentGraph::build({make("api", Criticality::critical, {requires_component("db")}),
                                  make("db", Criticality::critical)},
                                 {});
  ASSERT_EQ(g.topological_order().size(), 2u);
  EXPECT_EQ(g.node(g.topological_order()[0]).spec.name, "db");
  EXPECT_EQ(g.depths()[g.index_of("api")], 1u);
}

TEST(ComponentGraph, ReportsCycleAsFullPath) {
  auto error = build_error({make("a", Criticality::high, {requires_component("b")}),
                            make("b", Criticality::high, {uses_component("c")}),
                            make("c", Criticality::high, {requires_component("a")})});
  EXPECT_THAT(error, HasSubstr("dependency cycle: a -> b -> c -> a"));
}

TEST(ComponentGraph, ReportsSelfCycle) {
  EXPECT_THAT(build_error({make("a", Criticality::low, {uses_component("a")})}),
              HasSubstr("dependency cycle: a -> a"));
}

TEST(ComponentGraph, UnknownDependencySuggestsTheClosestName) {
  auto error = build_error({make("database", Criticality::critical),
                            make("api", Criticality::critical, {requires_component("databse")})});
  EXPECT_THAT(error, HasSubstr("component 'api' requires unknown component 'databse'"));
  EXPECT_THAT(error, HasSubstr("did you mean 'database'?"));
}

TEST(ComponentGraph, DuplicateName) {
  EXPECT_THAT(build_error({make("a", Criticality::low), make("a", Criticality::low)}),
              HasSubstr("duplicate component name 'a'"));
}

TEST(ComponentGraph, CriticalMayNotRequireNonCritical) {
  auto error = build_error({make("redis", Criticality::high),
                            make("api", Criticality::critical, {requires_component("redis")})});
  EXPECT_THAT(error, HasSubstr("critical component 'api' requires 'redis', which is only high"));
}

TEST(ComponentGraph, CriticalMayUseNonCritical) {
  EXPECT_NO_THROW(
      ComponentGraph::build({make("redis", Criticality::high),
                             make("api", Criticality::critical, {uses_component("redis")})},
                            {}));
}

TEST(ComponentGraph, DisablingWhatACriticalRequiresNamesBoth) {
  Profile profile;
  profile.disabled = {"database"};
  auto error = build_error({make("database", Criticality::critical),
                            make("api", Criticality::critical, {requires_component("database")})},
                           profile);
  EXPECT_THAT(error, HasSubstr("cannot disable 'database': critical component 'api' requires it"));
}

TEST(ComponentGraph, DisablingAnUnknownNameIsAnError) {
  Profile profile;
  profile.disabled = {"clickhose"};
  auto error = build_error({make("clickhouse", Criticality::medium)}, profile);
  EXPECT_THAT(error, HasSubstr("cannot disable unknown component 'clickhose'"));
  EXPECT_THAT(error, HasSubstr("did you mean 'clickhouse'?"));
}

TEST(ComponentGraph, ReportsEveryErrorAtOnce) {
  try {
    ComponentGraph::build({make("a", Criticality::low, {requires_component("x")}),
                           make("b", Criticality::low, {requires_component("y")})},
                          {});
    FAIL() << "expected GraphError";
  } catch (const GraphError& e) {
    EXPECT_EQ(e.errors().size(), 2u);
  }
}

TEST(ComponentGraph, MinimalProfileKeepsCriticalAndWhatTheyRequire) {
  Profile profile;
  profile.kind = Profile::Kind::minimal;
  auto g = ComponentGraph::build(
      {make("db", Criticality::critical), make("redis", Criticality::high),
       make("api", Criticality::critical, {requires_component("db"), uses_component("redis")}),
       make("metrics", Criticality::low)},
      profile);
  EXPECT_TRUE(g.node(g.index_of("db")).enabled);
  EXPECT_TRUE(g.node(g.index_of("api")).enabled);
  EXPECT_FALSE(g.node(g.index_of("redis")).enabled);
  EXPECT_FALSE(g.node(g.index_of("metrics")).enabled);
  EXPECT_EQ(g.node(g.index_of("redis")).disabled_reason, "not in the minimal profile");
}

}  // namespace
}  // namespace netra::core
