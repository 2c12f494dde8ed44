# Cross-compiles forktrace for arm64 on a Debian machine with
# g++-aarch64-linux-gnu and the arm64 library packages installed through
# multiarch (dpkg --add-architecture arm64; tools/install-deps.sh --matrix):
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
# The BPF object is still built by the host's clang, for arm64
# (-D__TARGET_ARCH_arm64, bpf/vmlinux/arm64/vmlinux.h), and bpftool runs here.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Multiarch: the arm64 libraries and their CMake and pkg-config files live in
# /usr/lib/aarch64-linux-gnu, headers in /usr/include (and its aarch64 part).
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
# The tests cannot run here to list themselves at build time: ctest lists
# them when it runs (in the arm64 guest, tools/qemu/run-matrix.sh runs the
# binaries directly).
set(CMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE PRE_TEST)
