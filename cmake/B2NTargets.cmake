# B2NTargets.cmake - the native target table for CMake, and the runtime
# built once per target with that target's Debian cross gcc.
#
# targets/targets.def is the single source of truth (the C code includes it
# as an X-macro table); here its X(...) lines are read with file(STRINGS) and
# one regex, so a new target needs no edit in this file.  For every target:
#   B2N_TARGETS                       list of target names (e.g. x86_64;aarch64;...)
#   B2N_TARGET_<n>_TRIPLE             LLVM triple
#   B2N_TARGET_<n>_GNU                Debian toolchain prefix (aarch64-linux-gnu)
#   B2N_TARGET_<n>_QEMU               qemu-user binary name ("" = runs natively)
#   B2N_TARGET_<n>_QEMU_PATH          its full path, or "" (native, or not found)
#   B2N_TARGET_<n>_BIG_ENDIAN         0 or 1
#   B2N_TARGET_<n>_SYSROOT            /usr/<GNU> (pass to qemu -L), "" for the host
#   B2N_TARGET_<n>_CC / _AR           the (cross) gcc and ar, when found
#   B2N_TARGET_<n>_AVAILABLE          ON when the cross compiler exists
#   B2N_TARGET_<n>_MISSING_REASON     why not, when it is OFF
#   B2N_RT_LIB_<n>                    ${CMAKE_BINARY_DIR}/rt/<n>/libb2n_rt.a (available targets)
# and, for each available target, a custom target b2n_rt_<n> (part of ALL)
# that builds that archive from runtime/*.c with the portable flags below.
# b2n_target_cc(<n> <outvar>) / b2n_target_ar(<n> <outvar>) return the tools
# (empty when missing).  x86_64 uses the host C compiler when the host is
# x86_64.
#
# Note: the cross flags are strict -std=c11 with no feature-test macro (the
# host build adds -D_GNU_SOURCE), so a runtime file that uses POSIX or GNU
# functions (strdup, pthread_*, sched_getcpu, clock_gettime...) must define
# _GNU_SOURCE (or _POSIX_C_SOURCE) itself, before its first #include.

set(B2N_SOURCE_ROOT "${CMAKE_CURRENT_LIST_DIR}/..")
get_filename_component(B2N_SOURCE_ROOT "${B2N_SOURCE_ROOT}" ABSOLUTE)
set(B2N_TARGETS_DEF "${B2N_SOURCE_ROOT}/targets/targets.def")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${B2N_TARGETS_DEF}")

# X("name", "triple", "cpu", "features", big_endian, TAILCALL, "gnu", "qemu", "aliases")
set(_b2n_q "\"([^\"]*)\"")
set(_b2n_sep "[ \t]*,[ \t]*")
set(_b2n_x_regex
  "^X\\([ \t]*${_b2n_q}${_b2n_sep}${_b2n_q}${_b2n_sep}${_b2n_q}${_b2n_sep}${_b2n_q}${_b2n_sep}([01])${_b2n_sep}([A-Za-z0-9_]+)${_b2n_sep}${_b2n_q}${_b2n_sep}${_b2n_q}${_b2n_sep}${_b2n_q}[ \t]*\\)")

file(STRINGS "${B2N_TARGETS_DEF}" _b2n_x_lines REGEX "^X\\(")
set(B2N_TARGETS "")
foreach(_line IN LISTS _b2n_x_lines)
  if(NOT _line MATCHES "${_b2n_x_regex}")
    message(FATAL_ERROR "B2NTargets: cannot parse targets.def line: ${_line}")
  endif()
  set(_n "${CMAKE_MATCH_1}")
  list(APPEND B2N_TARGETS "${_n}")
  set(B2N_TARGET_${_n}_TRIPLE "${CMAKE_MATCH_2}")
  set(B2N_TARGET_${_n}_CPU "${CMAKE_MATCH_3}")
  set(B2N_TARGET_${_n}_FEATURES "${CMAKE_MATCH_4}")
  set(B2N_TARGET_${_n}_BIG_ENDIAN "${CMAKE_MATCH_5}")
  set(B2N_TARGET_${_n}_TAILCALL "${CMAKE_MATCH_6}")
  set(B2N_TARGET_${_n}_GNU "${CMAKE_MATCH_7}")
  set(B2N_TARGET_${_n}_QEMU "${CMAKE_MATCH_8}")
  set(B2N_TARGET_${_n}_ALIASES "${CMAKE_MATCH_9}")
endforeach()
if(NOT B2N_TARGETS)
  message(FATAL_ERROR "B2NTargets: no X(...) entries in ${B2N_TARGETS_DEF}")
endif()

function(b2n_target_cc name outvar)
  set(${outvar} "${B2N_TARGET_${name}_CC}" PARENT_SCOPE)
endfunction()

function(b2n_target_ar name outvar)
  set(${outvar} "${B2N_TARGET_${name}_AR}" PARENT_SCOPE)
endfunction()

