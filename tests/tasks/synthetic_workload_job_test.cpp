// The synthetic_workload job over the real queue and the embedded analytics store (SQLite, and
// PostgreSQL with TEST_POSTGRES_URL): a fresh run writes exactly the events asked for and tells the
// owner's sockets in order; an attempt that takes over after a crash finds the chunks the dead one
// stored but had not recorded, and the count is still exact; a payload it cannot make fails for
// good; and the request parser names each bad field.
#include "tasks/synthetic_workload_job.hpp"

#include "analytics/demo_workload.hpp"
#include "analytics/embedded_store.hpp"
#include "analytics/fallback_store.hpp"
#include "tasks/job_queue_fixture.hpp"

namespace netra::tasks {
namespace {

class SyntheticJobTest : public JobQueueTest {
 protected:
  void SetUp() override {
    JobQueueTest::SetUp();
    store_ = std::make_shared<analytics::FallbackAnalyticsStore>(
        nullptr, std::make_shared<analytics::EmbeddedAnalyticsStore>(*db_), 5s);
  }

  SyntheticRequest request(int64_t events) {
    auto parsed = parse_synthetic_request(
        {{"template", "customer-support-chatbot"}, {"events", events}, {"days", 7}, {"seed", 5}},
        kStart, 1);
    if (!parsed) throw std::runtime_error(parsed.error().dump());
    return *parsed;
  }

  Job queued_and_claimed(nlohmann::json payload) {
    NewJob job;
    job.kind = kSyntheticWorkloadKind;
    job.user_id = "usr_alice";
    job.payload = std::move(payload);
    enqueue(std::move(job));
    auto claimed = claim("worker-1");
    if (!claimed) throw std::runtime_error("nothing to claim");
    return *claimed;
  }

  JobOutcome run_job(Job job) {
    SyntheticWorkloadJob handler(
        store_, offload_,
        [this](const std::string& user, nlohmann::json message) {
          heard_.push_back({user, std::move(message)});
        },
        [this](std::string user) { return note_changed(std::move(user)); });
    JobContext context(std::move(job), *jobs_, "worker-1", 30s, 5s);
    return run(handler.run(context));
  }
  boost::asio::awaitable<void> note_changed(std::string user) {
    changed_.push_back(std::move(user));
    co_return;
  }

  int64_t stored() {
    auto events = run(
        store_->summary("usr_alice", {0, kStart + 1}, analytics::GroupBy::workload, deadline()));
    if (!events) throw std::runtime_error(events.error().message);
    int64_t n = 0;
    for (const auto& g : *events) n += g.requests;
    return n;
  }

  std::vector<std::string> types() const {
    std::vector<std::string> out;
    for (const auto& [user, message] : heard_) out.push_back(message["type"]);
    return out;
  }

