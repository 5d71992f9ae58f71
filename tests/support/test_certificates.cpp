#include "support/test_certificates.hpp"

#include <chrono>
#include <fstream>
#include <stdexcept>

#include "support/child_process.hpp"

namespace netra::testing {

void openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"/usr/bin/openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_process(argv, {}, std::chrono::seconds(30));
  if (r.exit_code != 0) throw std::runtime_error("openssl failed: " + r.output);
}

void make_authority(const TempDir& dir, const std::string& name) {
  openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + name,
           "-keyout", dir.file(name + ".key"), "-out", dir.file(name + ".crt")});
}

void make_server_certificate(const TempDir& dir, const std::string& name,
                             const std::string& authority, const std::string& common_name,
                             const std::string& alt_names) {
  openssl({"req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + common_name, "-keyout",
           dir.file(name + ".key"), "-out", dir.file(name + ".csr")});
  std::ofstream(dir.file(name + ".ext")) << "subjectAltName=" << alt_names << "\n";
  openssl({"x509", "-req", "-in", dir.file(name + ".csr"), "-CA", dir.file(authority + ".crt"),
           "-CAkey", dir.file(authority + ".key"), "-CAcreateserial", "-days", "2", "-extfile",
           dir.file(name + ".ext"), "-out", dir.file(name + ".crt")});
}

}  // namespace netra::testing
