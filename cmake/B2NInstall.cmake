# B2NInstall.cmake - install rules, CMake package config and pkg-config file.
#
# Installed layout (below CMAKE_INSTALL_PREFIX):
#   bin/bpf2native                          the compiler
#   lib/libb2n_rt.a                         the runtime for the host
#   lib/bpf2native/<t>/libb2n_rt.a          the runtime cross-built for target <t>
#   include/bpf2native/*.h, helpers.def     public headers
#   lib/cmake/bpf2native/                   bpf2native-config.cmake (+ version file)
#                                           and Bpf2nativeFunctions.cmake
#   lib/pkgconfig/libb2n.pc                 the host runtime for pkg-config
#
# The package config defines imported targets itself (b2n::bpf2native,
# b2n::rt, b2n::rt_<t>) with paths relative to its own location, so the
# prefix can be moved; install(EXPORT) is not used because the build-tree
# targets carry source-tree include paths.  The target table (names, byte
# order) is written into the config from targets.def, through B2NTargets.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(B2N_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/bpf2native")

install(TARGETS bpf2native RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(TARGETS b2n_rt ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}")
install(DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}/include/bpf2native"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  FILES_MATCHING PATTERN "*.h" PATTERN "*.def")

# Target table and per-target runtimes.
set(B2N_CONFIG_TARGET_TABLE "")
set(B2N_CONFIG_RT_TARGETS "")
foreach(_t IN LISTS B2N_TARGETS)
  string(APPEND B2N_CONFIG_TARGET_TABLE
    "set(B2N_TARGET_${_t}_BIG_ENDIAN ${B2N_TARGET_${_t}_BIG_ENDIAN})\n"
    "set(B2N_TARGET_${_t}_TRIPLE \"${B2N_TARGET_${_t}_TRIPLE}\")\n"
    "set(B2N_TARGET_${_t}_GNU \"${B2N_TARGET_${_t}_GNU}\")\n")
  if(B2N_TARGET_${_t}_AVAILABLE)
    install(FILES "${B2N_RT_LIB_${_t}}"
      DESTINATION "${CMAKE_INSTALL_LIBDIR}/bpf2native/${_t}")
    list(APPEND B2N_CONFIG_RT_TARGETS "${_t}")
  endif()
endforeach()

configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/bpf2native-config.cmake.in"
  "${CMAKE_BINARY_DIR}/pkg/bpf2native-config.cmake"
  INSTALL_DESTINATION "${B2N_INSTALL_CMAKEDIR}"
  PATH_VARS CMAKE_INSTALL_BINDIR CMAKE_INSTALL_LIBDIR CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(
  "${CMAKE_BINARY_DIR}/pkg/bpf2native-config-version.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY SameMinorVersion)
install(FILES
  "${CMAKE_BINARY_DIR}/pkg/bpf2native-config.cmake"
  "${CMAKE_BINARY_DIR}/pkg/bpf2native-config-version.cmake"
  "${CMAKE_CURRENT_LIST_DIR}/Bpf2nativeFunctions.cmake"
  DESTINATION "${B2N_INSTALL_CMAKEDIR}")

# pkg-config: paths relative to the .pc file's prefix.
set(B2N_PC_LIBS_PRIVATE "-lpthread")
if(CMAKE_DL_LIBS)
  string(APPEND B2N_PC_LIBS_PRIVATE " -l${CMAKE_DL_LIBS}")
endif()
file(RELATIVE_PATH B2N_PC_PREFIX_REL "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
configure_file("${CMAKE_CURRENT_LIST_DIR}/libb2n.pc.in" "${CMAKE_BINARY_DIR}/pkg/libb2n.pc" @ONLY)
install(FILES "${CMAKE_BINARY_DIR}/pkg/libb2n.pc"
  DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