  std::shared_ptr<analytics::FallbackAnalyticsStore> store_;
  std::vector<std::pair<std::string, nlohmann::json>> heard_;
  std::vector<std::string> changed_;
};

TEST_P(SyntheticJobTest, AFreshRunWritesExactlyTheEventsAndTellsTheOwnerInOrder) {
  const auto job = queued_and_claimed(synthetic_payload(request(25000)));
  const auto outcome = run_job(job);
  ASSERT_EQ(outcome.kind, JobOutcome::Kind::succeeded) << outcome.error;
  EXPECT_EQ(outcome.result["events"], 25000);
  EXPECT_EQ(stored(), 25000);
  EXPECT_EQ(types(), (std::vector<std::string>{"generation_started", "generation_progress",
                                               "generation_progress", "generation_progress",
                                               "generation_completed"}));
  for (const auto& [user, message] : heard_) {
    EXPECT_EQ(user, "usr_alice");
    EXPECT_EQ(message["data"]["job_id"], job.id);
  }
  EXPECT_EQ(heard_[3].second["data"]["events_written"], 25000);
  EXPECT_EQ(heard_[4].second["data"]["cost_usd"], outcome.result["cost_usd"]);
  EXPECT_EQ(changed_.size(), 3u) << "the owner's summaries are dropped after every chunk";
  EXPECT_DOUBLE_EQ(get("usr_alice", job.id).progress, 1.0);
}

TEST_P(SyntheticJobTest, ATakeoverFindsTheChunksTheDeadAttemptStoredWithoutRecordingThem) {
  auto job = queued_and_claimed(synthetic_payload(request(35000)));
  // The first attempt stored chunks 0 and 1 and recorded only chunk 0 before it died.
  analytics::DemoWorkloadOptions same{
      kStart,
      7,
      35000,
      5,
      analytics::find_workload_template("customer-support-chatbot")->workloads,
      "evt_" + job.id + "_"};
  analytics::DemoWorkload earlier(same);
  double earlier_cost = 0;
  for (int chunk = 0; chunk < 2; ++chunk) {
    auto batch = earlier.next_batch(SyntheticWorkloadJob::kChunkEvents);
    for (const auto& e : batch) earlier_cost += e.cost_usd;
    ASSERT_TRUE(run(store_->insert("usr_alice", std::move(batch), deadline())));
  }
  job.attempts = 2;
  job.progress = 0.25;  // 1 of 4 chunks
  const auto outcome = run_job(job);
  ASSERT_EQ(outcome.kind, JobOutcome::Kind::succeeded) << outcome.error;
  EXPECT_EQ(stored(), 35000) << "no chunk was written twice";
  EXPECT_EQ(outcome.result["events"], 35000);
  analytics::DemoWorkload whole(same);
  double all_cost = 0;
  for (const auto& e : whole.next_batch(35000)) all_cost += e.cost_usd;
  EXPECT_NEAR(outcome.result["cost_usd"].get<double>(), all_cost, 1e-5);
  EXPECT_GT(all_cost, earlier_cost);
  // A resumed job does not announce a start again.
  EXPECT_EQ(types().front(), "generation_progress");
  EXPECT_EQ(types().back(), "generation_completed");
}

TEST_P(SyntheticJobTest, APayloadItCannotMakeFailsForGoodAndSaysSo) {
  const auto job = queued_and_claimed({{"events", "lots"}});
  const auto outcome = run_job(job);
  EXPECT_EQ(outcome.kind, JobOutcome::Kind::failed);
  ASSERT_EQ(types(), std::vector<std::string>{"generation_failed"});
  EXPECT_EQ(heard_[0].second["data"]["code"], "invalid_request");
  EXPECT_EQ(stored(), 0);
}

TEST(SyntheticRequest, NamesEachBadFieldAndFillsTheRestFromTheTemplate) {
  auto problems = [](nlohmann::json body) {
    auto parsed = parse_synthetic_request(body, 1'700'000'000'000, 9);
    return parsed ? nlohmann::json::object() : parsed.error();
  };
  EXPECT_TRUE(problems({{"events", -1}}).contains("events"));
  EXPECT_TRUE(problems({{"events", 1'000'001}}).contains("events"));
  EXPECT_TRUE(problems({{"days", 0}}).contains("days"));
  EXPECT_TRUE(problems({{"days", 366}}).contains("days"));
  EXPECT_TRUE(problems({{"template", "nope"}}).contains("template"));
  EXPECT_TRUE(problems({{"workloads", nlohmann::json::array()}}).contains("workloads"));
  EXPECT_TRUE(problems({{"workloads", {"support-chat", "x"}}}).contains("workloads[1]"));
  EXPECT_TRUE(problems({{"seed", -3}}).contains("seed"));
  EXPECT_TRUE(problems({{"extra", 1}}).contains("extra"));
  EXPECT_TRUE(problems(nlohmann::json::array()).contains("body"));

  auto parsed = parse_synthetic_request({{"template", "coding-assistant"}}, 1'700'000'000'000, 9);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->template_id, "coding-assistant");
  EXPECT_EQ(parsed->days, 14);
  EXPECT_EQ(parsed->events, 50000);
  EXPECT_EQ(parsed->seed, 9u);
  const auto back = synthetic_request_from(synthetic_payload(*parsed));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->workloads, parsed->workloads);
  EXPECT_EQ(back->now_ms, 1'700'000'000'000);
  EXPECT_FALSE(synthetic_request_from({{"events", 5}}));
}

INSTANTIATE_TEST_SUITE_P(Backends, SyntheticJobTest, ::testing::ValuesIn(backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace netra::tasks
