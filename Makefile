# sio: the two commands are `make demo` and `make test`. See README.md.
JOBS      ?= 2
BUILD     ?= build
CMAKE_GEN := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
CTEST_ARGS ?= --output-on-failure --timeout 300
FUZZ_SECONDS ?= 20

.PHONY: all deps build test test-release asan tsan fuzz demo bench package format clean

all: build

deps:
	@scripts/deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)
	@if [ -x scripts/build-web.sh ]; then scripts/build-web.sh; fi

# Every suite (scripts/test.sh): the Release build (all rungs), ASan+UBSan (unit, session,
# integration and C++ client tests), fuzz.
test: build
	BUILD=$(BUILD) JOBS=$(JOBS) scripts/test.sh

# Debug info as line tables (-g1): the reports keep each frame's function, file and line, and the
# build compiles faster than with full debug info.
asan: deps
	cmake -S . -B $(BUILD)/asan $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DSIO_SANITIZE=asan -DSIO_BUILD_APPS=OFF
	cmake --build $(BUILD)/asan -j$(JOBS)
	cd $(BUILD)/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest $(CTEST_ARGS) -j$(JOBS) -L '^(unit|session|integration|client)$$' -E 'chat_pg_storage|common_pg_migrations'

# ThreadSanitizer: the library's session, integration and C++ client tests, the apps' storage on
# PostgreSQL (integration), and the apps' contracts on the demo server with two workers.
# bench_verify_sio is left out: its memory figures read allocator statistics that
# ThreadSanitizer's allocator does not keep.
TSAN_APP_TESTS = ^interop_(chat_socket|editor_socket_w2|tictactoe_socket_w2|auction_socket_w2|dashboard_socket_w2|notifications_socket_w2|notifications_apps_w2)$$
tsan: deps
	cmake -S . -B $(BUILD)/tsan $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIO_SANITIZE=tsan -DSIO_BUILD_APPS=ON
	cmake --build $(BUILD)/tsan -j$(JOBS)
	cd $(BUILD)/tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 ctest $(CTEST_ARGS) -j1 -L 'session|integration|client' -E '^bench_verify_sio$$'
	cd $(BUILD)/tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 ctest $(CTEST_ARGS) -j1 -R '$(TSAN_APP_TESTS)'

fuzz: deps
	CXX=clang++-14 cmake -S . -B $(BUILD)/fuzz $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIO_FUZZ=ON
	cmake --build $(BUILD)/fuzz -j$(JOBS)
	scripts/run-fuzz.sh $(BUILD)/fuzz/bin $(FUZZ_SECONDS) $(JOBS)

demo: build
	$(BUILD)/bin/sio-apps --port 3000

# Load generator and bench servers only, then every scenario against sio and Node (bench/run.sh).
bench: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS) --target sio-bench sio-bench-server sio-raw-echo sio-apps
	BUILD=$(BUILD) bench/run.sh

# The Debian package libsio-dev (headers, static libraries, CMake package, pkg-config files) from a
# libraries-only Release build: $(BUILD)/package/libsio-dev_<version>_<arch>.deb.
package: deps
	cmake -S . -B $(BUILD)/package $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DSIO_BUILD_APPS=OFF -DSIO_BUILD_TESTS=OFF
	cmake --build $(BUILD)/package -j$(JOBS)
	cd $(BUILD)/package && cpack

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
