// Child processes for the servers the tests run as peers (the sio and Node fixtures). A child
// writes its standard output to `out` (/dev/null by default), never to the test's, and gets
// SIGKILL when the test process dies (PR_SET_PDEATHSIG): also when the test never reaches its
// teardown (a sanitizer report that halts it, an abort, ctest's timeout). Otherwise a child left
// running would keep ctest's output pipe open and ctest would wait for it until its own timeout.
// Its standard error stays the test's, so that a child's crash or sanitizer report is in the
// test's log; that pipe closes with the child.
//
// Linux only. The death signal follows the thread that spawned the child: spawn from the thread
// that drives the test, not from one that ends before the child should.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace sio::test {

// Starts argv[0] (a path) with argv; env: the whole environment, or the test's when null.
// Returns the child's pid; a program that cannot be executed exits at once with status 127.
inline pid_t spawn_child(std::vector<std::string> argv,
                         const std::vector<std::string>* env = nullptr, int out = -1) {
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<std::string> env_copy = env ? *env : std::vector<std::string>{};
  std::vector<char*> envp;
  for (auto& e : env_copy) envp.push_back(e.data());
  envp.push_back(nullptr);
  char** const environment = env ? envp.data() : environ;
  const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null_fd < 0) throw std::runtime_error("cannot open /dev/null");
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Only async-signal-safe calls here: the test process has other threads.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(127);
    if (::dup2(out >= 0 ? out : null_fd, STDOUT_FILENO) < 0) ::_exit(127);
    ::execve(args[0], args.data(), environment);
    ::_exit(127);
  }
  ::close(null_fd);
  if (pid < 0) throw std::runtime_error("cannot start " + argv[0]);
  return pid;
}

}  // namespace sio::test
