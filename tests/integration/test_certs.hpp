// A test CA and a server certificate it signs for 127.0.0.1 and localhost, made at run time with
// the openssl command-line tool in a temporary folder (removed on destruction): no key is
// committed.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace sio::test {

class test_certs {
 public:
  test_certs() {
    static std::atomic<int> n{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("sio-test-certs-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::create_directories(dir_);
    const auto d = dir_.string();
    const std::string key = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
    run("openssl req -x509" + key + "-keyout " + d + "/ca.key -out " + d +
        "/ca.pem -days 2 -subj /CN=sio-test-CA -addext basicConstraints=critical,CA:TRUE");
    run("printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > " + d + "/ext.cnf");
    issue("server");
  }
  ~test_certs() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  test_certs(const test_certs&) = delete;
  test_certs& operator=(const test_certs&) = delete;

  // Makes <name>.pem and <name>.key, a server certificate signed by the CA.
  void issue(const std::string& name) {
    const auto d = dir_.string();
    run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + d + "/" +
        name + ".key -out " + d + "/" + name + ".csr -subj /CN=" + name);
    run("openssl x509 -req -in " + d + "/" + name + ".csr -CA " + d + "/ca.pem -CAkey " + d +
        "/ca.key -set_serial " + std::to_string(++serial_) + " -days 2 -extfile " + d +
        "/ext.cnf -out " + d + "/" + name + ".pem");
  }
  std::string path(const std::string& file) const { return (dir_ / file).string(); }

 private:
  static void run(const std::string& cmd) {
    ASSERT_EQ(std::system((cmd + " 2>/dev/null").c_str()), 0) << cmd;
  }
  std::filesystem::path dir_;
  int serial_ = 1;
};

}  // namespace sio::test
