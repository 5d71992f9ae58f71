// Typed wiring: a component receives what it declared, typed, built before it whatever the
// catalog's order; asking for what it did not declare is a configuration error naming both.
#include "app/component_catalog.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "app/config.hpp"
#include "auth/auth_state.hpp"
#include "core/configuration_error.hpp"
#include "core/event_loops.hpp"
#include "core/health_registry.hpp"
#include "core/offload_pool.hpp"
#include "net/http_server.hpp"
#include "telemetry/metrics.hpp"

namespace netra::app {
namespace {

namespace asio = boost::asio;
using ::testing::HasSubstr;

class Quiet : public core::Component {
 public:
  explicit Quiet(core::ComponentSpec spec) : core::Component(std::move(spec)) {}
  asio::awaitable<core::Status> start(core::LifecycleContext&) override {
    co_return core::Status::ok();
  }
  asio::awaitable<core::Status> stop(core::LifecycleContext&) override {
    co_return core::Status::ok();
  }
};

struct Store : Quiet {
  static constexpr const char* kName = "store";
  explicit Store(core::ComponentSpec spec) : Quiet(std::move(spec)) {}
  int rows = 42;
};

struct Reader : Quiet {
  static constexpr const char* kName = "reader";
  Reader(core::ComponentSpec spec, Store& store) : Quiet(std::move(spec)), store(store) {}
  Store& store;
};

// A stand-in of another type under the store's name (as test fixtures script components).
struct FakeStore : Quiet {
  static constexpr const char* kName = "store";
  explicit FakeStore(core::ComponentSpec spec) : Quiet(std::move(spec)) {}
};

class ComponentCatalogTest : public ::testing::Test {
 protected:
  BuiltComponents build(const ComponentCatalog& catalog) {
    return build_components(catalog, parts_, engine_);
  }

  const Config config_ = Config::load({});
  core::OffloadPool offload_{1};
  core::EventLoops loops_{1, std::chrono::milliseconds(50)};
  net::Router router_;
  net::HttpServer server_{loops_, {}, router_, {}};
  telemetry::Metrics metrics_{"test", "test"};
  core::HealthRegistry health_;
  auth::AuthState auth_;
  ProcessParts parts_{config_, config_.settings(), offload_, server_, metrics_, {}, health_, auth_,
                      {}};
  core::Engine engine_{loops_.context(0).get_executor(), core::EngineOptions{}};
};

CatalogEntry store_entry() {
  return entry_of<Store>({Store::kName, core::Criticality::high, {}},
                         [](const BuildContext&, const core::ComponentSpec& spec) {
                           return std::make_shared<Store>(spec);
                         });
}

CatalogEntry reader_entry(std::vector<core::Dependency> dependencies) {
  return entry_of<Reader>({Reader::kName, core::Criticality::high, std::move(dependencies)},
                          [](const BuildContext& ctx, const core::ComponentSpec& spec) {
                            return std::make_shared<Reader>(spec, ctx.get<Store>());
                          });
}

TEST_F(ComponentCatalogTest, AComponentGetsWhatItDeclaredTypedAndBuiltBeforeIt) {
  // The reader comes first in the catalog; the graph builds the store first anyway.
  const auto built = build({reader_entry({core::requires_component("store")}), store_entry()});
  auto* reader = static_cast<Reader*>(built.at("reader").typed.get());
  EXPECT_EQ(reader->store.rows, 42);
  EXPECT_EQ(&reader->store, built.at("store").typed.get());
}

TEST_F(ComponentCatalogTest, AskingForAnUndeclaredComponentIsAConfigurationError) {
  try {
    build({store_entry(), reader_entry({})});
    FAIL() << "built a component that uses what it did not declare";
  } catch (const core::ConfigurationError& e) {
    EXPECT_THAT(e.errors().at(0), HasSubstr("component reader uses component store, which is "
                                            "not among its declared dependencies"));
  }
}

TEST_F(ComponentCatalogTest, AStandInOfAnotherTypeIsRefusedByGetAndNullForFind) {
  auto fake = entry_of<FakeStore>({FakeStore::kName, core::Criticality::high, {}},
                                  [](const BuildContext&, const core::ComponentSpec& spec) {
                                    return std::make_shared<FakeStore>(spec);
                                  });
  EXPECT_THROW(build({fake, reader_entry({core::uses_component("store")})}),
               core::ConfigurationError);
  Store* found = reinterpret_cast<Store*>(1);
  auto probe = entry_of<Quiet>({"probe", core::Criticality::low, {core::uses_component("store")}},
                               [&found](const BuildContext& ctx, const core::ComponentSpec& spec) {
                                 found = ctx.find<Store>();
                                 return std::make_shared<Quiet>(spec);
                               });
  core::Engine engine(loops_.context(0).get_executor(), core::EngineOptions{});
  build_components({fake, probe}, parts_, engine);
  EXPECT_EQ(found, nullptr);
}

TEST_F(ComponentCatalogTest, WhatADependencyRequiresIsDeclaredThroughIt) {
  auto middle =
      entry_of<Quiet>({"middle", core::Criticality::high, {core::requires_component("store")}},
                      [](const BuildContext&, const core::ComponentSpec& spec) {
                        return std::make_shared<Quiet>(spec);
                      });
  const auto built =
      build({store_entry(), middle, reader_entry({core::requires_component("middle")})});
  EXPECT_EQ(static_cast<Reader*>(built.at("reader").typed.get())->store.rows, 42);
}

}  // namespace
}  // namespace netra::app
