// Ids: make_id is random and URL-safe; make_sortable_id sorts by the time given, byte-wise, and
// stays unique within one millisecond.
#include "core/id.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace netra::core {
namespace {

bool url_safe(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

TEST(MakeId, PrefixThen22UrlSafeCharacters) {
  const auto id = make_id("usr");
  ASSERT_EQ(id.size(), 4u + 22u);
  EXPECT_EQ(id.substr(0, 4), "usr_");
  EXPECT_TRUE(url_safe(id.substr(4))) << id;
  EXPECT_NE(make_id("usr"), make_id("usr"));
}

TEST(MakeSortableId, LaterTimesSortAfterEarlierOnesByteWise) {
  // Times chosen so that each 6-bit digit of the time meets the alphabet's boundaries
  // ('-' < digits < upper case < '_' < lower case).
  const std::vector<int64_t> times = {0,
                                      1,
                                      10,
                                      11,
                                      36,
                                      37,
                                      38,
                                      63,
                                      64,
                                      4095,
                                      4096,
                                      1'717'200'000'000,
                                      1'717'200'000'001,
                                      1'717'200'000'064,
                                      2'000'000'000'000,
                                      (int64_t{1} << 48) - 1};
  std::vector<std::string> ids;
  for (const auto t : times) ids.push_back(make_sortable_id("wev", t));
  for (size_t i = 1; i < ids.size(); ++i) {
    EXPECT_LT(ids[i - 1], ids[i]) << "at " << times[i - 1] << " and " << times[i];
  }
  for (const auto& id : ids) {
    ASSERT_EQ(id.size(), 4u + 22u) << id;
    EXPECT_EQ(id.substr(0, 4), "wev_");
    EXPECT_TRUE(url_safe(id.substr(4))) << id;
  }
}

TEST(MakeSortableId, UniqueWithinOneMillisecond) {
  std::set<std::string> seen;
  for (int i = 0; i < 100'000; ++i) seen.insert(make_sortable_id("wev", 1'717'200'000'000));
  EXPECT_EQ(seen.size(), 100'000u);
  // All share the time's 8 characters, then differ.
  EXPECT_EQ(seen.begin()->substr(0, 12), seen.rbegin()->substr(0, 12));
}

}  // namespace
}  // namespace netra::core
