// The property the clickhouse_literal fuzzer checks against its own reading of ClickHouse's rules,
// checked against the real server (TEST_CLICKHOUSE_URL): every string ClickHouseLiteral writes
// reads back byte for byte, and every double it accepts bit for bit (it found that 18.16 cannot
// parse a subnormal literal, now refused, and that it reads "-0" as +0, now written "-0.0"). The
// values: the fuzzer's corpus (tests/fuzz/corpus/clickhouse_literal_fuzzer, what it found
// interesting) and thousands of random byte strings weighted towards the bytes that need escaping.
#include <gtest/gtest.h>

#include <bit>
#include <boost/algorithm/hex.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>

#include "analytics/clickhouse_literal.hpp"
#include "analytics/detail/clickhouse_http.hpp"
#include "core/event_loops.hpp"
#include "net/http_client.hpp"
#include "support/run_awaitable.hpp"
#include "support/test_servers.hpp"

namespace netra::analytics {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> corpus_values() {
  std::vector<std::string> values;
  for (const auto& file :
       std::filesystem::directory_iterator(std::filesystem::path(NETRA_SOURCE_DIR) /
                                           "tests/fuzz/corpus/clickhouse_literal_fuzzer")) {
    std::ifstream in(file.path(), std::ios::binary);
    values.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return values;
}

std::vector<std::string> random_values(size_t count) {
  std::mt19937 random(20261204);  // fixed: a failure reproduces
  const std::string special("\\'\"\0\b\f\n\r\t\x01\x1f\x7f\x80\xc3\xa9?`", 18);
  std::vector<std::string> values;
  for (size_t i = 0; i < count; ++i) {
    std::string value(random() % 40, '\0');
    for (auto& c : value)
      c = random() % 2 ? special[random() % special.size()] : static_cast<char>(random() % 256);
    values.push_back(std::move(value));
  }
  return values;
}

std::string hex(std::string_view bytes) {
  std::string out;
  boost::algorithm::hex(bytes.begin(), bytes.end(), std::back_inserter(out));
  return out;
}

class ClickHouseLiteralRoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_test_server("TEST_CLICKHOUSE_URL"))
      GTEST_SKIP() << "TEST_CLICKHOUSE_URL is not set (scripts/clickhouse-test-server)";
    loops_.start();
    client_ = std::make_shared<net::HttpClient>();
    clickhouse_.emplace(client_, testing::test_server("TEST_CLICKHOUSE_URL"),
                        std::getenv("TEST_CLICKHOUSE_USER"),
                        std::getenv("TEST_CLICKHOUSE_PASSWORD"), core::BreakerOptions{});
  }
  void TearDown() override {
    clickhouse_.reset();
    if (client_) client_->close_idle();
    loops_.stop(1s);
  }

  // One row of `columns` (SQL expressions), as ClickHouse's TabSeparated text.
  std::vector<std::string> select(const std::vector<std::string>& columns) {
    std::string sql = "SELECT ";
    for (size_t i = 0; i < columns.size(); ++i) sql += (i ? ", " : "") + columns[i];
    auto answer =
        testing::run_awaitable(loops_.context(0).get_executor(),
                               clickhouse_->execute(sql + " FORMAT TabSeparated", "round trip",
                                                    core::Deadline::after(20s)),
                               30s);
    EXPECT_TRUE(answer) << answer.error().message;
    std::vector<std::string> fields;
    std::stringstream row(answer ? *answer : "");
    for (std::string field; std::getline(row, field, '\t');) fields.push_back(field);
    if (!fields.empty() && fields.back().ends_with('\n')) fields.back().pop_back();
    return fields;
  }

  core::EventLoops loops_{1, std::chrono::milliseconds(10)};
  std::shared_ptr<net::HttpClient> client_;
  std::optional<detail::ClickHouseHttp> clickhouse_;
};

TEST_F(ClickHouseLiteralRoundTrip, EveryStringReadsBackByteForByte) {
  auto values = corpus_values();
  ASSERT_GE(values.size(), 10u);
  const auto random = random_values(3000);
  values.insert(values.end(), random.begin(), random.end());
  // Queries of up to 200 values and 100 kB (the server's max_query_size is 256 KiB).
  for (size_t start = 0, end = 0; start < values.size(); start = end) {
    std::vector<std::string> columns;
    size_t bytes = 0;
    for (end = start; end < values.size() && end - start < 200 && bytes < 100'000; ++end) {
      columns.push_back("hex(" + ClickHouseLiteral::string(values[end]).sql() + ")");
      bytes += columns.back().size();
    }
    const auto read = select(columns);
    ASSERT_EQ(read.size(), columns.size());
    for (size_t i = start; i < end; ++i)
      ASSERT_EQ(read[i - start], hex(values[i])) << "value " << i << ": " << columns[i - start];
  }
}

TEST_F(ClickHouseLiteralRoundTrip, EveryFiniteDoubleReadsBackBitForBit) {
  std::mt19937_64 random(20261204);
  std::vector<double> values{
      0.0, -0.0, 0.1, 1e-7, 2.2250738585072014e-308, 1.7976931348623157e308, -2.5, 1e22, 1e-300};
  while (values.size() < 400) {
    const double value = std::bit_cast<double>(random());
    if (ClickHouseLiteral::real(value)) values.push_back(value);
  }
  std::vector<std::string> columns;
  for (const double value : values)
    columns.push_back("hex(reinterpretAsString(toFloat64(" +
                      ClickHouseLiteral::real(value).value().sql() + ")))");
  const auto read = select(columns);
  ASSERT_EQ(read.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    // reinterpretAsString: the double's little-endian bytes without the trailing zero bytes.
    std::string bytes(sizeof(double), '\0');
    std::memcpy(bytes.data(), &values[i], sizeof(double));
    while (!bytes.empty() && bytes.back() == '\0') bytes.pop_back();
    EXPECT_EQ(read[i], hex(bytes)) << "value " << ClickHouseLiteral::real(values[i]).value().sql();
  }
}

}  // namespace
}  // namespace netra::analytics
