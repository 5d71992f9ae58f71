#include "support/fixture_server.hpp"

#include <stdexcept>

namespace netra::testing {

FixtureServer::FixtureServer(const std::string& scenario, std::vector<std::string> extra_args,
                             std::map<std::string, std::string> env) {
  std::vector<std::string> argv = {
      NETRA_FIXTURE_BIN, "serve",         "--log-format", "text",
      "--set",           "server.port=0", "--set",        "server.host=127.0.0.1"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  env["FIXTURE_SCENARIO"] = scenario;
  env.emplace("NETRA_DATABASE_URL", "sqlite:" + data_.file("netra.db"));
  env.emplace("NETRA_AUTH_KEY_DIR", data_.file("keys"));
  child_ = std::make_unique<ChildProcess>(argv, env);
  const std::string marker = "listening on ";
  if (!child_->wait_for_output(marker, std::chrono::seconds(10))) {
    throw std::runtime_error("fixture did not listen: " + child_->output());
  }
  port_ = listening_port(child_->output());
}

int listening_port(const std::string& output) {
  // "listening on HOST:PORT\n" — the port follows the last ':' of that line (IPv6 hosts have more).
  const auto start = output.find("listening on ");
  if (start == std::string::npos) return 0;
  const auto end = output.find('\n', start);
  const auto line = output.substr(start, end - start);
  return std::stoi(line.substr(line.rfind(':') + 1));
}

bool FixtureServer::wait_until_serving(std::chrono::milliseconds deadline) {
  return child_->wait_for_output("serving until SIGTERM", deadline);
}

}  // namespace netra::testing
