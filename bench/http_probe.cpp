// http_probe: the measuring side of the HTTP benchmarks (bench/*.sh).
//
//   http_probe first-200 PORT PATH -- COMMAND ARGS...
//       starts COMMAND and prints the milliseconds from exec to the first 200 on PATH
//       (polling every 0.2 ms), then stops it with SIGTERM (SIGKILL after 5 s).
//   http_probe hold PORT PATH N PID
//       opens N keep-alive connections, makes one request on each, and prints the resident
//       memory of PID (kB) before and while they are held.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends a GET and returns the status code, or 0 if none arrived within the deadline.
int request(int fd, const std::string& path, int deadline_ms) {
  const std::string req = "GET " + path + " HTTP/1.1\r\nHost: probe\r\n\r\n";
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size()))
    return 0;
  std::string got;
  const auto until = Clock::now() + std::chrono::milliseconds(deadline_ms);
  while (got.find("\r\n\r\n") == std::string::npos && Clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return 0;
    got.append(buf, static_cast<size_t>(n));
  }
  if (got.size() < 12) return 0;
  return std::atoi(got.c_str() + 9);
}

long resident_kb(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

int first_200(int port, const std::string& path, char** command) {
  const auto began = Clock::now();
  pid_t pid = 0;
  if (posix_spawn(&pid, command[0], nullptr, nullptr, command, environ) != 0) {
    std::perror("posix_spawn");
    return 2;
  }
  double ms = -1;
  while (Clock::now() - began < std::chrono::seconds(10)) {
    const int fd = connect_to(port);
    if (fd >= 0) {
      const int status = request(fd, path, 1000);
      ::close(fd);
      if (status == 200) {
        ms = std::chrono::duration<double, std::milli>(Clock::now() - began).count();
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 500; ++i) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) {
      pid = 0;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (pid != 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  if (ms < 0) {
    std::fprintf(stderr, "no 200 within 10 s\n");
    return 1;
  }
  std::printf("%.3f\n", ms);
  return 0;
}

int hold(int port, const std::string& path, int count, int pid) {
  const long before = resident_kb(pid);
  std::vector<int> fds;
  int ok = 0;
  for (int i = 0; i < count; ++i) {
    const int fd = connect_to(port);
    if (fd < 0) break;
    fds.push_back(fd);
    if (request(fd, path, 2000) == 200) ++ok;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const long during = resident_kb(pid);
  std::printf("connections=%zu ok=%d rss_before_kb=%ld rss_held_kb=%ld per_connection_bytes=%.0f\n",
              fds.size(), ok, before, during,
              fds.empty() ? 0.0 : (during - before) * 1024.0 / static_cast<double>(fds.size()));
  for (int fd : fds) ::close(fd);
  return ok == count ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 5 && std::strcmp(argv[1], "first-200") == 0 && std::strcmp(argv[4], "--") == 0) {
    return first_200(std::atoi(argv[2]), argv[3], argv + 5);
  }
  if (argc == 6 && std::strcmp(argv[1], "hold") == 0) {
    return hold(std::atoi(argv[2]), argv[3], std::atoi(argv[4]), std::atoi(argv[5]));
  }
  std::fprintf(stderr,
               "usage: http_probe first-200 PORT PATH -- CMD...\n"
               "       http_probe hold PORT PATH N PID\n");
  return 2;
}
