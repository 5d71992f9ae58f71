#include "support/scratch_redis.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "support/unused_port.hpp"

namespace netra::testing {

ScratchRedis::ScratchRedis(std::string password) : password_(std::move(password)) {
  port_ = unused_port();
  std::ofstream conf(dir_.file("redis.conf"));
  conf << "bind 127.0.0.1\nport " << port_ << "\nunixsocket " << socket_path()
       << "\nunixsocketperm 700\nrequirepass " << password_ << "\ndir " << dir_.path().string()
       << "\nsave \"\"\nappendonly no\ndaemonize no\nloglevel notice\n";
  conf.close();
  EXPECT_TRUE(start()) << "redis-server did not start: " << (server_ ? server_->output() : "");
}

ScratchRedis::~ScratchRedis() {
  if (server_) {
    server_->signal(SIGCONT);
    server_->signal(SIGKILL);
    (void)server_->wait(std::chrono::seconds(5));
  }
}

bool ScratchRedis::start() {
  server_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"/usr/bin/redis-server", dir_.file("redis.conf")});
  return server_->wait_for_output("Ready to accept connections", std::chrono::seconds(10));
}

std::string ScratchRedis::url() const {
  return url_with_password(password_);
}

std::string ScratchRedis::url_with_password(const std::string& password) const {
  return "redis://:" + password + "@127.0.0.1:" + std::to_string(port_);
}

void ScratchRedis::freeze() {
  server_->signal(SIGSTOP);
}

void ScratchRedis::thaw() {
  server_->signal(SIGCONT);
}

void ScratchRedis::kill() {
  server_->signal(SIGKILL);
  (void)server_->wait(std::chrono::seconds(5));
}

std::string ScratchRedis::cli(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{
      "/usr/bin/redis-cli", "--no-auth-warning", "-p", std::to_string(port_), "-a", password_};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, {}, std::chrono::seconds(10)).output;
}

}  // namespace netra::testing
