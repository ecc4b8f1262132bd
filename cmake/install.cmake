# install.cmake - what `cmake --install` puts where (GNUInstallDirs), and
# the two ways a C consumer finds the installed library: rvvnn.pc
# (pkg-config) and rvvnnConfig.cmake (find_package, imported target
# rvvnn::rvvnn). Every version number below is PROJECT_VERSION, the one
# place it is written. packaging/debian splits this install into packages.
include(CMakePackageConfigHelpers)

# Where the bindings go: Debian's layout by default (the system python3
# reads dist-packages; LuaJIT reads share/lua/5.1).
set(RVVNN_INSTALL_PYTHONDIR lib/python3/dist-packages CACHE STRING "Python package directory")
set(RVVNN_INSTALL_LUADIR ${CMAKE_INSTALL_DATADIR}/lua/5.1 CACHE STRING "Lua module directory")
set(RVVNN_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/rvvnn)

# --- the library, its headers and its ABI manifest
target_include_directories(rvvnn_shared INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
set_target_properties(rvvnn_shared PROPERTIES EXPORT_NAME rvvnn)
install(TARGETS rvvnn_shared EXPORT rvvnnTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS rvvnn_static ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${CMAKE_SOURCE_DIR}/libcore/include/rvvnn.h ${CMAKE_BINARY_DIR}/include/rvvnn_version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${CMAKE_SOURCE_DIR}/abi/rvvnn.abi.json DESTINATION ${CMAKE_INSTALL_DATADIR}/rvvnn)

# --- pkg-config. The static library needs protobuf-c (Requires.private),
# libm and, when built with OpenMP, libgomp (Libs.private).
set(RVVNN_PC_LIBS_PRIVATE -lm)
if(RVVNN_OPENMP)
  string(PREPEND RVVNN_PC_LIBS_PRIVATE "${OpenMP_C_FLAGS} ")
endif()
if(IS_ABSOLUTE ${CMAKE_INSTALL_LIBDIR})
  set(RVVNN_PC_LIBDIR ${CMAKE_INSTALL_LIBDIR})
else()
  set(RVVNN_PC_LIBDIR "\${exec_prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE ${CMAKE_INSTALL_INCLUDEDIR})
  set(RVVNN_PC_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR})
else()
  set(RVVNN_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(${CMAKE_SOURCE_DIR}/packaging/rvvnn.pc.in ${CMAKE_BINARY_DIR}/packaging/rvvnn.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/packaging/rvvnn.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# --- CMake package: rvvnnConfig.cmake, its version file, the targets.
configure_package_config_file(${CMAKE_SOURCE_DIR}/packaging/rvvnnConfig.cmake.in
  ${CMAKE_BINARY_DIR}/packaging/rvvnnConfig.cmake INSTALL_DESTINATION ${RVVNN_INSTALL_CMAKEDIR})
# The SONAME is librvvnn.so.0 for every 0.x release: same major, compatible.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/packaging/rvvnnConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/packaging/rvvnnConfig.cmake
        ${CMAKE_BINARY_DIR}/packaging/rvvnnConfigVersion.cmake DESTINATION ${RVVNN_INSTALL_CMAKEDIR})
install(EXPORT rvvnnTargets NAMESPACE rvvnn:: DESTINATION ${RVVNN_INSTALL_CMAKEDIR})

# --- the CLI, its man page (from the --help texts, when help2man is
# installed), its bash completion and the riscv64 runner it starts.
install(TARGETS rvvnn_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
find_program(HELP2MAN help2man)
if(HELP2MAN)
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/packaging/rvvnn.1
    COMMAND ${CMAKE_SOURCE_DIR}/packaging/gen-manpage $<TARGET_FILE:rvvnn_cli>
            ${CMAKE_BINARY_DIR}/packaging/rvvnn.1
    DEPENDS rvvnn_cli ${CMAKE_SOURCE_DIR}/packaging/gen-manpage
    COMMENT "help2man rvvnn.1")
  add_custom_target(rvvnn_manpage ALL DEPENDS ${CMAKE_BINARY_DIR}/packaging/rvvnn.1)
  install(FILES ${CMAKE_BINARY_DIR}/packaging/rvvnn.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
install(FILES ${CMAKE_SOURCE_DIR}/packaging/rvvnn.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME rvvnn)
if(RVVNN_RT)
  install(PROGRAMS ${RVVNN_RT} DESTINATION ${RVVNN_RT_INSTALL_DIR})
endif()

# --- the bindings (pure Python / Lua; they load librvvnn.so.0 with the
# system loader unless RVVNN_LIBRARY names another one).
install(DIRECTORY ${CMAKE_SOURCE_DIR}/bindings/python/rvvnn DESTINATION ${RVVNN_INSTALL_PYTHONDIR}
        PATTERN __pycache__ EXCLUDE PATTERN *.pyc EXCLUDE)
install(FILES ${CMAKE_SOURCE_DIR}/bindings/lua/rvvnn.lua ${CMAKE_SOURCE_DIR}/bindings/lua/rvvnn_cdef.lua
        DESTINATION ${RVVNN_INSTALL_LUADIR})
