#!/usr/bin/env bash
# Builds tests/consumer, an application outside sio's tree, against sio one way and runs it with
# the official socket.io-client and its own client program on sio::client (check.mjs). ctest runs each step as a test (label consumer).
#   run.sh prepare       install the build into WORK/prefix; pack the .deb with CPack and
#                        extract it into WORK/deb-root (dpkg-deb -x)
#   run.sh find-package  CMake: find_package(sio) in WORK/prefix
#   run.sh deb           CMake: find_package(sio) in the extracted .deb (WORK/deb-root/usr)
#   run.sh fetchcontent  CMake: FetchContent_Declare(sio SOURCE_DIR <this repository>)
#   run.sh pkg-config    g++ with `pkg-config --cflags --libs sio` (and sio-client for the
#                        client), PKG_CONFIG_PATH in WORK/prefix
#   run.sh clean         removes WORK
# Environment: SIO_BUILD_DIR (the top-level build, required), SIO_CONSUMER_WORK (default
# $SIO_BUILD_DIR/consumer), CMAKE, CPACK, CMAKE_GENERATOR, JOBS (default 1),
# SIO_EXPECT_REDIS=1 (the installed package must offer sio::redis).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build=${SIO_BUILD_DIR:?the top-level build directory}
work=${SIO_CONSUMER_WORK:-$build/consumer}
cmake=${CMAKE:-cmake}
cpack=${CPACK:-cpack}

# The consumer's own build settings (not sio's): ccache when there is one.
consumer_args=(-DCMAKE_BUILD_TYPE=Release)
[ -n "${CMAKE_GENERATOR:-}" ] && consumer_args+=(-G "$CMAKE_GENERATOR")
command -v ccache >/dev/null && consumer_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

# cmake_consumer <name> <cmake args>...: configures and builds the consumer in WORK/<name>, then
# checks the program.
cmake_consumer() {
  local dir=$work/$1
  shift
  rm -rf "$dir"
  "$cmake" -S "$here" -B "$dir" "${consumer_args[@]}" "$@"
  "$cmake" --build "$dir" --target app client -j "${JOBS:-1}"
  node "$here/check.mjs" "$dir/app" "$dir/client"
}

# The single folder below <prefix> that holds <file> (e.g. lib/pkgconfig/sio.pc).
find_dir() {
  dirname "$(find "$1" -path "*/$2" -print -quit)"
}

prepare() {
  rm -rf "$work"
  mkdir -p "$work"
  "$cmake" --install "$build" --prefix "$work/prefix" --component sio
  "$cpack" --config "$build/CPackConfig.cmake" -B "$work/deb"
  local deb
  deb=$(find "$work/deb" -maxdepth 1 -name 'libsio-dev_*.deb')
  echo "package: $(basename "$deb")"
  dpkg-deb -f "$deb" Package Version Architecture Depends
  # The library only: headers, libraries, CMake and pkg-config files.
  local other
  other=$(dpkg-deb -c "$deb" | awk '{print $6}' | grep -v '/$' |
    grep -Ev '^\./usr/(include/sio/.*\.hpp|lib/(.*/)?(libsio_[a-z_]+\.a|cmake/sio/.*\.cmake|pkgconfig/sio(-client|-redis)?\.pc))$' || true)
  if [ -n "$other" ]; then
    echo "unexpected files in $deb:" >&2
    echo "$other" >&2
    return 1
  fi
  dpkg-deb -x "$deb" "$work/deb-root"
}

# The package offers sio::redis when this build has it (a configure-time check of the consumer).
redis_args() {
  [ "${SIO_EXPECT_REDIS:-0}" = 1 ] && echo "-DSIO_EXPECT_REDIS=ON"
  true
}

pkg_config() {
  mkdir -p "$work/pkg-config"
  cp "$here/main.cpp" "$here/client.cpp" "$work/pkg-config/"
  cd "$work/pkg-config"
  PKG_CONFIG_PATH=$(find_dir "$work/prefix" pkgconfig/sio.pc)
  export PKG_CONFIG_PATH
  # readme: pkg-config
  g++ -std=c++20 -O2 main.cpp -o app $(pkg-config --cflags --libs sio)
  # readme: end
  # readme: pkg-config client
  g++ -std=c++20 -O2 client.cpp -o client $(pkg-config --cflags --libs sio-client)
  # readme: end
  node "$here/check.mjs" "$work/pkg-config/app" "$work/pkg-config/client"
}

case "${1:-}" in
  prepare) prepare ;;
  find-package) cmake_consumer find-package -DCMAKE_PREFIX_PATH="$work/prefix" $(redis_args) ;;
  deb) cmake_consumer deb -DCMAKE_PREFIX_PATH="$work/deb-root/usr" $(redis_args) ;;
  # SIO_WERROR (sio's warnings, as in its own build): sio's libraries compile here with the
  # commands of the top-level build, so ccache serves them from that build's compile.
  fetchcontent) cmake_consumer fetchcontent -DSIO_FROM=fetchcontent -DSIO_SOURCE_DIR="$root" \
    -DSIO_WERROR=ON ;;
  pkg-config) pkg_config ;;
  clean) rm -rf "$work" ;;
  *)
    echo "usage: $0 prepare|find-package|deb|fetchcontent|pkg-config|clean" >&2
    exit 2
    ;;
esac