# The runtime sources, and the headers they may include.
file(GLOB B2N_RT_CROSS_SOURCES CONFIGURE_DEPENDS "${B2N_SOURCE_ROOT}/runtime/*.c")
file(GLOB B2N_RT_CROSS_HEADERS CONFIGURE_DEPENDS "${B2N_SOURCE_ROOT}/runtime/*.h"
  "${B2N_SOURCE_ROOT}/include/bpf2native/*.h")
set(B2N_RT_CROSS_FLAGS -O2 -std=c11 -fPIC -fvisibility=hidden -ffunction-sections
  -Wall -Wextra -Werror -I "${B2N_SOURCE_ROOT}/include")

string(TOLOWER "${CMAKE_HOST_SYSTEM_PROCESSOR}" _b2n_host_proc)
foreach(_n IN LISTS B2N_TARGETS)
  set(_gnu "${B2N_TARGET_${_n}_GNU}")
  set(_cc "")
  set(_ar "")
  set(_native OFF)
  if(_n STREQUAL "x86_64" AND _b2n_host_proc MATCHES "^(x86_64|amd64)$")
    set(_native ON)
    set(_cc "${CMAKE_C_COMPILER}")
    set(_ar "${CMAKE_AR}")
  else()
    find_program(B2N_CROSS_CC_${_n} NAMES "${_gnu}-gcc" "${_gnu}-gcc-12")
    find_program(B2N_CROSS_AR_${_n} NAMES "${_gnu}-ar")
    if(B2N_CROSS_CC_${_n})
      set(_cc "${B2N_CROSS_CC_${_n}}")
    endif()
    if(B2N_CROSS_AR_${_n})
      set(_ar "${B2N_CROSS_AR_${_n}}")
    endif()
  endif()
  set(B2N_TARGET_${_n}_CC "${_cc}")
  set(B2N_TARGET_${_n}_AR "${_ar}")

  if(_native)
    set(B2N_TARGET_${_n}_SYSROOT "")
  else()
    set(B2N_TARGET_${_n}_SYSROOT "/usr/${_gnu}")
  endif()
  set(B2N_TARGET_${_n}_QEMU_PATH "")
  if(B2N_TARGET_${_n}_QEMU)
    find_program(B2N_QEMU_${_n} NAMES "${B2N_TARGET_${_n}_QEMU}")
    if(B2N_QEMU_${_n})
      set(B2N_TARGET_${_n}_QEMU_PATH "${B2N_QEMU_${_n}}")
    endif()
  endif()

  if(NOT _cc OR NOT _ar)
    set(B2N_TARGET_${_n}_AVAILABLE OFF)
    set(B2N_TARGET_${_n}_MISSING_REASON "cross compiler ${_gnu}-gcc (or ${_gnu}-ar) not found")
    message(WARNING "bpf2native: target ${_n}: ${B2N_TARGET_${_n}_MISSING_REASON}; "
      "its runtime is not built and its tests will be skipped")
    continue()
  endif()
  set(B2N_TARGET_${_n}_AVAILABLE ON)
  set(B2N_TARGET_${_n}_MISSING_REASON "")

  set(_dir "${CMAKE_BINARY_DIR}/rt/${_n}")
  set(_lib "${_dir}/libb2n_rt.a")
  set(_objs "")
  foreach(_src IN LISTS B2N_RT_CROSS_SOURCES)
    get_filename_component(_stem "${_src}" NAME_WE)
    set(_obj "${_dir}/${_stem}.o")
    add_custom_command(OUTPUT "${_obj}"
      COMMAND "${CMAKE_COMMAND}" -E make_directory "${_dir}"
      COMMAND "${_cc}" ${B2N_RT_CROSS_FLAGS} -c "${_src}" -o "${_obj}"
      DEPENDS "${_src}" ${B2N_RT_CROSS_HEADERS}
      COMMENT "Building runtime ${_stem}.c for ${_n}"
      VERBATIM)
    list(APPEND _objs "${_obj}")
  endforeach()
  add_custom_command(OUTPUT "${_lib}"
    COMMAND "${CMAKE_COMMAND}" -E rm -f "${_lib}"
    COMMAND "${_ar}" rcs "${_lib}" ${_objs}
    DEPENDS ${_objs}
    COMMENT "Archiving ${_n} runtime ${_lib}"
    VERBATIM)
  add_custom_target(b2n_rt_${_n} ALL DEPENDS "${_lib}")
  set(B2N_RT_LIB_${_n} "${_lib}")
endforeach()

set(B2N_AVAILABLE_TARGETS "")
foreach(_n IN LISTS B2N_TARGETS)
  if(B2N_TARGET_${_n}_AVAILABLE)
    list(APPEND B2N_AVAILABLE_TARGETS "${_n}")
  endif()
endforeach()
message(STATUS "bpf2native targets: ${B2N_TARGETS} (runtime cross-built for: ${B2N_AVAILABLE_TARGETS})")
