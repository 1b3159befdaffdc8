# examples/xdp-pcap/tests.cmake - the example's tests, included from
# tests/linking/CMakeLists.txt (run.sh says what each one does):
#   xdp_pcap_<t>     build and run the app for every target of targets.def
#                    (cross targets under qemu-user, with a static libpcap
#                    built by libpcap.sh from Debian's source package and
#                    cached in <build>/xdp-pcap/libpcap), output vs expected.txt
#   xdp_pcap_kernel  the same program in the running kernel (BPF_PROG_TEST_RUN
#                    through libbpf), output vs expected.txt; skipped when
#                    bpf() is not permitted
set(_xp_dir ${CMAKE_SOURCE_DIR}/examples/xdp-pcap)
foreach(t IN LISTS B2N_TARGETS)
  add_test(NAME xdp_pcap_${t}
    COMMAND bash ${_xp_dir}/run.sh ${t} ${B2N_TARGET_${t}_GNU} "${B2N_TARGET_${t}_QEMU}"
            ${B2N_TARGET_${t}_BIG_ENDIAN} $<TARGET_FILE:bpf2native>
            ${CMAKE_BINARY_DIR}/rt/${t}/libb2n_rt.a ${CMAKE_SOURCE_DIR}
            ${CMAKE_BINARY_DIR}/xdp-pcap/${t} ${CMAKE_BINARY_DIR}/xdp-pcap/libpcap)
  # the first run of a cross target builds its libpcap (about 20 s of CPU)
  set_tests_properties(xdp_pcap_${t} PROPERTIES SKIP_RETURN_CODE 77 LABELS target TIMEOUT 1800)
endforeach()
add_test(NAME xdp_pcap_kernel
  COMMAND bash ${_xp_dir}/run.sh kernel ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/xdp-pcap/kernel)
set_tests_properties(xdp_pcap_kernel PROPERTIES SKIP_RETURN_CODE 77)
