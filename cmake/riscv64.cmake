# Cross toolchain for the riscv64 runtime (rvvnn-rt): Debian's
# gcc-riscv64-linux-gnu. Static so qemu-riscv64 needs no sysroot.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(CMAKE_C_COMPILER riscv64-linux-gnu-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/riscv64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_C_FLAGS_INIT "-march=rv64gc -mabi=lp64d")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
# The environment's CFLAGS/LDFLAGS are the host compiler's (dpkg-buildflags
# gives x86-only ones such as -fcf-protection): not for this compiler.
unset(ENV{CFLAGS})
unset(ENV{CPPFLAGS})
unset(ENV{LDFLAGS})
