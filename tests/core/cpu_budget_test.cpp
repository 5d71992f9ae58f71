#include "core/cpu_budget.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace netra::core {
namespace {

TEST(CpuBudgetTest, LeavesOneCoreBesideTheLoopsAndNeverFewerThanOneLoop) {
  EXPECT_EQ(default_event_loops(1), 1u);
  EXPECT_EQ(default_event_loops(2), 1u);
  EXPECT_EQ(default_event_loops(4), 3u);
  EXPECT_EQ(default_event_loops(32), 31u);
}

TEST(CpuBudgetTest, ACgroupQuotaCountsAsItsCoresRoundedUp) {
  EXPECT_EQ(cores_from_cpu_max("200000 100000\n"), 2u);
  EXPECT_EQ(cores_from_cpu_max("150000 100000"), 2u);
  EXPECT_EQ(cores_from_cpu_max("50000 100000"), 1u);
  EXPECT_EQ(cores_from_cpu_max("max 100000\n"), std::nullopt);
  EXPECT_EQ(cores_from_cpu_max(""), std::nullopt);
  EXPECT_EQ(cores_from_cpu_max("100000 0"), std::nullopt);
  EXPECT_EQ(cores_from_cpu_max("12x 100000"), std::nullopt);
}

TEST(CpuBudgetTest, UsableCoresAreBetweenOneAndTheMachinesCores) {
  const size_t cores = usable_cores();
  EXPECT_GE(cores, 1u);
  EXPECT_LE(cores, std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace
}  // namespace netra::core
