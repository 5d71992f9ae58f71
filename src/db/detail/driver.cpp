#include "db/detail/driver.hpp"

namespace netra::db::detail {

asio::awaitable<WrappedResult> DriverConnection::execute_wrapped(const std::string& before,
                                                                 const std::string& sql,
                                                                 const Params& params,
                                                                 const std::string& after,
                                                                 core::Deadline deadline) {
  using Failed = WrappedResult::Failed;
  if (!before.empty()) {
    auto began = co_await execute(before, {}, deadline);
    if (!began) co_return WrappedResult{began.error(), Failed::before};
  }
  auto result = co_await execute(sql, params, deadline);
  if (!result) co_return WrappedResult{result.error(), Failed::statement};
  if (!after.empty()) {
    auto ended = co_await execute(after, {}, deadline);
    if (!ended) co_return WrappedResult{ended.error(), Failed::after};
  }
  co_return WrappedResult{std::move(result), Failed::none};
}

}  // namespace netra::db::detail
