# FindLibBpf - libbpf through pkg-config.  Defines LibBpf::LibBpf.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBBPF QUIET IMPORTED_TARGET libbpf)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LibBpf REQUIRED_VARS LIBBPF_LINK_LIBRARIES VERSION_VAR LIBBPF_VERSION)
if(LibBpf_FOUND AND NOT TARGET LibBpf::LibBpf)
  add_library(LibBpf::LibBpf INTERFACE IMPORTED)
  target_link_libraries(LibBpf::LibBpf INTERFACE PkgConfig::LIBBPF)
endif()
