#include "faults/frozen_postgres.hpp"

#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace netra::testing {

namespace {

// The parent of `pid`, from /proc/PID/stat (the field after the parenthesised command name).
int parent_of(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto closing = text.rfind(')');
  if (closing == std::string::npos) return 0;
  std::istringstream rest(text.substr(closing + 1));
  std::string state;
  int parent = 0;
  rest >> state >> parent;
  return parent;
}

std::vector<int> children_of(int parent) {
  std::vector<int> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    const int pid = std::stoi(name);
    if (parent_of(pid) == parent) found.push_back(pid);
  }
  return found;
}

}  // namespace

bool FrozenPostgres::freeze() {
  std::ifstream pid_file(dir_ + "/data/postmaster.pid");
  int postmaster = 0;
  if (!(pid_file >> postmaster) || postmaster <= 0) return false;
  // The postmaster first, so it starts no new backend while its children are being stopped.
  if (::kill(postmaster, SIGSTOP) != 0) return false;
  stopped_.push_back(postmaster);
  for (int child : children_of(postmaster)) {
    if (::kill(child, SIGSTOP) == 0) stopped_.push_back(child);
  }
  return true;
}

void FrozenPostgres::thaw() {
  for (auto it = stopped_.rbegin(); it != stopped_.rend(); ++it) ::kill(*it, SIGCONT);
  stopped_.clear();
}

}  // namespace netra::testing
